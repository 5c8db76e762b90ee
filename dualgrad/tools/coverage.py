"""``python -m dualgrad coverage``: which numpy functions dualgrad differentiates.

Every public callable of ``numpy``, ``numpy.linalg`` and ``numpy.fft`` falls in
one of these classes:

- ``primitive``: a primitive with both a JVP and a VJP rule;
- ``composite``: written with such primitives (so both modes work, to any order);
- ``nondiff``: no derivative to carry (comparisons, argmax, shapes, rounding):
  tracers pass through and the result is a constant;
- ``unsupported``: raises ``DifferentiationError`` naming the function when it
  meets a traced value;
- ``incomplete``: a primitive missing one of its two rules (a gap to fill: the
  test suite keeps this list empty).

``--primitives`` lists every primitive in the rule tables (numpy's, scipy's
and internal ones) with whether it has a fast *batched* rule (one call for all
directions of a Jacobian, or all examples of ``vmap``) or falls back to a loop
over the batch, and the functions whose rules read batched values (``VMAP_LOOPS``:
``vmap`` of their gradient loops over the examples, with a ``PerformanceWarning``).
"""
from __future__ import annotations

import argparse
from collections import Counter

from ..core import ALL, ANY, Primitive

CLASSES = ("primitive", "composite", "nondiff", "unsupported", "incomplete")


def _namespaces():
    from .. import numpy as dnp
    return [("numpy", dnp, dnp.KINDS), ("numpy.linalg", dnp.linalg, dnp.linalg.KINDS),
            ("numpy.fft", dnp.fft, dnp.fft.KINDS)]


def has_both_rules(prim: Primitive) -> bool:
    jv = set(prim.jvps) - {ANY, ALL}
    vj = set(prim.vjps) - {ANY, ALL}
    if not prim.jvps or not prim.vjps:
        return False
    return ANY in prim.vjps or ANY in prim.jvps or ALL in prim.jvps or jv == vj


def classify(obj, kind: str) -> str:
    if kind == "nondiff":
        return "nondiff"
    if kind == "unsupported":
        return "unsupported"
    if isinstance(obj, Primitive):
        return "primitive" if has_both_rules(obj) else "incomplete"
    return "composite"


def report() -> dict[str, dict[str, str]]:
    """{namespace: {name: class}} for every public callable."""
    out = {}
    for prefix, module, kinds in _namespaces():
        out[prefix] = {name: classify(getattr(module, name), kind)
                       for name, kind in sorted(kinds.items()) if kind != "value"}
    return out


def counts(rep=None) -> Counter:
    rep = report() if rep is None else rep
    return Counter(c for table in rep.values() for c in table.values())


# Modules that define primitives beyond dualgrad.numpy, imported before counting so the
# figures do not depend on what the caller happened to import.
RULE_MODULES = ("dualgrad.scipy.special", "dualgrad.scipy.stats", "dualgrad.scipy.linalg",
                "dualgrad.scipy.signal", "dualgrad.scipy.integrate", "dualgrad.misc.fixed_points")


def primitive_batching() -> dict[str, str]:
    """{primitive name: "batched" or "loop"} for every primitive with rules (the
    library's, and any a caller has defined in this process)."""
    import importlib
    for name in RULE_MODULES:  # their rules too
        importlib.import_module(name)
    from ..interpreters.batching import batched_rule_names
    from ..core import JVP_RULES
    fast = set(batched_rule_names())
    return {p.name: ("batched" if p.name in fast else "loop")
            for p in sorted(JVP_RULES, key=lambda p: p.name)
            if isinstance(p, Primitive) and (p.jvps or p.vjps)}


_ORDER = "an index order computed from the values (argsort, searchsorted)"
_NAN = "a NaN mask whose count sets a shape"
_SPECTRAL = "a test on the values (degenerate or zero singular values, signs)"
_ZEROS = "a branch on whether some entries are zero"
_SHAPE = "an output shape that depends on the values"
_BITS = "plain numpy on the values (bits, rounding)"
# What still loops under ``vmap`` of a gradient (or a Jacobian of one) after the
# mask rules (maximum, minimum, fmax, fmin, abs, clip, where, power, max, min,
# copysign, heaviside, remainder, std, select) were made batched: these functions'
# rules, or their own code, read the numbers of a batched value, so vmap and jacobian
# loop over the examples and emit a ``PerformanceWarning`` naming them. The test
# suite checks this table against what the rule tests' cases really do.
VMAP_LOOPS: dict[str, str] = {
    **dict.fromkeys(("sort", "sort_complex", "partition", "median", "quantile", "interp",
                     "unwrap"), _ORDER),
    **dict.fromkeys(("nanmean", "nanmedian", "nanprod", "nanstd", "nansum", "nanvar",
                     "nancumprod", "nancumsum", "nan_to_num", "isnan"), _NAN),
    **dict.fromkeys(("eig", "eigh", "svd", "lstsq", "slogdet", "norm"), _SPECTRAL),
    **dict.fromkeys(("prod", "cumprod", "logsumexp", "average", "real_if_close"), _ZEROS),
    **dict.fromkeys(("unique", "static_index"), _SHAPE),
    **dict.fromkeys(("divmod", "frexp", "modf", "nextafter"), _BITS),
}


