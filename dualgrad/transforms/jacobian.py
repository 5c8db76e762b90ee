"""Jacobians and Hessians, and the choice between forward and reverse mode (``pick_mode``)."""
from __future__ import annotations

from typing import Any, NamedTuple

from ..core import log, vspace
from ..core.docs import shared_doc
from . import checks
from .complex_layouts import check_layout, real_hessian, real_jacobian
from .directions import OutputTree, _jac_fwd, _jac_rev, check_dense
from .fallback import FWD, REV, run_modes
from .gradients import check_complex_inputs, check_complex_output
from .transform import ArgNum, Fun, aux_last, transform


class ModeChoice(NamedTuple):
    """Which mode ``jacobian`` used, and why (``jacobian(f, explain=True)`` and
    ``pick_mode`` return it).

    Parameters
    ----------
    mode, n_in, n_out, reason
        The attributes below, in order (a named tuple; dualgrad makes them).

    Attributes
    ----------
    mode : str
        ``"fwd"`` or ``"rev"``.
    n_in, n_out : int
        The input and output sizes in real dimensions (-1: not measured).
    reason : str
        A sentence saying why, and which fallback was taken if any.

    Raises
    ------
    TypeError
        If not given all four fields (as any named tuple).

    Examples
    --------
    >>> print(pick_mode(2, 100))
    jacobian: fwd mode for R^2 -> R^100. Forward needs 2 tangent direction(s), reverse 100 cotangent direction(s); forward is cheaper or equal and needs no tape.
    """
    mode: str
    n_in: int
    n_out: int
    reason: str

    def __str__(self) -> str:
        return (f"jacobian: {self.mode} mode for R^{self.n_in} -> R^{self.n_out}. {self.reason}")


def pick_mode(n_in: int, n_out: int) -> ModeChoice:
    """Forward mode costs one JVP per input direction (n_in), reverse mode one VJP
    per output direction (n_out) plus a tape. Sizes count real dimensions.
    Ties go forward: it keeps no tape.

    Parameters
    ----------
    n_in, n_out : int
        The number of real input and output dimensions.

    Returns
    -------
    ModeChoice
        The mode and the reason.

    Raises
    ------
    Nothing for non-negative sizes.

    Examples
    --------
    >>> pick_mode(10, 1000).mode, pick_mode(1000, 10).mode
    ('fwd', 'rev')
    """
    if n_in <= n_out:
        return ModeChoice("fwd", n_in, n_out,
                          f"Forward needs {n_in} tangent direction(s), reverse {n_out} "
                          "cotangent direction(s); forward is cheaper or equal and needs no tape.")
    return ModeChoice("rev", n_in, n_out,
                      f"Reverse needs {n_out} cotangent direction(s), forward {n_in} "
                      "tangent direction(s); reverse is cheaper.")


def _check_jacobian(*, mode: str = "auto", chunk_size: int | None = None,
                    complex_layout: str = "complex", **_: Any) -> None:
    if mode not in ("auto", "fwd", "rev"):
        raise ValueError(f"mode must be 'auto', 'fwd' or 'rev', not {mode!r}.")
    check_layout(complex_layout)
    checks.check_chunk_size(chunk_size)


