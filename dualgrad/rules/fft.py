"""numpy.fft: discrete Fourier transforms (all linear) and shifts.

Three primitives do all the work, each along one axis: ``fft_p`` (complex
fft/ifft), ``rfft_p`` and ``irfft_p``; the 2-D/n-D, Hermitian and shift
functions are written with them. Each transform is linear, so its JVP is the
same transform of the tangent. Its VJP is the transpose in the bilinear sense
(rules/complex.py: VJP(g) = conj(Jᵀ conj g), Jᵀ the real adjoint):

* ``n`` first cuts or zero-pads the input to length N; the transpose of that
  (``_fit``) zero-pads or cuts the cotangent back to the input's length.
* The DFT matrix W[j, k] = exp(-2πi jk/N) is symmetric, so the transpose of
  ``fft`` is ``fft`` itself, with the same ``norm`` scale (likewise ``ifft``).
* ``rfft`` keeps bins 0..N//2 of a real input's fft: its VJP is
  Re(fft(g zero-padded to N bins)).
* ``irfft`` reads bins 0..N//2 (the imaginary parts of bin 0, and of bin N/2
  for even N, are ignored) and every other bin k stands for itself and its
  mirror N-k:  x_t = scale * Σ_k w_k Re(Y_k e^{2πikt/N}),  w = 1 at bins 0 and
  N/2, 2 elsewhere. Its VJP is w ∘ ifft(g)[:N//2+1] (the same ``norm`` scale),
  fitted back to the number of input bins: the doubling of non-edge bins lives
  here.
"""
from __future__ import annotations

import functools

import numpy as onp
from numpy.lib.array_utils import normalize_axis_index

from ..core import holds_tracer, Primitive, peek
from ._helpers import shape_of
from ._helpers import no_out as _no_out
from .complex import cast_like, conj, real
from .elementwise import multiply
from .shape import concatenate, getitem



def _index(ndim, axis, idx):
    return (slice(None),) * normalize_axis_index(axis, ndim) + (idx,)


def _fit(x, n, axis):
    """``x`` cut or zero-padded to length ``n`` along ``axis`` (what ``n=`` does)."""
    shape = shape_of(x)
    ax = normalize_axis_index(axis, len(shape))
    if n == shape[ax]:
        return x
    if n < shape[ax]:
        return getitem(x, _index(len(shape), ax, slice(0, n)))
    pad = shape[:ax] + (n - shape[ax],) + shape[ax + 1:]
    return concatenate([x, onp.zeros(pad, onp.result_type(peek(x)))], axis=ax)


def _along(vec, axis, ndim):
    """A 1-D array shaped to broadcast along ``axis`` of an ``ndim``-array."""
    shape = [1] * ndim
    shape[normalize_axis_index(axis, ndim)] = len(vec)
    return onp.reshape(vec, shape)


def _length(x, n, axis):
    return shape_of(x)[axis] if n is None else n


# y = fft(fit(x, N)) (or ifft): linear.   JVP: the same transform of dx.
#   VJP: fit(fft(g), len(x))  — W is symmetric, the norm scale is a scalar.
def _fft(x, n=None, axis=-1, norm=None, inverse=False):
    return (onp.fft.ifft if inverse else onp.fft.fft)(x, n, axis, norm)


fft_p = Primitive(_fft, "fft")
fft_p.def_jvp(lambda t, ans, x, n=None, axis=-1, norm=None, inverse=False:
              fft_p(t, n=n, axis=axis, norm=norm, inverse=inverse))
fft_p.def_vjp(lambda g, ans, x, n=None, axis=-1, norm=None, inverse=False:
              cast_like(_fit(fft_p(g, axis=axis, norm=norm, inverse=inverse),
                             shape_of(x)[axis], axis), x), reads=())


# y = rfft(x): bins 0..N//2 of fft(fit(x, N)).   VJP: fit(Re fft(fit(g, N)), len(x))
def _rfft_vjp(g, ans, x, n=None, axis=-1, norm=None):
    N = _length(x, n, axis)
    full = fft_p(_fit(g, N, axis), axis=axis, norm=norm)
    return cast_like(_fit(real(full), shape_of(x)[axis], axis), x)


