"""Products and contractions: matmul, tensordot, einsum (and dot, inner, outer,
trace, diagonal, diag written with them).

Every product here is bilinear, so its JVP is ``f(dA, B) + f(A, dB)`` and the
VJP for one operand contracts the cotangent with the other operand(s). Under
the complex convention (VJP = g * df/dA for holomorphic maps) no conjugates
appear.
"""
from __future__ import annotations

import string

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ..core import ANY, Primitive, Tracer
from ._helpers import broadcast_to, composite, shape_of, unbroadcast
from ._helpers import ndim_of as _nd
from .complex import cast_like
from .elementwise import multiply
from .reductions import sum
from .shape import getitem, moveaxis, reshape, swapaxes, transpose, untake



# C = A @ B  (stacks of matrices; 1-D operands are promoted and squeezed as numpy does)
#   JVP: dA @ B + A @ dB        VJP: g @ B^T,  A^T @ g   (then summed over broadcast)
def _matmul(a, b):
    if (type(a) is onp.ndarray and type(b) is onp.ndarray and a.ndim > 2 and b.ndim >= 2
            and a.shape[-1] == 1 and b.shape[-2] == 1):
        # A stack of outer products (contraction length 1: each entry is one product,
        # no sum), as per-example weight gradients are: numpy's matmul loops over the
        # stack one tiny product at a time, a broadcast multiply is one pass, and the
        # numbers are the same.
        return onp.multiply(a, b)
    return onp.matmul(a, b)


def _promoted(g, a, b):
    """The cotangent as a stack of matrices: numpy turns a 1-D ``a`` into a row
    (1, k) and a 1-D ``b`` into a column (k, 1), then drops that axis."""
    a1, b1 = _nd(a) == 1, _nd(b) == 1
    g2 = reshape(g, shape=shape_of(g) + (1,)) if b1 else g
    g2 = reshape(g2, shape=shape_of(g2)[:-1] + (1,) + shape_of(g2)[-1:]) if a1 else g2
    return g2, a1, b1


def _repeated(g, axis: int) -> bool:
    """``g`` is a plain array whose lines along ``axis`` are one line repeated (a zero
    stride: the broadcast cotangent of a sum or a mean). numpy's matmul copies such an
    operand to a full contiguous buffer first, so the VJPs below contract one line."""
    return type(g) is onp.ndarray and g.ndim >= 2 and g.shape[axis] > 1 and g.strides[axis] == 0


def _matmul_vjp_a(g, ans, a, b):  # reads b only (a: its shape)
    g2, a1, b1 = _promoted(g, a, b)
    b2 = reshape(b, shape=shape_of(b) + (1,)) if b1 else b
    bt = swapaxes(b2, -1, -2)
    if _repeated(g2, -2):    # every row of g is g[0]: so is every row of g @ b^T
        row = matmul(g2[..., :1, :], bt)
        ga = broadcast_to(row, shape=shape_of(row)[:-2] + (g2.shape[-2], shape_of(row)[-1]))
    elif _repeated(g2, -1):  # g[i, j] = c_i: (g @ b^T)[i] = c_i * (row sums of b)^T
        ga = matmul(g2[..., :1], swapaxes(sum(b2, axis=-1, keepdims=True), -1, -2))
    else:
        ga = matmul(g2, bt)
    return unbroadcast(getitem(ga, (Ellipsis, 0, slice(None))) if a1 else ga, a)


def _matmul_vjp_b(g, ans, a, b):  # reads a only (b: its shape)
    g2, a1, b1 = _promoted(g, a, b)
    a2 = reshape(a, shape=(1,) + shape_of(a)) if a1 else a
    at = swapaxes(a2, -1, -2)
    if _repeated(g2, -1):    # every column of g is g[:, 0]: so is every column of a^T @ g
        col = matmul(at, g2[..., :1])
        gb = broadcast_to(col, shape=shape_of(col)[:-1] + (g2.shape[-1],))
    elif _repeated(g2, -2):  # g[i, j] = r_j: (a^T @ g)[k, j] = (column sums of a)_k r_j
        gb = matmul(swapaxes(sum(a2, axis=-2, keepdims=True), -1, -2), g2[..., :1, :])
    else:
        gb = matmul(at, g2)
    return unbroadcast(getitem(gb, (Ellipsis, 0)) if b1 else gb, b)


