"""Jacobians by directions: the stacked tangents J e_k (forward mode) or the
stacked cotangents e_k^T J (reverse mode), and their assembly into arrays
shaped ``out.shape + x.shape``. ``transforms.jacobian`` decides which mode.

Both modes run in one batched pass (dualgrad.interpreters.batching): jacfwd pushes all
input directions through one evaluation, jacrev pulls all output directions
through one backward pass over one tape. ``batch=False`` keeps the loop (one
pass per direction); ``chunk_size`` bounds the directions per pass.
"""
from __future__ import annotations

import os

import numpy as onp

from ..interpreters.batching import (BatchingError, BatchLevel, batch_unwrap, batch_wrap,
                                     warn_fallback, warn_loops)
from .complex_layouts import _is_complex, complex_columns, complex_rows
from ..core import shape_of, peek
from ..interpreters.forward import push_forward
from ..interpreters.reverse import pull_back
from ..core.spaces import tree_flatten, tree_map, tree_unflatten, vspace


# ---------------------------------------------------------------- dense size limit
# The largest dense Jacobian ``jacobian`` builds, in bytes. ``None``: a quarter of the
# memory available when it is called (a batched pass holds a few arrays of the
# Jacobian's size at once: the seeds, the tangents, the assembled result), or no
# limit where that cannot be read. Set it (or the environment variable
# ``DUALGRAD_MAX_DENSE_BYTES``) to a number of bytes to allow more, or less.
MAX_DENSE_BYTES: int | None = None


def dense_limit() -> int | None:
    """The byte limit on a dense Jacobian: ``MAX_DENSE_BYTES``, else the environment
    variable ``DUALGRAD_MAX_DENSE_BYTES``, else a quarter of the available memory."""
    limit = _set_limit()
    return limit if limit is not None else _memory_limit()


def _set_limit() -> int | None:
    """The limit the user set (``MAX_DENSE_BYTES`` or the environment), or None."""
    if MAX_DENSE_BYTES is not None:
        return int(MAX_DENSE_BYTES)
    if os.environ.get("DUALGRAD_MAX_DENSE_BYTES"):
        return int(float(os.environ["DUALGRAD_MAX_DENSE_BYTES"]))
    return None


def _memory_limit() -> int | None:
    """A quarter of the available memory (read from the system: 0.1 ms), or None."""
    try:
        with open("/proc/meminfo") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
        return kib * 1024 // 4
    except (OSError, StopIteration, ValueError):
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
        except (AttributeError, OSError, ValueError):
            return None


# Far below a quarter of any machine's memory: a Jacobian this small needs no reading.
_FAR_BELOW = 16 * 2 ** 20


def _gib(n: float) -> str:
    return f"{n / 2 ** 30:.1f} GiB" if n >= 2 ** 30 else f"{n / 2 ** 20:.1f} MiB"


def check_dense(n_out: int, n_in: int, who: str = "jacobian") -> None:
    """Refuse, before allocating, a dense ``n_out x n_in`` Jacobian (real directions,
    8 bytes each) larger than :func:`dense_limit`, naming its size and what to use."""
    size = 8 * n_out * n_in
    limit = _set_limit()
    if limit is None:
        if size <= _FAR_BELOW:
            return
        limit = _memory_limit()
    if limit is None or size <= limit:
        return
    raise MemoryError(
        f"{who}: the dense Jacobian would be {n_out} x {n_in} numbers, {_gib(size)}, over "
        f"the limit of {_gib(limit)} (a quarter of the available memory, or "
        "dualgrad.transforms.directions.MAX_DENSE_BYTES). Ask for less than the whole "
        "matrix: dualgrad.elementwise_grad(f) for the diagonal of an elementwise f, "
        "dualgrad.sparse.jacobian(f) for a sparse Jacobian, dualgrad.linear_operator(f, x) "
        "for products J @ v and J.T @ u without forming J. To build it anyway, set "
        "dualgrad.transforms.directions.MAX_DENSE_BYTES (or the environment variable "
        "DUALGRAD_MAX_DENSE_BYTES) to a larger number of bytes.")


