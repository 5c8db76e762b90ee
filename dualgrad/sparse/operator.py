"""``linear_operator(f, x)``: the Jacobian of ``f`` at ``x`` as a matrix-free
``scipy.sparse.linalg.LinearOperator``: ``matvec`` is a JVP, ``rmatvec`` a VJP
(over one tape, recorded once), ``matmat``/``rmatmat`` all columns in one batched
pass. No Jacobian is formed, so Jacobian-free Newton-Krylov methods
(``scipy.optimize.newton_krylov``, ``scipy.sparse.linalg.gmres``) use it directly.

Complex numbers follow scipy's conventions for a complex matrix ``J``:
``L @ v = J v`` is complex-linear in ``v``; ``rmatvec`` is the adjoint,
``L.H @ u = J^H u = conj(J)^T u``; ``L.T @ u = J^T u`` (scipy conjugates
rmatvec twice). dualgrad's own VJP of a complex output is ``Re(J^T g)`` for a
real ``x`` (autograd's convention), so ``J^H u`` takes two of them:
``vjp(conj u) + i vjp(i conj u)``."""
from __future__ import annotations

from typing import Callable

import numpy as onp

from ..core import getval
from ..interpreters.reverse import pull_back
from ..transforms.fallback import FWD, REV, jvp_by_reverse, run_modes
from .compressed import forward_products, one_array, plain, reverse_products, traced, \
    traced_error

WHO = "linear_operator"


def linear_operator(fun: Callable, x) -> "scipy.sparse.linalg.LinearOperator":
    """The Jacobian ``J = df/dx`` at a real ``x`` as a ``LinearOperator`` of shape
    ``(f(x).size, x.size)``: ``J @ v`` (``matvec``) is the JVP along ``v``,
    ``J.H @ u`` (``rmatvec``) the VJP of ``u``. Vectors are raveled in C order.

    ``J`` is complex when ``f`` is (``dRe f/dx + i dIm f/dx``); complex vectors
    work either way: ``J @ v = J Re v + i J Im v``, ``L.H @ u = conj(J)^T u``,
    ``L.T @ u = J^T u``, as for ``scipy.sparse.linalg.aslinearoperator(J)``.
    The operator's dtype is that of ``x`` and ``f(x)`` together (float32 stays
    float32). A primitive with only a VJP rule (or only a JVP rule) is handled as
    the dense transforms handle it (``dualgrad.transforms.fallback``).

    Parameters
    ----------
    fun : callable
        One real array in, one array out (real or complex).
    x : array_like
        The real point; ``fun`` is recorded there once (one tape for every ``rmatvec``).

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        Of shape ``(f(x).size, x.size)`` and the dtype of ``x`` and ``f(x)``
        together; ``matmat``/``rmatmat`` push all columns in one batched pass.

    Raises
    ------
    TypeError
        When ``x`` is not a real array, or is a traced value (use the dense
        transforms inside another transform).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> import numpy
    >>> J = linear_operator(lambda x: x ** 2, np.array([1.0, 2.0]))
    >>> J @ numpy.array([1.0, 1.0])
    array([2., 4.])
    >>> J @ numpy.array([1.0, 1j])
    array([2.+0.j, 0.+4.j])
    """
    from scipy.sparse.linalg import LinearOperator  # scipy: loaded on first use

    from ..interpreters.sparsity import _check_input  # scipy.sparse: loaded on first use

    if traced(x):
        raise traced_error(WHO, "x", x)
    x = _check_input(x, WHO)
    # one tape, reused by every rmatvec (none when some primitive has no VJP rule)
    done = run_modes(WHO, [(REV, lambda: pull_back(fun, (x,))), (FWD, lambda: (fun(x), None))])
    tape = done.value if done.mode == REV else None
    ans = one_array(done.value[0], WHO)
    out = onp.asarray(getval(ans))
    complex_f = out.dtype.kind == "c"
    m, n = out.size, x.size
    dense = []  # J, formed once, only when rmatvec has no VJP rules to run

    def jvps(V):  # (k, n) real directions -> (k, m) rows J v
        return run_modes(WHO, [
            (FWD, lambda: forward_products(fun, x, V, check=one_array, who=WHO)[1]),
            (REV, lambda: onp.stack([plain(jvp_by_reverse(fun, (x,), (v.reshape(x.shape),))[1],
                                           WHO).ravel() for v in V]))]).value

    def vjps(U):  # (k, m) cotangents -> (k, n) rows Re(J^T g)
        attempts = [(FWD, lambda: onp.real(U @ jacobian_by_forward()))]
        if tape is not None:
            attempts.insert(0, (REV, lambda: reverse_products(
                fun, x, U, check=one_array, who=WHO, tape=tape)[1]))
        return run_modes(WHO, attempts).value

    def jacobian_by_forward():
        if not dense:
            dense.append(forward_products(fun, x, onp.eye(n, dtype=x.dtype), check=one_array,
                                          who=WHO)[1].T)
        return dense[0]

    def matmat(V):  # J V, a complex V as its real and imaginary parts
        V = onp.asarray(V).reshape(n, -1)
        k = V.shape[1]
        if V.dtype.kind != "c":
            return jvps(V.T.astype(x.dtype)).T
        T = jvps(onp.concatenate([V.real.T, V.imag.T]).astype(x.dtype))
        return (T[:k] + 1j * T[k:]).T

    def rmatmat(U):  # J^H U
        U = onp.asarray(U).reshape(m, -1)
        k = U.shape[1]
        if complex_f:
            w = onp.conj(U.T).astype(out.dtype)
            R = vjps(onp.concatenate([w, 1j * w]))
        elif U.dtype.kind == "c":
            R = vjps(onp.concatenate([U.real.T, U.imag.T]).astype(out.dtype))
        else:
            return vjps(U.T.astype(out.dtype)).T
        return (R[:k] + 1j * R[k:]).T

    return LinearOperator((m, n), matvec=lambda v: matmat(v)[:, 0],
                          rmatvec=lambda u: rmatmat(u)[:, 0], matmat=matmat, rmatmat=rmatmat,
                          dtype=onp.result_type(x.dtype, out.dtype))
