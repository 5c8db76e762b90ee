"""autograd.numpy.numpy_boxes: ``ArrayBox``, the box of an array or a number.

``isinstance(x, ArrayBox)`` is True for every dualgrad tracer (of either mode), and
``ArrayBox(value, trace, node)`` makes one, as the box makers autograd code registers in
``Box.type_mappings`` do (PennyLane's ``tensor_to_arraybox``).
"""
from __future__ import annotations

import numpy as np  # noqa: F401  (autograd's namespace)

from .. import numpy as anp  # noqa: F401
from ..builtins import type as type_  # noqa: F401
from ..core import primitive  # noqa: F401
from ._refuse import refuser
from .tracer import Box, SequenceBox, make_box, trace_primitives_map  # noqa: F401


class ArrayBox(Box):
    """autograd's box of an array or a number (see the module's doc)."""

    _dualgrad_box_root = True
    _dualgrad_face = False

    def __new__(cls, value, trace, node):
        return make_box(value, trace, node, face=None if cls is ArrayBox else cls)


# autograd's lists of the ndarray methods its ArrayBox forwards (numbers: none; others:
# differentiable); dualgrad's tracers have all of them (dualgrad.rules.methods).
nondiff_methods = ["all", "any", "argmax", "argmin", "argpartition", "argsort", "nonzero",
                   "searchsorted", "round"]
diff_methods = ["clip", "compress", "cumprod", "cumsum", "diagonal", "max", "mean", "min",
                "prod", "ptp", "ravel", "repeat", "reshape", "squeeze", "std", "sum", "swapaxes",
                "take", "trace", "transpose", "var"]

__getattr__ = refuser(__name__, {
    "method_name": "a loop variable of autograd's module body, not a value; the methods it "
                   "loops over are dualgrad's tracer methods (nondiff_methods, diff_methods).",
})

__all__ = ["ArrayBox", "Box", "SequenceBox", "nondiff_methods", "diff_methods"]