rfft_p = Primitive(lambda x, n=None, axis=-1, norm=None: onp.fft.rfft(x, n, axis, norm), "rfft")
rfft_p.def_jvp(lambda t, ans, x, n=None, axis=-1, norm=None: rfft_p(t, n=n, axis=axis, norm=norm))
rfft_p.def_vjp(_rfft_vjp, reads=())


# x = irfft(Y, N): real.   VJP: fit(w ∘ ifft(g)[:N//2+1], len(Y)),  w = (1, 2, ..., 2, 1|2)
def _irfft_vjp(g, ans, y, n=None, axis=-1, norm=None):
    N = shape_of(ans)[axis]
    bins = N // 2 + 1
    w = onp.full(bins, 2.0)
    w[0] = 1.0
    if N % 2 == 0:
        w[-1] = 1.0
    half = _fit(fft_p(g, axis=axis, norm=norm, inverse=True), bins, axis)
    weighted = multiply(half, _along(w, axis, len(shape_of(g))))
    return cast_like(_fit(weighted, shape_of(y)[axis], axis), y)


irfft_p = Primitive(lambda y, n=None, axis=-1, norm=None: onp.fft.irfft(y, n, axis, norm), "irfft")
irfft_p.def_jvp(lambda t, ans, y, n=None, axis=-1, norm=None: irfft_p(t, n=n, axis=axis, norm=norm))
irfft_p.def_vjp(_irfft_vjp, reads=())


# ------------------------------------------------------------------ 1-D public functions
def fft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.fft."""
    if not holds_tracer(a):
        return onp.fft.fft(a, n, axis, norm, out)
    _no_out(out, "fft")
    return fft_p(a, n=n, axis=axis, norm=norm)


def ifft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.ifft."""
    if not holds_tracer(a):
        return onp.fft.ifft(a, n, axis, norm, out)
    _no_out(out, "ifft")
    return fft_p(a, n=n, axis=axis, norm=norm, inverse=True)


def rfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.rfft."""
    if not holds_tracer(a):
        return onp.fft.rfft(a, n, axis, norm, out)
    _no_out(out, "rfft")
    return rfft_p(a, n=n, axis=axis, norm=norm)


def irfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.irfft."""
    if not holds_tracer(a):
        return onp.fft.irfft(a, n, axis, norm, out)
    _no_out(out, "irfft")
    return irfft_p(a, n=n, axis=axis, norm=norm)


# hfft(a) = irfft(conj a) and ihfft(a) = conj(rfft(a)), with the norm direction swapped
# (numpy's own definitions).
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.hfft."""
    if not holds_tracer(a):
        return onp.fft.hfft(a, n, axis, norm, out)
    _no_out(out, "hfft")
    return irfft_p(conj(a), n=n, axis=axis, norm=_SWAP[norm])


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """numpy.fft.ihfft."""
    if not holds_tracer(a):
        return onp.fft.ihfft(a, n, axis, norm, out)
    _no_out(out, "ihfft")
    return conj(rfft_p(a, n=n, axis=axis, norm=_SWAP[norm]))


# ------------------------------------------------------------------ n-D: one axis at a time
def _cook(a, s, axes, inverse_real=False):
    """numpy's defaults for s and axes (numpy.fft._pocketfft._cook_nd_args): s[i] = -1
    means the input's length, None the 1-D transform's default."""
    shape = shape_of(a)
    shapeless = s is None
    if shapeless:
        s = list(shape) if axes is None else [shape[ax] for ax in axes]
    s = list(s)
    if axes is None:
        axes = list(range(-len(s), 0))
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if inverse_real and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    return [shape[ax] if m == -1 else m for m, ax in zip(s, axes)], list(axes)


def _fftn(a, s, axes, norm, inverse, order=-1):
    for m, ax in list(zip(s, axes))[::order]:
        a = fft_p(a, n=m, axis=ax, norm=norm, inverse=inverse)
    return a


def fftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.fftn."""
    if not holds_tracer(a):
        return onp.fft.fftn(a, s, axes, norm, out)
    _no_out(out, "fftn")
    return _fftn(a, *_cook(a, s, axes), norm, False)


def ifftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.ifftn."""
    if not holds_tracer(a):
        return onp.fft.ifftn(a, s, axes, norm, out)
    _no_out(out, "ifftn")
    return _fftn(a, *_cook(a, s, axes), norm, True)


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.fft2."""
    return fftn(a, s, axes, norm, out)


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.ifft2."""
    return ifftn(a, s, axes, norm, out)


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.rfftn: rfft along the last axis, then fft along the others."""
    if not holds_tracer(a):
        return onp.fft.rfftn(a, s, axes, norm, out)
    _no_out(out, "rfftn")
    s, axes = _cook(a, s, axes)
    a = rfft_p(a, n=s[-1], axis=axes[-1], norm=norm)
    return _fftn(a, s[:-1], axes[:-1], norm, False)


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """numpy.fft.irfftn: ifft along all axes but the last, then irfft along it."""
    if not holds_tracer(a):
        return onp.fft.irfftn(a, s, axes, norm, out)
    _no_out(out, "irfftn")
    s, axes = _cook(a, s, axes, inverse_real=True)
    a = _fftn(a, s[:-1], axes[:-1], norm, True, order=1)
    return irfft_p(a, n=s[-1], axis=axes[-1], norm=norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.rfft2."""
    return rfftn(a, s, axes, norm, out)


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """numpy.fft.irfft2."""
    return irfftn(a, s, axes, norm, out)


# ------------------------------------------------------------------ shifts: permutations
def _shift(x, axes, sign):
    shape = shape_of(x)
    if axes is None:
        axes = tuple(range(len(shape)))
    elif isinstance(axes, (int, onp.integer)):
        axes = (axes,)
    for ax in axes:
        n = shape[normalize_axis_index(ax, len(shape))]
        x = getitem(x, _index(len(shape), ax, onp.roll(onp.arange(n), sign * (n // 2))))
    return x


def fftshift(x, axes=None):
    """numpy.fft.fftshift (a permutation: getitem's rules)."""
    return _shift(x, axes, 1) if holds_tracer(x) else onp.fft.fftshift(x, axes)


def ifftshift(x, axes=None):
    """numpy.fft.ifftshift."""
    return _shift(x, axes, -1) if holds_tracer(x) else onp.fft.ifftshift(x, axes)


# fftfreq(n, d) = k / (n d) for the integers k numpy lists: differentiable in the spacing d
# (a pass-through would give a silently zero derivative). Same arithmetic as numpy's.
def _freqs(numpy_fun, k_of_n):
    def fun(n, d=1.0, device=None):
        if not holds_tracer(d):
            return numpy_fun(n, d, device=device)
        numpy_fun(n)  # numpy's checks of n
        return onp.asarray(k_of_n(n)) * (1.0 / multiply(n, d))

    functools.update_wrapper(fun, numpy_fun)  # numpy's name, docstring and module
    return fun


fftfreq = _freqs(onp.fft.fftfreq, lambda n: onp.r_[0:(n - 1) // 2 + 1, -(n // 2):0])
rfftfreq = _freqs(onp.fft.rfftfreq, lambda n: onp.arange(n // 2 + 1))


FFT = dict(fftfreq=fftfreq, rfftfreq=rfftfreq, fft=fft, ifft=ifft, fft2=fft2, ifft2=ifft2, fftn=fftn, ifftn=ifftn,
           rfft=rfft, irfft=irfft, rfft2=rfft2, irfft2=irfft2, rfftn=rfftn, irfftn=irfftn,
           hfft=hfft, ihfft=ihfft, fftshift=fftshift, ifftshift=ifftshift)
__all__: list[str] = []  # numpy.fft names only
