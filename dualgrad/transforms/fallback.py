"""Mode fallback: a rule nobody wrote never blocks a transform that can do without it.

Many transforms can be computed in more than one mode: a Jacobian by forward
or reverse mode, a Hessian forward-over-reverse or reverse-over-reverse, a
gradient from one backward pass or from n forward directions, ``J v`` from
one forward pass or from two reverse passes, ``J^T u`` from one backward pass
or from reverse mode over a forward pass (``pull_back_by_forward``: make_vjp,
vjp, grad_and_aux), Taylor coefficients from one Taylor pass or from nested
``deriv`` (jet, taylor, derivatives), a Laplacian from collapsed Taylor mode or
from ``trace(hessian)``. A primitive given only a VJP (as
autograd's documentation shows: ``defvjp`` alone) or only a JVP then still
works under all of them: the transform runs in the mode whose rules exist.

A missing rule only shows when a pass meets the primitive: the rule lookup
raises :class:`~dualgrad.core.MissingRuleError` (a JVP when a forward pass
applies the primitive, a VJP when a reverse pass records it). Which
primitives a function applies is only known by running it, so the transform
catches that error and runs again in the next mode. Functions being pure,
this is correct; it costs the work done before the failure (the error comes
early, on the forward evaluation, in both modes).

:func:`run_modes` applies these rules to an attempt that fails with a
missing rule of kind K ("JVP" or "VJP"):

- the primitive has no rule of either kind: the error is re-raised as it is,
  since no mode can do without it;
- the attempt applies no rules of kind K itself: the error is re-raised as it
  is. It comes from an enclosing transform's level (which falls back in turn:
  ``jacfwd(jacrev(f))`` with a VJP-only primitive becomes reverse-over-reverse
  that way), or from a ``jvp``/``vjp`` called inside the function;
- otherwise every attempt needing rules of kind K is dropped and the next one
  runs. When none is left, a :class:`~dualgrad.core.DifferentiationError` says
  what each mode lacked (it is not a ``MissingRuleError``: enclosing
  transforms do not try again).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

from ..core import shape_of, DifferentiationError, MissingRuleError, log


class Mode(NamedTuple):
    """A way to compute a transform, and the rule kinds it applies itself."""
    name: str
    needs: frozenset

    @property
    def label(self) -> str:
        return {"fwd": "forward mode", "rev": "reverse mode"}.get(self.name, self.name)


FWD = Mode("fwd", frozenset({"JVP"}))
REV = Mode("rev", frozenset({"VJP"}))


class Outcome(NamedTuple):
    """What :func:`run_modes` returns: the value, the mode that gave it, and the
    (mode, error) pairs of the attempts that could not run."""
    value: Any
    mode: Mode
    failed: list

    def note(self) -> str:
        """One sentence per fallback, for ``explain`` and the log ("" if none)."""
        return " ".join(
            f"'{e.prim.name}' has no {e.kind} rule (argument {e.argnum}), so "
            f"{self.mode.label} was used instead of {m.label}." for m, e in self.failed)


def run_modes(who: str, attempts: Sequence[tuple[Mode, Callable[[], Any]]]) -> Outcome:
    """Run the first attempt whose rules exist (see the module docstring)."""
    pending = list(attempts)
    failed: list = []
    while pending:
        mode, run = pending.pop(0)
        try:
            out = Outcome(run(), mode, failed)
        except MissingRuleError as e:
            if not e.other_mode or e.kind not in mode.needs:
                raise
            failed.append((mode, e))
            pending = [(m, r) for m, r in pending if e.kind not in m.needs]
            if not pending:
                raise _exhausted(who, failed) from e
            log.info("%s: %s has no %s rule; trying %s", who, e.prim.name, e.kind,
                     pending[0][0].label)
            continue
        if failed:
            log.info("%s: %s", who, out.note())
        return out
    raise AssertionError("run_modes needs at least one attempt")  # pragma: no cover


# ------------------------------------------------------ the other modes' forms
def grad_by_forward(unary, x, check: Callable) -> tuple:
    """``(f(x), grad f(x))`` by forward mode, for a ``unary`` with no VJP rules:
    the Jacobian of the scalar output, all n directions of ``x`` in one batched
    pass. ``check(ans)`` vets the output (scalar, real) before it is used."""
    from .directions import _jac_fwd
    from ..numpy import reshape
    from ..interpreters.reverse import like_input
    from ..core.spaces import tree_map
    ans, J = _jac_fwd(unary, x)
    check(ans)
    return ans, tree_map(lambda j, leaf: like_input(reshape(j, shape=shape_of(leaf)), leaf), J, x)


def elementwise_grad_by_forward(unary, x):
    """``J^T 1`` by forward mode: each Jacobian block summed over the output axes."""
    from ..core import peek
    from .directions import _jac_fwd
    from ..numpy import sum as np_sum
    from ..core.spaces import tree_map
    ans, J = _jac_fwd(unary, x)
    axes = tuple(range(len(shape_of(peek(ans)))))
    return tree_map(lambda j: np_sum(j, axis=axes) if axes else j, J)


def jvp_by_reverse(fun, primals: tuple, tangents: tuple) -> tuple:
    """``(f(x), J t)`` from reverse passes only, for a ``fun`` with no JVP rules.

    The map ``g -> J^T g`` (one backward pass) is linear; its own VJP, at any
    point ``g0``, applied to ``t`` is ``(J^T)^T t = J t``."""
    from ..interpreters.reverse import pull_back
    from ..core.spaces import tree_map, vspace
    ans, pull = pull_back(fun, primals)
    g0 = tree_map(lambda a: vspace(a).zeros(), ans)
    _, pull_t = pull_back(pull, (g0,))
    return ans, pull_t(tuple(tangents))[0]


def pull_back_by_forward(fun, primals: tuple) -> tuple:
    """``(f(x), vjp)`` from forward passes only, for a ``fun`` with no VJP rules
    (``vjp(g)`` is the tuple of ``J^T g`` per primal, as ``pull_back``'s).

    The map ``t -> J t`` (one forward pass) is linear; its own VJP, at any point
    ``t0``, applied to ``g`` is ``J^T g``. Reverse mode over the forward pass
    records only the tangents' arithmetic (the JVP rules), never the primitive."""
    from ..interpreters.forward import push_forward
    from ..interpreters.reverse import pull_back
    from ..core.spaces import tree_map, vspace
    seen = []

    def tangent(*ts):
        out, t = push_forward(fun, primals, ts)
        seen.append(out)
        return t
    _, pull = pull_back(tangent, tuple(tree_map(lambda p: vspace(p).zeros(), p) for p in primals))
    return seen[-1], pull


def pull_back_any(who: str, fun, primals: tuple, *, once: bool = False) -> tuple:
    """``pull_back(fun, primals)``, or its forward-mode form when a primitive has no
    VJP rule (``pull_back_by_forward``): make_vjp, vjp and grad_and_aux."""
    from ..interpreters.reverse import pull_back
    return run_modes(who, [(REV, lambda: pull_back(fun, primals, once=once)),
                           (FWD, lambda: pull_back_by_forward(fun, primals))]).value


def _exhausted(who: str, failed: list) -> DifferentiationError:
    lines = [f"{m.label} needs a {e.kind} rule for '{e.prim.name}' (argument {e.argnum}), "
             f"which is missing: register one with dualgrad.extend.def{e.kind.lower()}"
             f"({e.prim.name}, ...)." for m, e in failed]
    return DifferentiationError(f"{who} cannot run in any mode:\n  " + "\n  ".join(lines))


__all__ = ["Mode", "FWD", "REV", "Outcome", "run_modes", "grad_by_forward",
           "elementwise_grad_by_forward", "jvp_by_reverse", "pull_back_by_forward",
           "pull_back_any"]
