"""A pytest plugin (``-p jit_everywhere``) that runs every transform call of a test suite
through ``jit`` too and compares with eager.

While it is loaded, ``dualgrad.grad``, ``value_and_grad``, ``jacobian``, ``hessian``,
``vmap``, ``jvp`` and the other transforms that return values (in ``dualgrad``,
``dualgrad.transforms`` and ``dualgrad.differential_operators``, so autograd's names
under ``dualgrad.autograd_alias`` too), and ``dualgrad.test_util.check_grads``, are
replaced by versions that, at the outermost call:

1. run eagerly and return eager's answer (so the suite's own assertions still judge it);
2. trace ``jit`` of the same transform at another point of the same signature (each
   float entry nudged by 0.2%; a failing trace there is ignored), then replay it at the
   test's point and compare values, shapes and dtypes with eager's answer: a mismatch,
   or jit raising where eager returned, fails the test. ``check_grads(f)(*args)`` also
   compares ``jit(f)`` and ``jit(grad)`` of a scalar loss of ``f`` in each float argument.

The sparse tools are compared too: each outermost ``SparseJacobian.value_and_jacobian``
(so each call of a ``sparse.jacobian``) and ``SparseHessian`` call is repeated by a twin
of the tool (the same options, a fresh cache) eagerly and under ``jit``, both first at
the nudged point (where each detects its pattern) and then at the test's point, where
the replay's ``csr_array`` must equal the twin's: the same structure, dtype and entries.

NumPy's global random state is restored after each comparison (a trace must not shift
the suite's random draws). ``$DUALGRAD_JIT_TALLY`` names a file where the plugin writes
how many comparisons it made, how many replays ran without tracing again, and how many
calls it could not compare (an argument jit cannot key its cache on).
"""
from __future__ import annotations

import functools
import json
import os
import types
import warnings

import numpy as onp

import dualgrad
import dualgrad.transforms
from dualgrad import jit
from dualgrad.core import tree_flatten
from dualgrad.core.levels import _stack

VALUE_TRANSFORMS = ("grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv",
                    "jacobian", "jacfwd", "jacrev", "hessian", "hessian_tensor_product",
                    "hessian_vector_product", "tensor_jacobian_product",
                    "vector_jacobian_product", "holomorphic_grad", "grad_named", "vmap",
                    "laplacian")
ORIGINAL = {name: getattr(dualgrad.transforms, name) for name in VALUE_TRANSFORMS}
TALLY = {"compared": 0, "replayed": 0, "not_comparable": 0, "sparse_compared": 0}
_BUSY = []  # non-empty while a comparison runs (its own transform calls are not compared)


def _nudge(a):
    if isinstance(a, onp.ndarray) and a.dtype.kind in "fc":
        return a * (1 + 2e-3)
    if type(a) in (float, complex):
        return a * (1 + 2e-3)
    if isinstance(a, (list, tuple)) and type(a) in (list, tuple):
        return type(a)(_nudge(v) for v in a)
    if type(a) is dict:
        return {k: _nudge(v) for k, v in a.items()}
    return a


def _assert_same(got, want, what):
    lg, lw = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(lg) == len(lw), f"jit vs eager, {what}: {len(lg)} outputs, eager {len(lw)}"
    for g, w in zip(lg, lw):
        if _is_csr(w):
            assert _is_csr(g) and g.shape == w.shape and g.dtype == w.dtype, \
                f"jit vs eager, {what}: {g!r} != {w!r}"
            assert onp.array_equal(g.indptr, w.indptr) and \
                onp.array_equal(g.indices, w.indices), f"jit vs eager, {what}: structure"
            assert onp.allclose(g.data, w.data, rtol=1e-8, atol=1e-11, equal_nan=True), \
                f"jit vs eager, {what}: {g.data} != {w.data}"
            continue
        if not isinstance(w, (onp.ndarray, onp.generic, float, complex, int, bool)):
            assert g == w or g is w, f"jit vs eager, {what}: {g!r} != {w!r}"
            continue
        g, w = onp.asarray(g), onp.asarray(w)
        assert g.shape == w.shape, f"jit vs eager, {what}: shape {g.shape} != {w.shape}"
        assert g.dtype == w.dtype, f"jit vs eager, {what}: dtype {g.dtype} != {w.dtype}"
        if w.dtype.kind in "fc":
            assert onp.allclose(g, w, rtol=1e-8, atol=1e-11, equal_nan=True), \
                f"jit vs eager, {what}: {g} != {w}"
        elif w.dtype.kind != "O":
            assert onp.array_equal(g, w), f"jit vs eager, {what}: {g} != {w}"


def compare(fn, args, kwargs, want, what):
    """``jit(fn)``, traced at a nudged point and replayed at ``args``, gives ``want``."""
    state = onp.random.get_state()
    _BUSY.append(1)
    try:
        with warnings.catch_warnings(), onp.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            j = jit(fn)
            try:
                j._signature(args, kwargs)
            except TypeError:  # an argument jit cannot key its cache on
                TALLY["not_comparable"] += 1
                return
            try:
                j(*_nudge(args), **kwargs)
            except Exception:  # the nudged point may be outside the domain
                pass
            traces = j.traces
            try:
                got = j(*args, **kwargs)
            except Exception as exc:
                raise AssertionError(f"jit vs eager, {what}: jit raised {exc!r} where eager "
                                     "returned") from exc
        _assert_same(got, want, what)
        TALLY["compared"] += 1
        TALLY["replayed"] += j.traces == traces and traces > 0
    finally:
        _BUSY.pop()
        onp.random.set_state(state)


def _is_csr(v) -> bool:
    return type(v).__name__ == "csr_array"


