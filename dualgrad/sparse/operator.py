"""``linear_operator(f, x)``: the Jacobian of ``f`` at ``x`` as a matrix-free
``scipy.sparse.linalg.LinearOperator``: ``matvec`` is a JVP, ``rmatvec`` a VJP
(over one tape, recorded once), ``matmat`` all columns in one batched pass.
No Jacobian is formed, so Jacobian-free Newton-Krylov methods
(``scipy.optimize.newton_krylov``, ``scipy.sparse.linalg.gmres``) use it directly."""
from __future__ import annotations

from typing import Callable

import numpy as onp

from ..core import getval


def linear_operator(fun: Callable, x) -> "scipy.sparse.linalg.LinearOperator":
    """The Jacobian ``J = df/dx`` at ``x`` as a ``LinearOperator`` of shape
    ``(f(x).size, x.size)``: ``J @ v`` (``matvec``) is the JVP along ``v``,
    ``J.T @ u`` (``rmatvec``) the VJP of ``u``. Vectors are raveled in C order.

    >>> import dualgrad.numpy as np
    >>> import numpy
    >>> J = linear_operator(lambda x: x ** 2, np.array([1.0, 2.0]))
    >>> J @ numpy.array([1.0, 1.0])
    array([2., 4.])
    """
    from scipy.sparse.linalg import LinearOperator

    from ..interpreters.forward import push_forward
    from ..interpreters.reverse import pull_back
    from .compressed import forward_products, real_output, reverse_products
    from ..interpreters.sparsity import _check_input

    x = _check_input(x, "linear_operator")
    ans, pull = pull_back(fun, (x,))  # one tape, reused by every rmatvec
    out_shape = onp.shape(getval(real_output(ans, "linear_operator")))
    m = int(onp.prod(out_shape, dtype=int))

    def matvec(v):
        t = push_forward(fun, (x,), (onp.asarray(v, float).reshape(x.shape),))[1]
        return onp.asarray(getval(t), dtype=float).ravel()

    def rmatvec(u):
        g = pull(onp.asarray(u, float).reshape(out_shape))[0]
        return onp.asarray(getval(g), dtype=float).ravel()

    def matmat(V):
        return forward_products(fun, x, onp.asarray(V, float).T)[1].T

    def rmatmat(U):
        return reverse_products(fun, x, onp.asarray(U, float).T)[1].T

    return LinearOperator((m, x.size), matvec=matvec, rmatvec=rmatvec, matmat=matmat,
                          rmatmat=rmatmat, dtype=float)