def sparsity_fallbacks() -> list[str]:
    """Primitives without a sparsity rule: ``dualgrad.sparse`` treats each of their
    outputs as depending on every input element of their arguments (correct, dense)."""
    from ..rules.sparsity import rule_names
    return sorted(set(primitive_batching()) - rule_names())


def residual_coverage() -> tuple[list[str], list[str]]:
    """(declared, undeclared) primitive names: whether every VJP rule of the
    primitive declares what it reads (``dualgrad.core.residuals``); an undeclared one
    keeps all its arguments and its answer on the tape."""
    from ..core.residuals import is_declared
    primitive_batching()  # imports RULE_MODULES too
    from ..core import VJP_RULES
    prims = [p for p in VJP_RULES if isinstance(p, Primitive) and p.vjps]
    return (sorted(p.name for p in prims if is_declared(p)),
            sorted(p.name for p in prims if not is_declared(p)))


def taylor_coverage() -> tuple[list[str], list[str]]:
    """(with a rule, by nested forward mode): Taylor mode (``dualgrad.jet``) pushes K
    coefficients through a primitive with a rule at O(K^2) cost; the others get them by
    nesting forward mode K times (correct, about 2^K evaluations)."""
    from ..interpreters.taylor import TAYLOR_RULES
    names = primitive_batching()
    ruled = {p.name for p in TAYLOR_RULES}
    return sorted(n for n in names if n in ruled), sorted(n for n in names if n not in ruled)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dualgrad coverage",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=CLASSES, help="list only this class")
    parser.add_argument("--summary", action="store_true", help="print the counts only")
    parser.add_argument("--primitives", action="store_true",
                        help="list every primitive and whether it has a batched rule")
    args = parser.parse_args(argv)
    rep = report()
    if not args.summary:
        for prefix, table in rep.items():
            print(f"== {prefix}")
            for name, cls in table.items():
                if args.only is None or cls == args.only:
                    print(f"  {prefix}.{name:<28} {cls}")
    c = counts(rep)
    total = sum(c.values())
    diff = c["primitive"] + c["composite"]
    print(f"\n{total} public callables: {diff} differentiable "
          f"({c['primitive']} primitives with JVP+VJP, {c['composite']} composites), "
          f"{c['nondiff']} non-differentiable pass-through, {c['unsupported']} unsupported "
          f"(clear error), {c['incomplete']} incomplete (missing a rule).")
    for prefix, table in rep.items():
        cc = Counter(table.values())
        print(f"  {prefix:<13} " + ", ".join(f"{k} {cc[k]}" for k in CLASSES))
    batching = primitive_batching()
    taylor_ruled, taylor_nested = taylor_coverage()
    if args.primitives:
        print("\n== primitives (batched: one call per Jacobian/vmap; loop: one call per example;"
              " taylor: a Taylor rule, or nested forward mode)")
        for name, how in batching.items():
            print(f"  {name:<28} {how:<8} {'taylor' if name in taylor_ruled else 'nested'}")
    fast = sum(v == "batched" for v in batching.values())
    print(f"{len(batching)} primitives in the rule tables (numpy, scipy, internal): {fast} with "
          f"a batched rule, {len(batching) - fast} batched by a loop over the examples.")
    if args.primitives:
        print("\n== functions whose rules read batched values (vmap of their gradient loops)")
        for name, why in sorted(VMAP_LOOPS.items()):
            print(f"  {name:<28} {why}")
    print(f"{len(VMAP_LOOPS)} functions read the values of a batched argument, so vmap of "
          f"their gradient loops over the examples: {', '.join(sorted(VMAP_LOOPS))}.")
    dense = sparsity_fallbacks()
    print(f"Sparsity detection (dualgrad.sparse): {len(batching) - len(dense)} primitives with an "
          f"exact rule; {len(dense)} use the dense fallback: {', '.join(dense)}.")
    print(f"Taylor mode (dualgrad.jet): {len(taylor_ruled)} primitives with a Taylor rule; "
          f"{len(taylor_nested)} by nested forward mode: {', '.join(taylor_nested)}.")
    declared, undeclared = residual_coverage()
    print(f"Tape residuals (dualgrad.core.residuals): {len(declared)} primitives keep only what their "
          f"VJP rules read; {len(undeclared)} keep every argument and the answer: "
          f"{', '.join(undeclared)}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
