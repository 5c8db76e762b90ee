"""Compressed evaluation: ``J S`` (k JVPs) or ``S^T J`` (k VJPs over one tape),
or ``H S`` (k Hessian-vector products), for all k seed directions in ONE
batched pass (``dualgrad.interpreters.batching``), in chunks of at most ``chunk_size``
directions (by default, as many as keep each batched array under
``AUTO_CHUNK_ELEMENTS`` numbers). A function whose rules cannot be batched
falls back to one pass per direction (correct, slower)."""
from __future__ import annotations

import logging

import numpy as onp

from ..interpreters.batching import BatchingError, BatchLevel, batch_unwrap, batch_wrap
from ..core import getval
from ..interpreters.forward import push_forward
from ..interpreters.reverse import pull_back

log = logging.getLogger("dualgrad")


# Without chunk_size, a pass carries at most this many numbers per batched array
# (directions x the larger of input and output size): 128 MB of float64.
AUTO_CHUNK_ELEMENTS = 2 ** 24


def _chunks(k: int, chunk_size, width: int):
    if not chunk_size:
        chunk_size = max(1, AUTO_CHUNK_ELEMENTS // max(width, 1))
    step = min(k, int(chunk_size))
    return [(s, min(s + step, k)) for s in range(0, k, max(step, 1))]


def _as_rows(v, rows: int) -> onp.ndarray:
    return onp.asarray(getval(v), dtype=float).reshape(rows, -1)


def real_output(ans, who: str):
    """``ans`` itself, after checking it is one real array (what the sparse tools need)."""
    if isinstance(ans, (tuple, list, dict)):
        raise TypeError(f"{who}: the function must return one array, not a "
                        f"{type(ans).__name__}; concatenate the raveled outputs.")
    if onp.result_type(getval(ans)).kind == "c":
        raise TypeError(f"{who}: the function returned complex values; sparse Jacobians "
                        "are real. Return the real and imaginary parts concatenated.")
    return ans


def forward_products(fun, x, seeds, chunk_size=None):
    """``(f(x), T)``: T (k x m) stacks the JVPs ``J s`` for the rows s of ``seeds`` (k x n)."""
    k = seeds.shape[0]
    if k == 0:
        ans = fun(x)
        return ans, onp.zeros((0, onp.size(getval(ans))))
    try:
        ans, parts = None, []
        for a, b in _chunks(k, chunk_size, x.size):
            with BatchLevel.new(b - a) as level:
                s = batch_wrap(level, seeds[a:b].reshape((b - a,) + x.shape))
                ans, t = push_forward(fun, (x,), (s,))
                real_output(ans, "sparse jacobian")
                parts.append(_as_rows(batch_unwrap(level, t), b - a))
        return ans, onp.concatenate(parts)
    except BatchingError:
        log.debug("sparse jacobian: a JVP rule cannot be batched; one pass per colour")
    rows = []
    for s in seeds:
        ans, t = push_forward(fun, (x,), (s.reshape(x.shape),))
        rows.append(onp.asarray(getval(t), dtype=float).ravel())
    return ans, onp.stack(rows)


def reverse_products(fun, x, seeds, chunk_size=None):
    """``(f(x), R)``: R (k x n) stacks the VJPs ``s^T J`` for the rows s of ``seeds``
    (k x m), all pulled back through one tape."""
    ans, pull = pull_back(fun, (x,))
    out_shape = onp.shape(getval(real_output(ans, "sparse jacobian")))
    k, n = seeds.shape[0], x.size
    if k == 0:
        return ans, onp.zeros((0, n))
    try:
        parts = []
        for a, b in _chunks(k, chunk_size, max(n, seeds.shape[1])):
            with BatchLevel.new(b - a) as level:
                g = batch_wrap(level, seeds[a:b].reshape((b - a,) + out_shape))
                parts.append(_as_rows(batch_unwrap(level, pull(g)[0]), b - a))
        return ans, onp.concatenate(parts)
    except BatchingError:
        log.debug("sparse jacobian: a VJP rule cannot be batched; one pass per colour")
    rows = [onp.asarray(getval(pull(s.reshape(out_shape))[0]), dtype=float).ravel()
            for s in seeds]
    return ans, onp.stack(rows)


def seeds_of(colour, k: int) -> onp.ndarray:
    """The k x n 0/1 matrix: row c is the sum of the unit vectors of colour c."""
    s = onp.zeros((k, len(colour)))
    s[onp.asarray(colour), onp.arange(len(colour))] = 1.0
    return s