matmul = Primitive(_matmul, "matmul")
matmul.def_jvp(lambda t, ans, a, b: matmul(t, b), argnum=0)
matmul.def_jvp(lambda t, ans, a, b: matmul(a, t), argnum=1)
matmul.def_vjp(_matmul_vjp_a, argnum=0, reads="b")
matmul.def_vjp(_matmul_vjp_b, argnum=1, reads="a")


# C = tensordot(A, B, axes): contract A's axes a_ax with B's b_ax.
#   VJP A: contract g with B over B's free axes, then put A's axes back in order.
def _norm_axes(a_nd, b_nd, axes):
    if isinstance(axes, (int, onp.integer)):
        a_ax, b_ax = list(range(a_nd - axes, a_nd)), list(range(axes))
    else:
        a_ax, b_ax = axes
        a_ax = [a_ax] if isinstance(a_ax, (int, onp.integer)) else list(a_ax)
        b_ax = [b_ax] if isinstance(b_ax, (int, onp.integer)) else list(b_ax)
    return ([normalize_axis_index(i, a_nd) for i in a_ax],
            [normalize_axis_index(i, b_nd) for i in b_ax])


def _tensordot(a, b, axes=2):
    return onp.tensordot(a, b, axes)


def _tensordot_vjp_a(g, ans, a, b, axes=2):
    a_ax, b_ax = _norm_axes(_nd(a), _nd(b), axes)
    a_free = [i for i in range(_nd(a)) if i not in a_ax]
    b_free = [i for i in range(_nd(b)) if i not in b_ax]
    n = len(a_free)
    ga = tensordot(g, b, axes=(list(range(n, n + len(b_free))), b_free))
    got = a_free + [a_ax[j] for j in onp.argsort(b_ax)]
    return cast_like(transpose(ga, tuple(onp.argsort(got))), a)


def _tensordot_vjp_b(g, ans, a, b, axes=2):
    a_ax, b_ax = _norm_axes(_nd(a), _nd(b), axes)
    a_free = [i for i in range(_nd(a)) if i not in a_ax]
    b_free = [i for i in range(_nd(b)) if i not in b_ax]
    gb = tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    got = [b_ax[j] for j in onp.argsort(a_ax)] + b_free
    return cast_like(transpose(gb, tuple(onp.argsort(got))), b)


tensordot = Primitive(_tensordot, "tensordot")
tensordot.def_jvp(lambda t, ans, a, b, axes=2: tensordot(t, b, axes), argnum=0)
tensordot.def_jvp(lambda t, ans, a, b, axes=2: tensordot(a, t, axes), argnum=1)
tensordot.def_vjp(_tensordot_vjp_a, argnum=0, reads="b")
tensordot.def_vjp(_tensordot_vjp_b, argnum=1, reads="a")


# ------------------------------------------------------------------ einsum
# out = einsum("ij,jk->ik", A, B).  Multilinear: the JVP replaces one operand by
# its tangent; the VJP for operand i is an einsum of g with the other operands
# into operand i's subscripts. Two cases need care: an index repeated within
# operand i (a diagonal: an identity matrix joins the einsum) and an index found
# only in operand i (summed away: a ones vector joins to broadcast it back).
_LETTERS = string.ascii_letters


def _parse(subscripts: str, shapes) -> tuple[list[str], str]:
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins, out = subscripts, None
    ins = ins.split(",")
    if "..." in subscripts:
        used = set(subscripts) - set(".,->")
        free = [c for c in _LETTERS if c not in used]
        n_ell = max(len(s) - (len(sub) - 3) for sub, s in zip(ins, shapes) if "..." in sub)
        ell = "".join(free[:n_ell])
        ins = [sub.replace("...", ell[n_ell - (len(s) - (len(sub) - 3)):]) if "..." in sub else sub
               for sub, s in zip(ins, shapes)]
        if out is not None:
            out = out.replace("...", ell)
        else:
            out = ell + "".join(sorted(c for c in set("".join(ins)) - set(ell)
                                       if "".join(ins).count(c) == 1))
    if out is None:
        joined = "".join(ins)
        out = "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    return ins, out


def _einsum(subscripts, *operands, **kw):
    return onp.einsum(subscripts, *operands, **kw)


def _einsum_jvp(argnum, t, ans, subscripts, *operands, **kw):
    ops = list(operands)
    ops[argnum - 1] = t  # argument 0 is the subscripts string
    return einsum_prim(subscripts, *ops, **kw)