def _chunks(n: int, chunk_size: int | None):
    step = n if not chunk_size or chunk_size >= n else int(chunk_size)
    return [(s, min(s + step, n)) for s in range(0, n, step)]


def _basis(v, start: int, stop: int):
    """Rows ``start:stop`` of the standard basis of ``v``'s real space, stacked
    on a leading axis of each leaf: e_k, then 1j*e_k for the complex entries of
    a leaf (the order of ``vspace(v).flatten``)."""
    leaves, td = tree_flatten(v)
    out, k = [], 0
    for leaf in leaves:
        sp = vspace(leaf)
        block = onp.zeros((stop - start, sp.size))
        lo, hi = max(start, k), min(stop, k + sp.size)
        if lo < hi:
            block[onp.arange(lo - start, hi - start), onp.arange(lo - k, hi - k)] = 1.0
        if sp.dtype == object:  # mpmath numbers: each direction as MP values (sp's own)
            rows = onp.empty((stop - start,) + sp.shape, dtype=onp.object_)
            for i, row in enumerate(block):
                rows[i] = sp.unflatten(row)
            out.append(rows)
            k += sp.size
            continue
        if sp.iscomplex:
            half = sp.size // 2
            block = block[:, :half] + 1j * block[:, half:]
        out.append(block.reshape((stop - start,) + sp.shape).astype(sp.dtype, copy=False))
        k += sp.size
    return tree_unflatten(td, out)


def _concat0(parts):
    """Per leaf, the chunks' stacked directions joined along axis 0."""
    if len(parts) == 1:
        return parts[0]
    from ..numpy import concatenate
    return tree_map(lambda *ps: concatenate(ps, axis=0), *parts)


def _directions_fwd(unary, x, batch: bool, chunk_size):
    """(f(x), T): T stacks the output tangents J e_k, one per input real direction."""
    n = vspace(x).size
    if batch and n > 0:
        check_dense(min(n, chunk_size or n), n)  # the seeds: a basis of the input space
        try:
            return _directions_fwd_batched(unary, x, n, chunk_size)
        except BatchingError as e:  # a rule read a tangent's values: loop instead
            warn_fallback("jacobian (forward mode)", n, e, "input directions")
    ans, cols = None, []
    for seed in vspace(x).standard_basis():
        ans, t = push_forward(unary, (x,), (seed,))
        cols.append(t)
    ans = unary(x) if ans is None else ans
    from ..numpy import stack
    return ans, (stack(cols, axis=0) if cols else onp.zeros((0,) + shape_of(ans)))


def _directions_fwd_batched(unary, x, n, chunk_size):
    parts = []
    for start, stop in _chunks(n, chunk_size):
        with BatchLevel.new(stop - start) as level:
            seeds = batch_wrap(level, _basis(x, start, stop))
            ans, t = push_forward(unary, (x,), (seeds,))
            parts.append(batch_unwrap(level, t))
        if start == 0 and stop < n:  # the output's size is known now: all of J would be
            check_dense(vspace(ans).size, n)
        warn_loops("jacobian (forward mode)", level, "input directions")
    return ans, _concat0(parts)


def _directions_rev(unary, x, batch: bool, chunk_size):
    """(f(x), R): R (shaped like x) stacks the input cotangents e_k^T J, one per
    output real direction, all from one tape."""
    ans, pull = pull_back(unary, (x,))
    ys = vspace(ans)
    check_dense(ys.size, vspace(x).size)
    if ys.size == 1:  # one direction: no batch axis needed
        return ans, tree_map(lambda r: _lead1(r), pull(ys.ones())[0])
    if batch and ys.size > 0:
        try:
            return ans, _directions_rev_batched(ans, pull, ys.size, chunk_size)
        except BatchingError as e:  # a rule read a cotangent's values: loop instead
            warn_fallback("jacobian (reverse mode)", ys.size, e, "output directions")
    rows = [pull(e)[0] for e in ys.standard_basis()]
    if not rows:
        return ans, tree_map(lambda l: onp.zeros((0,) + shape_of(l)), x)
    from ..numpy import stack
    return ans, tree_map(lambda *rs: stack(rs, axis=0), *rows)