@transform("jacobian", check=_check_jacobian, aux=aux_last)
def jacobian(unary: Fun, x: Any, *, mode: str = "auto", explain: bool = False,
             batch: bool = True, chunk_size: int | None = None,
             complex_layout: str = "complex", holomorphic: bool = False) -> Any:
    """The Jacobian of ``fun``, shaped ``out.shape + x.shape``.

    A tuple/list/dict input gives the same structure of such blocks; a
    tuple/list/dict output gives its structure of those (output structure
    outside, input structure inside).

    ``mode="auto"`` evaluates ``fun`` once to learn the output size, then picks
    forward mode for tall Jacobians and reverse mode for wide ones
    (:func:`pick_mode`); ``mode="fwd"`` or ``"rev"`` forces one. With
    ``explain=True`` the returned function gives ``(J, ModeChoice)``.

    Either mode is one batched pass: all input directions through one forward
    evaluation, or all output directions through one backward pass over one
    tape. ``chunk_size=k`` does k directions per pass (bounding memory);
    ``batch=False`` does one direction per pass.

    Complex values (see :mod:`dualgrad.transforms.complex_layouts`): a real input entry x_j
    gives df/dx_j (complex for complex f); a complex one z_j = x_j + i y_j gives
    du/dx_j - i du/dy_j, grad's convention, which is df/dz_j for holomorphic f.
    ``complex_layout="real"`` returns instead the 2-D real matrix of all partials,
    ``[[du/dx, du/dy], [dv/dx, dv/dy]]`` (real coordinates in vspace order).

    Parameters
    ----------
    fun : callable
        The function; its output is an array or a container of arrays.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0; ``argnums``,
        JAX's spelling, is accepted too).
    mode : {"auto", "fwd", "rev"}, optional
        Forward mode, reverse mode, or the cheaper of the two (default).
    explain : bool, optional
        Return ``(J, ModeChoice)``: the mode used and why.
    batch : bool, optional
        All directions in one batched pass (default), or one per pass.
    chunk_size : int, optional
        At most this many directions per pass.
    complex_layout : {"complex", "real"}, optional
        See above.
    holomorphic : bool, optional
        JAX's option: inputs and outputs must be complex, and the blocks are the
        complex derivatives df/dz (the default layout's value for holomorphic f).
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``; the call returns ``(J, aux)``.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning J, shaped ``out.shape + x.shape``
        (containers of such blocks for container inputs or outputs).

    Raises
    ------
    TypeError
        If an input is an integer or not numeric, ``holomorphic=True`` meets a real
        input or output, ``has_aux`` is set and ``fun`` does not return a pair, or a
        keyword is not an option (PyTorch's ``strategy``/``vectorize`` are named with
        dualgrad's ``mode``/``batch``).
    ValueError
        If ``mode``, ``chunk_size`` or ``complex_layout`` is not one of its values.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> jacobian(lambda x: 2 * x)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    >>> J, choice = jacobian(np.sin, explain=True)(np.zeros(3))
    >>> choice.mode
    'fwd'
    """
    if holomorphic:  # JAX's option: complex in and out; the default layout is then f'(z)
        check_complex_inputs(x, "jacobian")
        if complex_layout == "real":
            raise ValueError("jacobian: holomorphic=True gives the complex derivative "
                             "df/dz; it does not combine with complex_layout='real'.")
        fun = unary

        def unary(v):
            out = fun(v)
            check_complex_output(out, "jacobian")
            return out
    if complex_layout == "real":
        return real_jacobian(unary, x, jacobian, mode=mode, explain=explain,
                             batch=batch, chunk_size=chunk_size)
    n_in = vspace(x).size
    out = OutputTree(unary)  # a tuple/list/dict output: one block per leaf
    if mode == "auto":
        choice = pick_mode(n_in, vspace(out.flat(x)).size)
    else:
        n_out = vspace(out.flat(x)).size if explain else -1
        choice = ModeChoice(mode, n_in, n_out, f"mode={mode!r} was requested.")
    log.debug("%s", choice)
    if choice.n_out >= 0:
        check_dense(choice.n_out, n_in)  # before any pass allocates the directions
    # a primitive with no rule in the chosen mode: the other mode (dualgrad.transforms.fallback)
    modes = [FWD, REV] if choice.mode == "fwd" else [REV, FWD]
    run = {"fwd": _jac_fwd, "rev": _jac_rev}
    done = run_modes("jacobian", [
        (m, lambda m=m: run[m.name](out.flat, x, batch, chunk_size)) for m in modes])
    if done.failed:
        choice = choice._replace(mode=done.mode.name, reason=f"{choice.reason} {done.note()}")
    J = out.split(done.value[1], x)
    return (J, choice) if explain else J


