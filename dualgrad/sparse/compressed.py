"""Compressed evaluation: ``J S`` (k JVPs) or ``S^T J`` (k VJPs over one tape),
or ``H S`` (k Hessian-vector products), for all k seed directions in ONE
batched pass (``dualgrad.interpreters.batching``), in chunks of at most ``chunk_size``
directions (by default, as many as keep each batched array under
``AUTO_CHUNK_ELEMENTS`` numbers). A function whose rules cannot be batched
falls back to one pass per direction (correct, slower).

The products are plain arrays of the input's dtype. A product that depends on a
value traced by an enclosing transform (``f`` closes over ``grad``'s input) is
refused (:func:`plain`): a ``scipy.sparse`` matrix cannot carry its derivative,
and dropping it would be a silently wrong derivative. A value of a ``jit`` trace is
not refused: the pass is recorded (its reshapes and concatenations too), and the
replay runs it as NumPy calls."""
from __future__ import annotations


import numpy as onp

from ..interpreters.batching import (BatchingError, BatchLevel, batch_unwrap, batch_wrap,
                                     warn_fallback, warn_loops)
from .. import numpy as dnp
from ..core import TraceError, Tracer, getval, peek
from ..interpreters.forward import push_forward
from ..interpreters.pending import Pending
from ..interpreters.reverse import pull_back



# Without chunk_size, a pass carries at most this many numbers per batched array
# (directions x the larger of input and output size): 128 MB of float64.
AUTO_CHUNK_ELEMENTS = 2 ** 24

# what to use instead, inside a transform, for each sparse tool
DENSE = {"sparse.jacobian": "the dense dualgrad.jacobian(f)(x) (or jacfwd / jacrev)",
         "sparse.hessian": "the dense dualgrad.hessian(f)(x)",
         "linear_operator": "dualgrad.jvp(f, (x,), (v,)) for J v and dualgrad.vjp(f, x) for "
                            "J^T u"}


def traced(v) -> bool:
    """Whether ``v`` is traced by a transform (a pending array is a constant)."""
    return isinstance(v, Tracer) and not isinstance(v, Pending)


def staged(v) -> bool:
    """Whether ``v`` is a value of a ``jit`` trace (recorded, never differentiated)."""
    return isinstance(v, Tracer) and v._quiet


def traced_error(who: str, what: str, value=None) -> TypeError:
    if staged(value):  # a jit trace's value, where the tool cannot be recorded
        return TraceError(
            f"{who}: jit cannot record a {who} (its answer is a scipy LinearOperator of "
            "closures, not arrays); call it outside jit, or jit the products themselves: "
            f"{DENSE[who]}.")
    return TypeError(
        f"{who}: {what} is traced by an enclosing transform (grad, jvp, vmap, ...), but its "
        "result is a scipy object that cannot carry a derivative, and dropping it would make "
        f"that transform's answer silently wrong. Inside a transform, use {DENSE[who]}, which "
        "is differentiable; keep the sparse tool outside (on plain arrays).")


def plain(v, who: str):
    """``v`` as a plain array, refusing one that depends on an enclosing transform's value
    (a value of a jit trace is kept as it is: what is done with it is recorded)."""
    if traced(v):
        if staged(v):
            return v
        raise traced_error(who, "the derivative depends on a value that")
    return onp.asarray(getval(v))


def _joined(parts: list, stack: bool = False):
    """``parts`` concatenated (stacked), recorded as one step when they are a jit trace's."""
    if not stack and len(parts) == 1:
        return parts[0]
    if any(staged(p) for p in parts):
        return dnp.stack(parts) if stack else dnp.concatenate(parts)
    return onp.stack(parts) if stack else onp.concatenate(parts)