def _einsum_vjp(argnum, g, ans, subscripts, *operands, **kw):
    shapes = [shape_of(o) for o in operands]
    ins, out = _parse(subscripts, shapes)
    target = ins[argnum - 1]
    sizes = {}
    for sub, s in zip(ins, shapes):  # a label of size 1 may broadcast against a larger one
        for c, n in zip(sub, s):
            sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]
    others = [o for j, o in enumerate(operands) if j != argnum - 1]
    other_subs = [s for j, s in enumerate(ins) if j != argnum - 1]
    spare = iter(c for c in _LETTERS if c not in sizes)
    new_target, extra_ops, extra_subs, seen = "", [], [], set()
    for c in target:
        if c in seen:  # repeated index: a fresh letter tied to c by an identity matrix
            d = next(spare)
            extra_ops.append(onp.eye(sizes[c]))
            extra_subs.append(c + d)
            new_target += d
        else:
            seen.add(c)
            new_target += c
    available = set(out).union(*map(set, other_subs), *map(set, extra_subs))
    for c in set(target):
        if c not in available:
            extra_ops.append(onp.ones(sizes[c]))
            extra_subs.append(c)
    spec = ",".join([out] + other_subs + extra_subs) + "->" + new_target
    gx = einsum_prim(spec, g, *others, *extra_ops, **_vjp_kw(kw))
    # a label this operand has at full size but every other one at size 1 comes out
    # of size 1: the term is the same all along it, so broadcast it back
    target_shape = shapes[argnum - 1]
    if any(a == 1 < b for a, b in zip(shape_of(gx), target_shape)):
        gx = broadcast_to(gx, tuple(max(a, b) for a, b in zip(shape_of(gx), target_shape)))
    # unbroadcast: sums labels the operand broadcast (size 1) and, like cast_like,
    # keeps a real operand's cotangent real even when others are complex.
    return unbroadcast(gx, operands[argnum - 1])


def _vjp_kw(kw):
    return {k: v for k, v in kw.items() if k == "optimize"}


einsum_prim = Primitive(_einsum, "einsum")
einsum_prim.def_jvp(_einsum_jvp, argnum=ANY)
einsum_prim.def_vjp(_einsum_vjp, argnum=ANY, reads="others")


def einsum(*operands, **kw):
    """numpy.einsum, differentiable in every operand (string or interleaved form)."""
    if not isinstance(operands[0], str):
        arrays, subs = operands[0:-1:2], operands[1::2]
        out = operands[-1] if len(operands) % 2 else None
        to_s = lambda ix: "".join("..." if i is Ellipsis else _LETTERS[i] for i in ix)
        spec = ",".join(map(to_s, subs)) + ("" if out is None else "->" + to_s(out))
        operands = (spec,) + tuple(arrays)
    if not any(isinstance(o, Tracer) for o in operands[1:]):
        return onp.einsum(*operands, **kw)
    subscripts, arrays = operands[0], operands[1:]
    ins, out = _parse(subscripts, [shape_of(a) for a in arrays])
    return einsum_prim(",".join(ins) + "->" + out, *arrays, **kw)


# ------------------------------------------------------ written with the above
@composite(onp.dot)
def dot(a, b, out=None):
    if _nd(a) == 0 or _nd(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([_nd(a) - 1], [max(_nd(b) - 2, 0)]))


@composite(onp.inner)
def inner(a, b):
    if _nd(a) == 0 or _nd(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


@composite(onp.outer)
def outer(a, b, out=None):
    return multiply(reshape(a, shape=(-1, 1)), reshape(b, shape=(1, -1)))


@composite(onp.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1):
    m = moveaxis(a, (axis1, axis2), (-2, -1))
    n1, n2 = shape_of(m)[-2:]
    i = onp.arange(max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2)))
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    return getitem(m, (Ellipsis, rows, cols))


@composite(onp.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


@composite(onp.diag)
def diag(v, k=0):
    if _nd(v) == 2:
        return diagonal(v, k)
    n = shape_of(v)[0] + abs(k)
    i = onp.arange(shape_of(v)[0])
    idx = (i, i + k) if k >= 0 else (i - k, i)
    return untake(v, idx, (n, n))


__all__ = ["matmul", "tensordot", "einsum", "einsum_prim", "dot", "inner", "outer",
           "diagonal", "trace", "diag"]
