"""The extension API: autograd's forms of defvjp/defjvp/def_linear and friends."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import deriv, grad, hessian, make_vjp
from dualgrad.core import DifferentiationError
from dualgrad.extend import (def_linear, defjvp, defjvp_argnum, defvjp, defvjp_argnum,
                             primitive)
from dualgrad.test_util import check_grads


@primitive
def cube(x):
    return x ** 3


defvjp(cube, lambda ans, x: lambda g: g * 3 * x ** 2)
defjvp(cube, lambda g, ans, x: g * 3 * x ** 2)


def test_user_primitive_both_modes_and_second_order():
    check_grads(cube, order=2)(onp.array([0.5, -1.2]))
    assert hessian(lambda x: np.sum(cube(x)))(onp.array([2.0])) == pytest.approx(12.0)


@primitive
def scaled_sum(a, b, scale=1.0):
    return scale * (a + 2 * b)


defvjp_argnum(scaled_sum, lambda argnum, ans, args, kwargs:
              lambda g: g * kwargs.get("scale", 1.0) * (1.0 if argnum == 0 else 2.0))
defjvp_argnum(scaled_sum, lambda argnum, g, ans, args, kwargs:
              g * kwargs.get("scale", 1.0) * (1.0 if argnum == 0 else 2.0))


def test_argnum_forms():
    check_grads(lambda a, b: scaled_sum(a, b, scale=3.0), order=2)(0.3, 0.7)
    assert grad(scaled_sum, 1)(1.0, 1.0, scale=2.0) == 4.0


@primitive
def double(x):
    return 2 * x


def_linear(double, transpose=lambda argnum, g, ans, x: 2 * g)


def test_def_linear():
    check_grads(double, order=2)(onp.array([1.0, 2.0]))


@primitive
def fwd_only(x):
    return x * 2


def_linear(fwd_only)  # autograd's form: JVP only


def test_def_linear_without_transpose_is_forward_only():
    assert deriv(fwd_only)(1.0) == 2.0
    assert grad(fwd_only)(1.0) == 2.0  # grad falls back to forward mode
    with pytest.raises(DifferentiationError, match="No VJP rule for 'fwd_only'"):
        make_vjp(fwd_only)(1.0)


def test_rules_need_a_primitive():
    with pytest.raises(TypeError, match="primitive"):
        defvjp(lambda x: x, lambda ans, x: lambda g: g)


def test_primitive_hides_its_inside():
    calls = []

    @primitive
    def opaque(x):
        calls.append(type(x))
        return onp.sin(x)  # plain numpy inside: fine, because it is a primitive
    defvjp(opaque, lambda ans, x: lambda g: g * np.cos(x))
    defjvp(opaque, lambda g, ans, x: g * np.cos(x))
    assert grad(opaque)(0.0) == 1.0
    assert calls == [float]
