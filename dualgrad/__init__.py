"""dualgrad: derivatives of Python + NumPy code, in forward and reverse mode.

>>> import dualgrad.numpy as np
>>> from dualgrad import grad
>>> float(grad(lambda x: x ** 3)(2.0))
12.0
"""
from . import numpy  # noqa: F401  (loads the rules and the wrapped namespace)
from .transforms import (ModeChoice, checkpoint, deriv, elementwise_grad, grad,
                         grad_and_aux, grad_named, hessian, hessian_tensor_product,
                         hessian_vector_product, holomorphic_grad, jacfwd, jacobian, jacrev,
                         jit, jvp, make_ggnvp, make_hvp, make_jvp, make_vjp, multigrad_dict,
                         pick_mode, tensor_jacobian_product, value_and_grad,
                         vector_jacobian_product, vjp, vmap, stop_gradient, custom_jvp,
                         custom_vjp, jet, derivatives, taylor, laplacian, linearize,
                         linear_transpose)
from .builtins import dict, isinstance, list, tuple, type  # autograd exports these too
from .core import primitive, notrace_primitive, register_pytree_node
from .core.errors import PerformanceWarning
from .extend import defjvp, defvjp
from .test_util import check_grads
from . import sparse  # noqa: F401  (dualgrad.sparse: sparse Jacobians; scipy loaded on use)
from .sparse import linear_operator

__version__ = "0.1.0"

__all__ = ["grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv", "make_jvp",
           "make_vjp", "vector_jacobian_product", "tensor_jacobian_product", "jacobian",
           "jacfwd", "jacrev", "hessian", "hessian_tensor_product", "hessian_vector_product",
           "make_hvp", "make_ggnvp", "holomorphic_grad", "multigrad_dict", "grad_named",
           "checkpoint", "jit", "jvp", "vjp", "jet", "derivatives", "taylor", "laplacian",
           "linearize", "linear_transpose", "pick_mode", "ModeChoice", "vmap", "primitive",
           "notrace_primitive", "defjvp", "defvjp", "check_grads", "linear_operator",
           "PerformanceWarning", "isinstance", "type", "tuple", "list", "dict", "stop_gradient",
           "custom_jvp", "custom_vjp", "register_pytree_node"]