def _twin(tool):
    """A sparse tool with ``tool``'s options and a fresh cache (no pattern check: the
    eager call checked it, and a replay cannot)."""
    kw = dict(order=tool.order, chunk_size=tool.chunk_size, explain=tool.explain,
              pattern=tool._given)
    if hasattr(tool, "value_and_jacobian"):
        kw["mode"] = tool.mode
    return type(tool)(tool.fun, **kw)


def compare_sparse(method, tool, x, args, kwargs, what):
    """``jit`` of a twin of ``tool`` equals the twin eagerly, both used first at a
    nudged point (where their patterns are detected), then at ``x``."""
    state = onp.random.get_state()
    _BUSY.append(1)
    try:
        with warnings.catch_warnings(), onp.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            eager, staged = _twin(tool), _twin(tool)
            j = jit(lambda x, *a, **k: method(staged, x, *a, **k))
            try:
                j._signature((x, *args), kwargs)
            except TypeError:
                TALLY["not_comparable"] += 1
                return
            try:
                method(eager, _nudge(x), *args, **kwargs)
                j(_nudge(x), *args, **kwargs)
            except Exception:  # outside the domain there: both start at x instead
                eager, staged = _twin(tool), _twin(tool)
                j = jit(lambda x, *a, **k: method(staged, x, *a, **k))
            want = method(eager, x, *args, **kwargs)
            try:
                got = j(x, *args, **kwargs)
            except Exception as exc:
                raise AssertionError(f"jit vs eager, {what}: jit raised {exc!r} where eager "
                                     "returned") from exc
        _assert_same(got, want, what)
        TALLY["sparse_compared"] += 1
    finally:
        _BUSY.pop()
        onp.random.set_state(state)


def _checked_sparse(method, what):
    @functools.wraps(method)
    def run(self, x, *args, **kwargs):
        out = method(self, x, *args, **kwargs)
        if not (_stack() or _BUSY):
            compare_sparse(method, self, x, args, kwargs, what)
        return out
    return run


def _checked_transform(name, transform):
    @functools.wraps(transform)
    def make(*targs, **tkw):
        t = transform(*targs, **tkw)
        if not isinstance(t, (types.FunctionType, functools.partial)):
            return t

        @functools.wraps(t)
        def run(*args, **kwargs):
            if _stack() or _BUSY:  # inside another transform or a comparison
                return t(*args, **kwargs)
            out = t(*args, **kwargs)
            compare(t, args, kwargs, out, name)
            return out
        return run
    return make


def _checked_jvp(jvp):
    @functools.wraps(jvp)
    def run(fun, primals, tangents, *rest, **kw):
        out = jvp(fun, primals, tangents, *rest, **kw)
        if not (_stack() or _BUSY):
            compare(lambda p, t: jvp(fun, p, t, *rest, **kw), (primals, tangents), {}, out,
                    "jvp")
        return out
    return run


def _loss(f):
    def loss(*args, **kwargs):
        total = 0.0
        for leaf in tree_flatten(f(*args, **kwargs))[0]:
            if not hasattr(leaf, "dtype") and not isinstance(leaf, (float, complex)):
                continue
            leaf = dualgrad.numpy.real(leaf) if dualgrad.numpy.iscomplexobj(leaf) else leaf
            w = onp.linspace(0.5, 1.5, max(onp.size(leaf), 1)).reshape(onp.shape(leaf))
            total = total + dualgrad.numpy.sum(w * dualgrad.numpy.cos(leaf))
        return total
    return loss


def _checked_check_grads(check_grads):
    @functools.wraps(check_grads)
    def make(fun, *cargs, **ckw):
        check = check_grads(fun, *cargs, **ckw)

        def run(*args, **kwargs):
            out = check(*args, **kwargs)
            if _stack() or _BUSY:
                return out
            with onp.errstate(all="ignore"):
                try:
                    want = fun(*args, **kwargs)
                    wants = [(i, ORIGINAL["grad"](_loss(fun), i)(*args, **kwargs))
                             for i, a in enumerate(args[:3]) if _is_float(a)]
                except Exception:  # eager refuses a loss of this output: nothing to compare
                    return out
            compare(fun, args, kwargs, want, "check_grads: f")
            for i, w in wants:
                compare(ORIGINAL["grad"](_loss(fun), i), args, kwargs, w,
                        f"check_grads: grad {i}")
            return out
        return run
    return make


def _is_float(a) -> bool:
    return (isinstance(a, (float, onp.ndarray)) and onp.asarray(a).dtype.kind == "f")


def pytest_configure(config):
    import dualgrad.differential_operators as ops
    import dualgrad.test_util as tu
    modules = (dualgrad, dualgrad.transforms, ops)
    for name, original in {**ORIGINAL, "jvp": dualgrad.transforms.jvp}.items():
        checked = _checked_jvp(original) if name == "jvp" else \
            _checked_transform(name, original)
        for m in modules:
            if getattr(m, name, None) is original:
                setattr(m, name, checked)
    tu.check_grads = _checked_check_grads(tu.check_grads)
    from dualgrad.sparse.derivatives import SparseHessian, SparseJacobian
    SparseJacobian.value_and_jacobian = _checked_sparse(SparseJacobian.value_and_jacobian,
                                                        "sparse.jacobian")
    SparseHessian.__call__ = _checked_sparse(SparseHessian.__call__, "sparse.hessian")
    dualgrad.check_grads = tu.check_grads


def pytest_unconfigure(config):
    path = os.environ.get("DUALGRAD_JIT_TALLY")
    if path:
        with open(path, "w") as fh:
            json.dump(TALLY, fh)
