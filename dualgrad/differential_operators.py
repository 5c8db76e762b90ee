"""Compatibility name: autograd's ``autograd.differential_operators``.

The transforms live in :mod:`dualgrad.transforms`; this module re-exports them
under autograd's module name so ``from autograd.differential_operators import
...`` keeps working after changing the import. ``make_jvp_reversemode(f)(x)`` returns,
as autograd's does, ``v -> J v`` (the tangent alone, not ``(f(x), J v)`` as
``make_jvp``); autograd builds it from two reverse passes, dualgrad runs
forward mode, or two reverse passes when some primitive has no JVP rule.
"""
from .transforms import (checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named,
                         hessian, hessian_tensor_product, hessian_vector_product,
                         holomorphic_grad, jacobian, make_ggnvp, make_hvp, make_jvp, make_vjp,
                         multigrad_dict, tensor_jacobian_product, value_and_grad,
                         vector_jacobian_product)


def make_jvp_reversemode(fun, argnum=0):
    """``make_jvp_reversemode(f)(*args)(v) = J v`` (autograd's signature).

    >>> import numpy
    >>> float(make_jvp_reversemode(numpy.sin)(0.0)(2.0))
    2.0
    """
    def jvp_maker(*args, **kwargs):
        jvp_at = make_jvp(fun, argnum)(*args, **kwargs)
        return lambda v: jvp_at(v)[1]
    return jvp_maker


__all__ = ["checkpoint", "deriv", "elementwise_grad", "grad", "grad_and_aux", "grad_named",
           "hessian", "hessian_tensor_product", "hessian_vector_product", "holomorphic_grad",
           "jacobian", "make_ggnvp", "make_hvp", "make_jvp", "make_jvp_reversemode",
           "make_vjp", "multigrad_dict", "tensor_jacobian_product", "value_and_grad",
           "vector_jacobian_product"]
