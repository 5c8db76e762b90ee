"""scipy.signal.convolve: n-dimensional convolution, every mode.

Convolution is bilinear, so every mode is the 'full' convolution followed by
a slice (a linear map with a known transpose, the getitem rule):
  full:  c[n] = Σ_k a[k] b[n - k],  shape a + b - 1
  valid: the part where one input covers the other, shape |a - b| + 1
  same:  the centred part with a's shape
Rules of the full convolution:
  JVP: conv(da, b) + conv(a, db)
  VJP: ā[k] = Σ_n g[n] b[n - k] = conv(g, flip(b))[b-1 : b-1+a]   (and the same for b̄)
"""
from __future__ import annotations

import scipy.signal as ssig

from ..core import Primitive, Tracer
from ._helpers import shape_of
from .complex import cast_like
from .shape import flip, getitem


def _full(a, b):
    return ssig.convolve(a, b, mode="full", method="direct")


def _window(x, starts, sizes):
    return getitem(x, tuple(slice(s, s + n) for s, n in zip(starts, sizes)))


def _full_vjp(g, other, own):
    """Cotangent of one factor: the 'valid' correlation of g with the other factor."""
    starts = [n - 1 for n in shape_of(other)]
    return cast_like(_window(convolve_full(g, flip(other)), starts, shape_of(own)), own)


convolve_full = Primitive(_full, "convolve")
convolve_full.def_jvp(lambda t, ans, a, b: convolve_full(t, b), argnum=0)
convolve_full.def_jvp(lambda t, ans, a, b: convolve_full(a, t), argnum=1)
convolve_full.def_vjp(lambda g, ans, a, b: _full_vjp(g, b, a), argnum=0, reads="b")
convolve_full.def_vjp(lambda g, ans, a, b: _full_vjp(g, a, b), argnum=1, reads="a")


def _mode_window(sa, sb, mode):
    full = [x + y - 1 for x, y in zip(sa, sb)]
    if mode == "full":
        return [0] * len(full), full
    if mode == "same":
        return [(f - x) // 2 for f, x in zip(full, sa)], list(sa)
    if mode == "valid":
        if not (all(x >= y for x, y in zip(sa, sb)) or all(y >= x for x, y in zip(sa, sb))):
            raise ValueError("For 'valid' mode, one must be at least as large as the other "
                             "in every dimension")
        return [min(x, y) - 1 for x, y in zip(sa, sb)], [abs(x - y) + 1 for x, y in zip(sa, sb)]
    raise ValueError(f"Acceptable mode flags are 'valid', 'same', or 'full', not {mode!r}.")


def convolve(in1, in2, mode="full", method="auto", *, axes=None, dot_axes=((), ())):
    """scipy.signal.convolve, differentiable in both inputs, for every mode.

    With autograd's keyword arguments ``axes=(axes of in1, axes of in2)`` (the
    convolved axes) and ``dot_axes`` (axes summed over, as in tensordot), it is
    autograd's generalised convolution: the output axes are in1's other axes,
    then in2's other axes, then the convolved axes.
    """
    generalised = axes is not None or any(len(d) for d in dot_axes)
    if not generalised and not isinstance(in1, Tracer) and not isinstance(in2, Tracer):
        return ssig.convolve(in1, in2, mode=mode, method=method)
    if generalised:
        return _general_convolve(in1, in2, axes, dot_axes, mode)
    sa, sb = shape_of(in1), shape_of(in2)
    if len(sa) != len(sb):
        raise ValueError("in1 and in2 should have the same dimensionality")
    starts, sizes = _mode_window(sa, sb, mode)
    out = convolve_full(in1, in2)
    return out if mode == "full" else _window(out, starts, sizes)


# The generalised form reuses the n-d full convolution by laying the axes out as
#   in1: [own other axes, 1 ... 1, dot axes, conv axes]
#   in2: [1 ... 1, own other axes, dot axes (flipped), conv axes]
# A length-1 axis convolved with a length-m one is an outer product, and along a
# dot axis of length D the full convolution with one factor flipped holds
# Σ_d a[d] b[d] at index D - 1.
def _general_convolve(a, b, axes, dot_axes, mode):
    from .shape import reshape, transpose
    na, nb = len(shape_of(a)), len(shape_of(b))
    conv_a, conv_b = ((tuple(range(na)), tuple(range(nb))) if axes is None
                      else (tuple(axes[0]), tuple(axes[1])))
    dot_a, dot_b = tuple(dot_axes[0]), tuple(dot_axes[1])
    if len(conv_a) != len(conv_b) or len(dot_a) != len(dot_b):
        raise ValueError("axes and dot_axes must pair up the same number of axes of in1 and in2")
    ign_a = tuple(i for i in range(na) if i not in conv_a + dot_a)
    ign_b = tuple(i for i in range(nb) if i not in conv_b + dot_b)
    sa, sb = shape_of(a), shape_of(b)
    pick = lambda s, ax: tuple(s[i] for i in ax)  # noqa: E731
    a2 = reshape(transpose(a, ign_a + dot_a + conv_a),
                 shape=pick(sa, ign_a) + (1,) * len(ign_b) + pick(sa, dot_a) + pick(sa, conv_a))
    b2 = reshape(transpose(b, ign_b + dot_b + conv_b),
                 shape=(1,) * len(ign_a) + pick(sb, ign_b) + pick(sb, dot_b) + pick(sb, conv_b))
    n_ign, n_dot = len(ign_a) + len(ign_b), len(dot_a)
    if n_dot:
        b2 = flip(b2, axis=tuple(range(n_ign, n_ign + n_dot)))
    full = convolve_full(a2, b2)
    starts, sizes = _mode_window(pick(sa, conv_a), pick(sb, conv_b), mode)
    idx = ((slice(None),) * n_ign + tuple(n - 1 for n in pick(sa, dot_a))
           + tuple(slice(s, s + n) for s, n in zip(starts, sizes)))
    return getitem(full, idx)


SIGNAL = dict(convolve=convolve)
__all__: list[str] = []  # scipy names are not numpy names: not part of RULES