# jacfwd's and jacrev's JAX options, passed on to jacobian
_JAC_PASSED = {"has_aux", "holomorphic", "argnums", "complex_layout", "explain"}
_docs = shared_doc(options="""
    Parameters
    ----------
    fun : callable
        The function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).
    batch, chunk_size :
        As for :func:`jacobian`.
    **jax_options :
        ``has_aux``, ``holomorphic``, ``argnums``, ``explain``, ``complex_layout``:
        as for :func:`jacobian`.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning the Jacobian.
""")


@_docs
def jacfwd(fun: Fun, argnum: ArgNum = checks._UNSET, *, batch: bool = True,
           chunk_size: int | None = None, **jax_options: Any) -> Fun:
    """The Jacobian by forward mode: all input directions in one batched pass
    (reverse mode if some primitive has no JVP rule). ``jacobian(fun, argnum,
    mode="fwd", ...)``.

    %(options)s

    Raises
    ------
    TypeError
        As :func:`jacobian`; a keyword it does not take is named with dualgrad's
        spelling (PyTorch's ``randomness`` has none).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> jacfwd(lambda x, y: x * y, argnums=1)(np.ones(2), np.array([2.0, 3.0]))
    array([[1., 0.],
           [0., 1.]])
    """
    checks.refuse_options("jacfwd", jax_options, _JAC_PASSED | {"batch", "chunk_size"})
    return jacobian(fun, argnum, mode="fwd", batch=batch, chunk_size=chunk_size, **jax_options)


@_docs
def jacrev(fun: Fun, argnum: ArgNum = checks._UNSET, *, batch: bool = True,
           chunk_size: int | None = None, **jax_options: Any) -> Fun:
    """The Jacobian by reverse mode: one tape, all output directions in one
    batched backward pass (forward mode if some primitive has no VJP rule).
    ``jacobian(fun, argnum, mode="rev", ...)``.

    %(options)s

    Raises
    ------
    TypeError
        As :func:`jacobian`.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> J, aux = jacrev(lambda x: (x ** 2, x.sum()), has_aux=True)(np.array([1.0, 2.0]))
    >>> J, float(aux)
    (array([[2., 0.],
           [0., 4.]]), 3.0)
    """
    checks.refuse_options("jacrev", jax_options, _JAC_PASSED | {"batch", "chunk_size"})
    return jacobian(fun, argnum, mode="rev", batch=batch, chunk_size=chunk_size, **jax_options)


@transform("hessian", check=_check_jacobian, aux=aux_last)
def hessian(unary: Fun, x: Any, *, batch: bool = True, chunk_size: int | None = None,
            complex_layout: str = "complex") -> Any:
    """The Hessian, forward-over-reverse: ``jacfwd(jacrev(fun))``, with all n
    tangent directions pushed through one evaluation of the gradient.

    A primitive with a VJP but no JVP (``defvjp`` alone, as autograd's docs
    show) makes it reverse-over-reverse, one with only a JVP forward-over-forward
    (each ``jacobian`` falls back to the mode whose rules exist, see
    :mod:`dualgrad.transforms.fallback`).

    Parameters
    ----------
    fun : callable
        A real scalar function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).
    batch, chunk_size, complex_layout :
        As for :func:`jacobian` (``complex_layout="real"``: the real Hessian of
        Re f over the real coordinates).
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``; the call returns ``(H, aux)``.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning H, shaped ``x.shape + x.shape``.

    Raises
    ------
    TypeError
        If the output is not a real scalar or an input is an integer (PyTorch's
        ``outer_jacobian_strategy`` is refused with the reverse-over-reverse
        spelling).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    if complex_layout == "real":  # the real Hessian of Re f over real coordinates
        return real_hessian(unary, x, hessian, batch=batch, chunk_size=chunk_size)
    return jacfwd(jacrev(unary, batch=batch), batch=batch, chunk_size=chunk_size)(x)