def _chunks(k: int, chunk_size, width: int):
    if not chunk_size:
        chunk_size = max(1, AUTO_CHUNK_ELEMENTS // max(width, 1))
    step = min(k, int(chunk_size))
    return [(s, min(s + step, k)) for s in range(0, k, max(step, 1))]


def _as_rows(v, rows: int, who: str) -> onp.ndarray:
    return plain(v, who).reshape(rows, -1)


def real_output(ans, who: str):
    """``ans`` itself, after checking it is one real array (what the sparse tools need)."""
    one_array(ans, who)
    if onp.result_type(peek(ans)).kind == "c":
        raise TypeError(f"{who}: the function returned complex values; sparse Jacobians "
                        "are real. Return the real and imaginary parts concatenated.")
    return ans


def one_array(ans, who: str):
    if isinstance(ans, (tuple, list, dict)):
        raise TypeError(f"{who}: the function must return one array, not a "
                        f"{type(ans).__name__}; concatenate the raveled outputs.")
    return ans


def forward_products(fun, x, seeds, chunk_size=None, *, check=real_output,
                     who="sparse.jacobian"):
    """``(f(x), T)``: T (k x m) stacks the JVPs ``J s`` for the rows s of ``seeds`` (k x n).
    ``check(ans, who)`` vets the output before the products are read."""
    k = seeds.shape[0]
    if k == 0:
        ans = check(fun(x), who)
        return ans, onp.zeros((0, onp.size(peek(ans))), x.dtype)
    try:
        ans, parts = None, []
        for a, b in _chunks(k, chunk_size, x.size):
            with BatchLevel.new(b - a) as level:
                s = batch_wrap(level, seeds[a:b].reshape((b - a,) + x.shape))
                ans, t = push_forward(fun, (x,), (s,))
                check(ans, who)
                parts.append(_as_rows(batch_unwrap(level, t), b - a, who))
            warn_loops(f"{who} (forward)", level, "colours")
        return ans, _joined(parts)
    except BatchingError as e:
        warn_fallback(f"{who} (forward)", k, e, "colours")
    rows = []
    for s in seeds:
        ans, t = push_forward(fun, (x,), (s.reshape(x.shape),))
        check(ans, who)
        rows.append(plain(t, who).ravel())
    return ans, _joined(rows, stack=True)


def reverse_products(fun, x, seeds, chunk_size=None, *, check=real_output,
                     who="sparse.jacobian", tape=None):
    """``(f(x), R)``: R (k x n) stacks the VJPs ``s^T J`` for the rows s of ``seeds``
    (k x m), all pulled back through one tape (``tape``: ``pull_back(fun, (x,))``
    already recorded). ``check(ans, who)`` vets the output before it is seeded."""
    ans, pull = tape or pull_back(fun, (x,))
    out_shape = onp.shape(peek(check(ans, who)))
    k, n = seeds.shape[0], x.size
    if k == 0:
        return ans, onp.zeros((0, n), x.dtype)
    try:
        parts = []
        for a, b in _chunks(k, chunk_size, max(n, seeds.shape[1])):
            with BatchLevel.new(b - a) as level:
                g = batch_wrap(level, seeds[a:b].reshape((b - a,) + out_shape))
                parts.append(_as_rows(batch_unwrap(level, pull(g)[0]), b - a, who))
            warn_loops(f"{who} (reverse)", level, "colours")
        return ans, _joined(parts)
    except BatchingError as e:
        warn_fallback(f"{who} (reverse)", k, e, "colours")
    rows = [plain(pull(s.reshape(out_shape))[0], who).ravel() for s in seeds]
    return ans, _joined(rows, stack=True)


def seeds_of(colour, k: int, dtype=float) -> onp.ndarray:
    """The k x n 0/1 matrix: row c is the sum of the unit vectors of colour c
    (colour -1: a direction seeded by no row)."""
    colour = onp.asarray(colour)
    s = onp.zeros((k, len(colour)), dtype)
    seeded = onp.nonzero(colour >= 0)[0]
    s[colour[seeded], seeded] = 1
    return s