def _directions_rev_batched(ans, pull, m, chunk_size):
    parts = []
    for start, stop in _chunks(m, chunk_size):
        with BatchLevel.new(stop - start) as level:
            g = batch_wrap(level, _basis(ans, start, stop))
            parts.append(batch_unwrap(level, pull(g)[0]))
        warn_loops("jacobian (reverse mode)", level, "output directions")
    return _concat0(parts)


def _lead1(r):
    from ..numpy import reshape
    return reshape(r, shape=(1,) + shape_of(r))


def _assemble_fwd(ans, x, T):
    """Jacobian blocks, ``ans.shape + leaf.shape`` per leaf of ``x``, from the
    stacked tangents ``T`` (N input real directions first)."""
    from ..numpy import moveaxis, reshape
    out_shape = shape_of(ans)
    Jt = moveaxis(T, 0, -1)
    leaves, td = tree_flatten(x)
    blocks, k = [], 0
    for leaf in leaves:
        n = vspace(leaf).size
        block = Jt[..., k:k + n]
        k += n
        block = complex_columns(block, leaf, ans)  # complex leaf: du/dx - i du/dy
        blocks.append(reshape(block, shape=out_shape + shape_of(leaf)))
    return tree_unflatten(td, blocks)


def _assemble_rev(ans, x, R):
    """Jacobian blocks, ``ans.shape + leaf.shape`` per leaf of ``x``, from the
    stacked cotangents ``R`` (M output real directions first, per leaf)."""
    from ..numpy import reshape
    out_shape = shape_of(ans)

    def block(r, leaf):
        r = complex_rows(r, leaf, ans)  # complex output: see complex_layouts.py
        return reshape(r, shape=out_shape + shape_of(leaf))
    return tree_map(block, R, x)


def _jac_fwd(unary, x, batch: bool = True, chunk_size=None):
    ans, T = _directions_fwd(unary, x, batch, chunk_size)
    return ans, _assemble_fwd(ans, x, T)


def _jac_rev(unary, x, batch: bool = True, chunk_size=None):
    ans, R = _directions_rev(unary, x, batch, chunk_size)
    return ans, _assemble_rev(ans, x, R)


# ----------------------------------------------------------- container outputs
class OutputTree:
    """Lets the Jacobian machinery (which wants one output array) serve a function
    returning a tuple/list/dict: ``flat`` concatenates the raveled output leaves,
    ``split`` cuts the Jacobian back into one block per output leaf, nested as
    output structure, then input structure (as JAX does)."""

    def __init__(self, unary):
        self.unary = unary
        self.treedef = None

    def flat(self, xv):
        out = self.unary(xv)
        leaves, td = tree_flatten(out)
        if self.treedef is None:
            self.treedef = td
            self.shapes = [shape_of(l) for l in leaves]
            self.real = [not _is_complex(l) for l in leaves]
        if td.kind is None:
            return out
        if not leaves:
            raise TypeError("jacobian: the function returned an empty container; it needs "
                            "at least one array output.")
        from ..numpy import concatenate, ravel
        return concatenate([ravel(l) for l in leaves])

    def split(self, J, x):
        if self.treedef is None or self.treedef.kind is None:
            return J
        from ..numpy import real, reshape
        blocks, k = [], 0
        for shape, is_real in zip(self.shapes, self.real):
            n = int(onp.prod(shape, dtype=int))

            def cut(Jl, leaf, k=k, n=n, shape=shape, is_real=is_real):
                b = reshape(Jl[k:k + n], shape=shape + shape_of(leaf))
                return real(b) if is_real and _is_complex(b) else b
            blocks.append(tree_map(cut, J, x))
            k += n
        return tree_unflatten(self.treedef, blocks)
