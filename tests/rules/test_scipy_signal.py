"""scipy.signal.convolve: values equal scipy's in every mode and dimension, and
derivatives in both inputs in both modes to order 2."""
from __future__ import annotations

import numpy as onp
import pytest
import scipy.signal as ssig

import dualgrad.scipy.signal as ds
from dualgrad import grad, jvp
from dualgrad.core import DifferentiationError
from dualgrad.test_util import check_grads

SHAPES = [((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((4, 3), (2, 2)), ((2, 2), (4, 3)),
          ((3, 4), (2, 5)), ((3, 2, 4), (2, 2, 3)), ((1, 2, 2), (3, 3, 1))]


def _valid_possible(sa, sb):
    return all(x >= y for x, y in zip(sa, sb)) or all(y >= x for x, y in zip(sa, sb))


@pytest.mark.parametrize("sa, sb", SHAPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve(sa, sb, mode):
    rng = onp.random.RandomState(len(sa) + sa[0])
    a, b = rng.randn(*sa), rng.randn(*sb)
    f = lambda a, b: ds.convolve(a, b, mode=mode)  # noqa: E731
    if mode == "valid" and not _valid_possible(sa, sb):
        with pytest.raises(ValueError):
            jvp(f, (a, b), (a, b))
        return
    assert onp.allclose(jvp(f, (a, b), (a, b))[0], ssig.convolve(a, b, mode=mode))
    check_grads(f, order=2)(a, b)


def test_complex_convolution():
    rng = onp.random.RandomState(1)
    a = rng.randn(4) + 1j * rng.randn(4)
    b = rng.randn(3) + 1j * rng.randn(3)
    f = lambda a, b: ds.convolve(a, b, mode="same")  # noqa: E731
    assert onp.allclose(jvp(f, (a, b), (a, b))[0], ssig.convolve(a, b, mode="same"))
    check_grads(f, order=1)(a, b)


def test_convolve_against_autograd():
    autograd = pytest.importorskip("autograd")
    from autograd.scipy.signal import convolve as ag_convolve
    rng = onp.random.RandomState(2)
    a, b = rng.randn(5, 4), rng.randn(3, 2)
    for mode in ("full", "valid"):
        ours = grad(lambda a, b: (ds.convolve(a, b, mode=mode) ** 2).sum(), (0, 1))(a, b)
        theirs = autograd.grad(lambda a, b: (ag_convolve(a, b, mode=mode) ** 2).sum(),
                               (0, 1))(a, b)
        assert all(onp.allclose(o, t) for o, t in zip(ours, theirs))


def test_other_signal_functions_refuse_traced_values():
    with pytest.raises(DifferentiationError, match="scipy.signal.correlate"):
        grad(lambda a: ds.correlate(a, onp.ones(2)).sum())(onp.ones(3))


# autograd's generalised convolution: axes / dot_axes (its convnet example's layout)
GENERAL = [((5, 4), (3, 2), None, [(), ()]),
           ((2, 3, 6, 6), (3, 4, 3, 3), ([2, 3], [2, 3]), ([1], [0])),
           ((2, 7), (3, 4), ([1], [1]), [(), ()]),
           ((4, 5), (3, 5), ([0], [0]), ([1], [1]))]


@pytest.mark.parametrize("sa, sb, axes, dot_axes", GENERAL)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_generalised_convolve_matches_autograd(sa, sb, axes, dot_axes, mode):
    autograd = pytest.importorskip("autograd")
    from autograd.scipy.signal import convolve as ag_convolve
    rng = onp.random.RandomState(3)
    a, b = rng.randn(*sa), rng.randn(*sb)
    kw = dict(axes=axes, dot_axes=dot_axes, mode=mode)
    assert onp.allclose(ds.convolve(a, b, **kw), ag_convolve(a, b, **kw))
    w = rng.randn(*onp.shape(ag_convolve(a, b, **kw)))
    ours = grad(lambda a, b: (ds.convolve(a, b, **kw) * w).sum(), (0, 1))(a, b)
    theirs = autograd.grad(lambda a, b: (ag_convolve(a, b, **kw) * w).sum(), (0, 1))(a, b)
    assert all(onp.allclose(o, t) for o, t in zip(ours, theirs))


@pytest.mark.parametrize("mode", ["full", "valid"])
def test_generalised_convolve_check_grads(mode):
    rng = onp.random.RandomState(4)
    a, b = rng.randn(2, 2, 4, 3), rng.randn(2, 3, 2, 2)
    f = lambda a, b: ds.convolve(a, b, axes=([2, 3], [2, 3]), dot_axes=([1], [0]),  # noqa: E731
                                 mode=mode)
    check_grads(f, order=2)(a, b)
