"""Compatibility name: autograd's ``autograd.differential_operators``.

The transforms live in :mod:`dualgrad.transforms`; this module re-exports them
under autograd's module name so ``from autograd.differential_operators import
...`` keeps working after changing the import. ``make_jvp_reversemode`` (autograd
builds a JVP from two reverse passes) is dualgrad's true forward-mode
``make_jvp``: same results.
"""
from .transforms import (checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named,
                         hessian, hessian_tensor_product, hessian_vector_product,
                         holomorphic_grad, jacobian, make_ggnvp, make_hvp, make_jvp, make_vjp,
                         multigrad_dict, tensor_jacobian_product, value_and_grad,
                         vector_jacobian_product)

make_jvp_reversemode = make_jvp

__all__ = ["checkpoint", "deriv", "elementwise_grad", "grad", "grad_and_aux", "grad_named",
           "hessian", "hessian_tensor_product", "hessian_vector_product", "holomorphic_grad",
           "jacobian", "make_ggnvp", "make_hvp", "make_jvp", "make_jvp_reversemode",
           "make_vjp", "multigrad_dict", "tensor_jacobian_product", "value_and_grad",
           "vector_jacobian_product"]
