"""autograd.numpy.numpy_vspaces: the vector spaces of arrays and numbers.

``ArrayVSpace`` is dualgrad's (real or complex: ``iscomplex`` says which);
``ComplexArrayVSpace`` is its complex face, as autograd names it. The spaces of numpy's
named-tuple results (``EigResultVSpace``...) are dualgrad's container space.
"""
from __future__ import annotations

import numpy as np

from ..builtins import type as type_  # noqa: F401  (autograd's namespace)
from ..core import ArrayVSpace, ContainerVSpace, VSpace  # noqa: F401

NamedTupleVSpace = EigResultVSpace = EighResultVSpace = QRResultVSpace = ContainerVSpace
SlogdetResultVSpace = SVDResultVSpace = ContainerVSpace


class ComplexArrayVSpace(ArrayVSpace):
    """The space of a complex array (dualgrad's ArrayVSpace of a complex value)."""

    def __init__(self, value):
        super().__init__(value)
        if not self.iscomplex:  # autograd's constructor takes a real value as complex
            self.dtype = np.result_type(self.dtype, np.complex64)
            self.iscomplex = True
            self.size *= 2


__all__ = ["ArrayVSpace", "ComplexArrayVSpace", "VSpace", "NamedTupleVSpace", "EigResultVSpace",
           "EighResultVSpace", "QRResultVSpace", "SlogdetResultVSpace", "SVDResultVSpace"]
