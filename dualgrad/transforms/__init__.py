"""Transforms (layer 4): grad, jacobian, hessian, jvp, vjp, vmap and friends.

Names and signatures follow autograd (``argnum`` may be an int or a tuple);
new options are keyword-only. ``jvp``/``vjp`` also exist in JAX's form.

- ``transform``: the prologue every transform shares (argnum lifting, input checks, naming);
- ``gradients``: reverse mode (grad, value_and_grad, elementwise_grad, make_vjp, ...);
- ``products``: Jacobian- and Hessian-vector products (jvp, vjp, make_jvp, make_hvp, ...);
- ``jacobian``: jacobian, jacfwd, jacrev, hessian and the mode choice (``pick_mode``);
- ``vmap``: batching over a leading axis; ``checkpoint``: recomputed tapes;
- ``custom``: stop_gradient, custom_jvp and custom_vjp (JAX's), on the extension API;
- ``taylor``: Taylor mode (``jet``, ``derivatives``, ``taylor``): K derivatives in one pass;
- ``jit``: trace once per input signature, replay the recorded program;
- ``directions``, ``complex_layouts``, ``fallback``, ``checks``: their machinery.
"""
from .gradients import (elementwise_grad, grad, grad_and_aux, grad_named, holomorphic_grad,
                        make_vjp, multigrad_dict, value_and_grad)
from .jacobian import ModeChoice, hessian, jacfwd, jacobian, jacrev, pick_mode
from .products import (deriv, hessian_tensor_product, hessian_vector_product, jvp, make_ggnvp,
                       make_hvp, make_jvp, tensor_jacobian_product, vector_jacobian_product, vjp)
from .checkpoint import checkpoint
from .custom import custom_jvp, custom_vjp, stop_gradient
from .vmap import vmap
from .linearize import linear_transpose, linearize
from .taylor import derivatives, jet, laplacian, taylor
from .jit import jit

__all__ = ["grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv", "make_jvp",
           "make_vjp", "vector_jacobian_product", "tensor_jacobian_product", "jacobian",
           "jacfwd", "jacrev", "hessian", "hessian_tensor_product", "hessian_vector_product",
           "make_hvp", "make_ggnvp", "holomorphic_grad", "multigrad_dict", "grad_named",
           "checkpoint", "jvp", "vjp", "pick_mode", "ModeChoice", "vmap", "stop_gradient",
           "custom_jvp", "custom_vjp", "jet", "derivatives", "taylor", "laplacian",
           "linearize", "linear_transpose", "jit"]
