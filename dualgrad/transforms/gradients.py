"""Reverse-mode transforms: grad, value_and_grad, grad_and_aux, elementwise_grad, make_vjp,
holomorphic_grad, and the gradients by argument name."""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as onp

from ..core import (MissingRuleError, Tracer, getval, is_container, peek, tree_flatten,
                    tree_map, vspace)
from ..core.mp import mp_kind
from ..core.tracer import PLAIN_FLOATS
from ..interpreters.reverse import grad_of_leaf, pull_back
from ..numpy import real
from . import checks
from .fallback import (FWD, REV, elementwise_grad_by_forward, grad_by_forward, pull_back_any,
                       run_modes)
from .transform import ArgNum, Fun, _size, _wraps, aux_last, transform, with_aux


@transform("make_vjp", prefix="vjp")
def make_vjp(unary: Fun, x: Any) -> tuple[Callable, Any]:
    """The vector-Jacobian product function at a point, and the value there
    (autograd's ``make_vjp``): ``make_vjp(f)(*args)`` returns ``(vjp, f(*args))``
    with ``vjp(g) = g^T J``, one tape reused for every ``g``.

    Parameters
    ----------
    fun : callable
        The function; its output may be an array or a container of arrays.
    argnum : int or tuple of int, optional
        The argument(s) the Jacobian is taken with respect to (default 0;
        ``argnums`` is accepted too).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``(vjp, value)``; ``vjp(g)``, for
        ``g`` shaped like ``value``, is shaped like the differentiated argument.

    Raises
    ------
    TypeError
        If an input is an integer scalar or not numeric, or a keyword is not an
        option.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> vjp, value = make_vjp(lambda x: x ** 2)(np.array([1.0, 3.0]))
    >>> value, vjp(np.array([1.0, 0.0]))
    (array([1., 9.]), array([2., 0.]))
    """
    ans, pull = pull_back_any("make_vjp", unary, (x,))
    return (lambda g: pull(g)[0]), ans


def _scalar_output(ans, who: str) -> None:
    if _size(ans) != 1 or isinstance(ans, (tuple, list, dict)):
        shape = onp.shape(peek(ans)) if not isinstance(ans, (tuple, list, dict)) else type(ans).__name__
        raise TypeError(
            f"{who} needs a scalar output, but the function returned shape {shape}. Use "
            "jacobian(f) for the full derivative or elementwise_grad(f) for an elementwise "
            "one, or reduce the output first (e.g. dualgrad.numpy.sum).")
    kind = _kind(ans)
    if kind == "c":
        raise TypeError(
            f"{who} needs a real scalar output, but the function returned a complex number. "
            "Use holomorphic_grad(f) for the complex derivative of a holomorphic f, or "
            "differentiate the real part (grad(lambda z: np.real(f(z)))).")
    if kind == "b":  # (an integer output, as a step function's, has derivative 0)
        raise TypeError(
            f"{who}: the function returned a boolean ({getval(ans)!r}), which has no "
            "derivative (comparisons such as np.allclose are not differentiable). Return "
            "a float computed from the input.")


def _check_grad_output(ans) -> None:
    checks.check_output_number(ans, "grad(f)")
    _scalar_output(ans, "grad(f)")


def _value_and_grad(unary: Fun, x: Any) -> tuple[Any, Any]:
    """``(f(x), grad f(x))``: one tape and one backward pass, or the gradient from
    forward mode (n directions) when some primitive has no VJP rule (the fallback
    machinery runs only then)."""
    try:
        if x.__class__ is onp.ndarray or x.__class__ in PLAIN_FLOATS:  # one plain input
            ans, g, pull = grad_of_leaf(unary, x)
            if pull is None:  # a real float scalar output: its gradient is computed
                return ans, g
        else:
            ans, pull_all = pull_back(unary, (x,), once=True)
            pull = lambda g: pull_all(g)[0]  # noqa: E731
        if ans.__class__ in PLAIN_FLOATS:  # a real float scalar: nothing to check
            g = pull(onp.float64(1.0))
        else:
            _check_grad_output(ans)
            g = pull(vspace(ans).ones())
    except MissingRuleError as missing:  # a VJP is missing: run_modes decides what runs instead
        def rev(err: MissingRuleError = missing) -> Any:
            raise err
        ans, g = run_modes("grad", [(REV, rev), (FWD, lambda: grad_by_forward(
            unary, x, _check_grad_output))]).value
    return ans, _zero_d_leaves(g, x)


def _zero_d_leaves(g: Any, x: Any) -> Any:
    """The rule for the leaves of a container gradient: every scalar leaf is a 0-d
    array, as autograd gives them (``{'a': array(3.), 'b': array(0.)}``), never a mix
    of 0-d arrays, ``np.float64`` and Python floats. The gradient of a bare scalar is
    left as the pass made it (``np.float64`` mostly, as autograd's is)."""
    if x.__class__ is onp.ndarray or x.__class__ in PLAIN_FLOATS or not is_container(x):
        return g

    def zero_d(v):
        return onp.asarray(v) if isinstance(v, (float, complex, onp.generic)) else v
    return tree_map(zero_d, g)


def _holomorphic_value_and_grad(unary: Fun, x: Any, who: str) -> tuple[Any, Any]:
    """JAX's ``holomorphic=True``: complex inputs and a complex output are required,
    and the gradient is f'(z), the gradient of Re f in dualgrad's convention (equal to
    f'(z) where the Cauchy-Riemann equations hold)."""
    check_complex_inputs(x, who)

    def real_part(v):
        out = unary(v)
        check_complex_output(out, who)
        return real(out), out
    main, read_value = with_aux(real_part, who)
    g = _value_and_grad(main, x)[1]
    return read_value(), g


def _kind(x) -> str:
    """NumPy's dtype kind of ``x``'s value; "c" or "f" for mpmath numbers (object
    arrays, whose complexness is in their values)."""
    v = peek(x)
    if getattr(v, "dtype", None) == object:
        return mp_kind(getval(x)) or "O"
    return onp.result_type(v).kind


def _describe(x) -> str:
    if _kind(x) == "f" and getattr(peek(x), "dtype", None) == object:
        return "real mpmath numbers (mpf)"
    return f"dtype {onp.result_type(peek(x))}"


def check_complex_inputs(x: Any, who: str) -> None:
    for leaf in tree_flatten(x)[0]:
        kind = _kind(leaf)
        if kind != "c":
            raise TypeError(
                f"{who} with holomorphic=True requires complex inputs, but got "
                f"{_describe(leaf)}. Pass complex values (x + 0j, or "
                "x.astype(complex), or mpmath.mpc), or drop holomorphic=True for the gradient of a real input.")


def check_complex_output(out: Any, who: str) -> None:
    for leaf in tree_flatten(out)[0]:
        if _kind(leaf) != "c":
            raise TypeError(
                f"{who} with holomorphic=True requires complex outputs, but the function "
                f"returned {_describe(leaf)}. Return a complex value, or "
                "drop holomorphic=True (a real output has the ordinary gradient).")


def _value_and_grad_aux(result: tuple, aux: Any) -> tuple:
    value, g = result
    return (value, aux), g


@transform("value_and_grad", who="grad", float_ints=True, aux=_value_and_grad_aux)
def value_and_grad(unary: Fun, x: Any, *, holomorphic: bool = False) -> tuple[Any, Any]:
    """The value and the gradient of a scalar function, from one forward and one
    backward pass.

    Parameters
    ----------
    fun : callable
        The function; its output must be a real scalar (complex with
        ``holomorphic=True``).
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0); ``argnums``
        is JAX's spelling of the same option.
    holomorphic : bool, optional
        JAX's option: ``fun`` is holomorphic, its inputs and output complex, and the
        gradient is the complex derivative f'(z).
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``; the call then returns
        ``((value, aux), gradient)`` (JAX's form), ``aux`` with this transform's
        tracers made plain.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``(value, gradient)``, the gradient
        shaped like the differentiated argument (a tuple of them for a tuple argnum).

    Raises
    ------
    TypeError
        If the output is not a real scalar, an input is an integer, ``has_aux`` is set
        and ``fun`` does not return a pair, or a keyword is not an option (a JAX or
        PyTorch keyword is named with dualgrad's spelling).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> value, g = value_and_grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
    >>> float(value), g
    (5.0, array([2., 4.]))
    >>> (value, aux), g = value_and_grad(lambda x: (x ** 2, "aux"), has_aux=True)(3.0)
    >>> float(value), aux, float(g)
    (9.0, 'aux', 6.0)
    """
    if holomorphic:
        return _holomorphic_value_and_grad(unary, x, "value_and_grad")
    return _value_and_grad(unary, x)


def _grad_name(fun: Fun, argnum: ArgNum) -> tuple[str, str]:
    name = _name(fun)  # autograd's name and docstring for the result
    return (f"grad_of_{name}_wrt_argnum_{argnum}",
            f"    grad of function {name} with respect to argument number {argnum}. "
            f"Takes the\n    same arguments as {name} but returns the grad.\n")


@transform("grad", float_ints=True, named=_grad_name, aux=aux_last)
def grad(unary: Fun, x: Any, *, holomorphic: bool = False) -> Any:
    """
    Returns a function which computes the gradient of a scalar-valued ``fun`` with
    respect to argument ``argnum`` (autograd's wording).

    For ``f(z) = u + i v`` of a complex ``z`` it is ``du/dx - i du/dy``.

    Parameters
    ----------
    fun : callable
        The function to differentiate; its output must be a real scalar (a float or
        a size-1 array), or complex with ``holomorphic=True``.
    argnum : int or tuple of int, optional
        Position(s) of the argument(s) to differentiate with respect to (default 0);
        a tuple gives a tuple of gradients. ``argnums`` is JAX's and PyTorch's
        spelling of the same option. Other arguments are held constant.
    holomorphic : bool, optional
        JAX's option: ``fun`` is holomorphic, with complex inputs and a complex
        output, and the result is the complex derivative f'(z) (the gradient of
        Re f in dualgrad's convention, which is f'(z) for a holomorphic f).
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``: only ``output`` is differentiated and
        the call returns ``(gradient, aux)`` (JAX's form), with the values traced
        by this transform made plain in ``aux``.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning the gradient, shaped like the
        differentiated argument (a tuple, list, dict, dataclass... of arrays for such an
        argument).

    Raises
    ------
    TypeError
        If the output is not a real scalar (or, with ``holomorphic=True``, an input
        or the output is not complex), an input is an integer scalar, ``has_aux``
        is set and ``fun`` does not return a pair, or a keyword is not an option
        (a JAX or PyTorch keyword such as ``allow_int`` is named with dualgrad's
        spelling, or the message says there is none).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> float(grad(np.sin)(0.0))
    1.0
    >>> g, aux = grad(lambda x: (x ** 3, {"x2": x ** 2}), has_aux=True)(2.0)
    >>> float(g), float(aux["x2"])
    (12.0, 4.0)
    >>> complex(grad(lambda z: z ** 2, holomorphic=True)(1.0 + 2.0j))
    (2+4j)
    """
    if holomorphic:
        return _holomorphic_value_and_grad(unary, x, "grad")[1]
    return _value_and_grad(unary, x)[1]


@transform("grad_and_aux", float_ints=True)
def grad_and_aux(unary: Fun, x: Any) -> tuple[Any, Any]:
    """For ``fun`` returning ``(loss, aux)``: ``(grad loss, aux)`` (autograd's name
    for ``grad(fun, has_aux=True)``).

    ``aux`` may be anything (strings, None, arrays computed from ``x``): it is
    returned as it is, with values traced by this transform made plain.

    Parameters
    ----------
    fun : callable
        Returning a pair ``(loss, aux)`` with ``loss`` a real scalar.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``(gradient, aux)``.

    Raises
    ------
    TypeError
        If ``fun`` does not return a pair, ``loss`` is not a real scalar, or an
        input is an integer scalar.

    Examples
    --------
    >>> g, aux = grad_and_aux(lambda x: (x ** 2, "seen"))(3.0)
    >>> float(g), aux
    (6.0, 'seen')
    """
    seen = []  # (aux, the level that traced it)

    def loss_only(xv):  # only the loss is differentiated: aux needs no vector space
        out = unary(xv)
        checks.check_pair_output(out)
        leaves = tree_flatten(xv)[0]
        seen.append((out[1], leaves[0]._level if leaves else None))
        return out[0]
    ans, pull = pull_back_any("grad_and_aux", loss_only, (x,), once=True)
    checks.check_output_number(ans, "grad_and_aux(f)")
    _scalar_output(ans, "grad_and_aux(f)")
    aux, level = seen[-1]
    return pull(vspace(ans).ones())[0], checks.unwrap_level(aux, level)


@transform("elementwise_grad", float_ints=True)
def elementwise_grad(unary: Fun, x: Any) -> Any:
    """The sum of the Jacobian's rows, ``J^T 1``: the elementwise derivative when
    output i depends only on input i (``np.sin`` applied to a grid).

    One backward pass (forward mode, one direction per input, when some primitive
    has no VJP rule).

    Parameters
    ----------
    fun : callable
        The function; its output is an array (of any shape) or a container.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``J^T 1``, shaped like the
        differentiated argument.

    Raises
    ------
    TypeError
        If an input is an integer scalar or not numeric (integer *arrays* are cast
        to float with a warning, as autograd does), or a keyword is not an option.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> elementwise_grad(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    """
    def rev():
        ans, pull = pull_back(unary, (x,), once=True)
        return pull(_ones_like(ans))[0]
    return _zero_d_leaves(run_modes("elementwise_grad", [
        (REV, rev), (FWD, lambda: elementwise_grad_by_forward(unary, x))]).value, x)


def _name(fun: Fun) -> str:
    return getattr(fun, "__name__", "f")


def _ones_like(ans):
    """The all-ones cotangent; for a large real array a read-only broadcast view
    (no 8 bytes per entry to write), which ``pull_back`` copies if returned as is."""
    v = peek(ans)
    if type(v) is onp.ndarray and v.dtype.kind == "f" and v.size > 4096 and not isinstance(
            ans, Tracer):
        return onp.broadcast_to(onp.ones((), v.dtype), v.shape)
    return vspace(ans).ones()


@transform("holomorphic_grad")
def holomorphic_grad(unary: Fun, x: Any) -> Any:
    """The complex derivative f'(z) of a holomorphic scalar ``fun``.

    It equals ``grad(fun)`` of Re f (the convention's du/dx - i du/dy, which is
    f'(z) when the Cauchy-Riemann equations hold); the name records that you rely
    on holomorphy. For a non-holomorphic ``fun`` it is the gradient of Re f; all
    four real partials come from ``jacobian(fun, complex_layout="real")``.
    ``grad(fun, holomorphic=True)`` is the same, and refuses real inputs, as JAX's.

    Parameters
    ----------
    fun : callable
        A scalar function, holomorphic in the differentiated argument.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning f'(z), shaped like ``z``.

    Raises
    ------
    TypeError
        If the output is not a scalar, or an input is an integer scalar.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> complex(holomorphic_grad(lambda z: z ** 2)(1.0 + 2.0j))
    (2+4j)
    """
    return _value_and_grad(lambda v: real(unary(v)), x)[1]


def multigrad_dict(fun: Fun) -> Fun:
    """Gradients with respect to every argument (defaults included), as a dict
    keyed by parameter name; a ``*args`` entry is a tuple, a ``**kwargs`` one a dict
    (autograd's ``multigrad_dict``).

    Parameters
    ----------
    fun : callable
        A real scalar function whose every argument is differentiable.

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``{name: gradient}``.

    Raises
    ------
    TypeError
        If the arguments do not fit ``fun``'s signature, an argument is an integer
        scalar, or the output is not a real scalar.

    Examples
    --------
    >>> g = multigrad_dict(lambda x, y=2.0: x * y)(3.0)
    >>> {k: float(v) for k, v in g.items()}
    {'x': 2.0, 'y': 3.0}
    """
    sig = inspect.signature(fun)
    P = inspect.Parameter

    def call(values: dict):
        pos, kw = [], {}
        for name, p in sig.parameters.items():
            if name not in values:
                continue
            if p.kind == P.VAR_POSITIONAL:
                pos.extend(values[name])
            elif p.kind == P.VAR_KEYWORD:
                kw.update(values[name])
            elif p.kind == P.KEYWORD_ONLY:
                kw[name] = values[name]
            else:
                pos.append(values[name])
        return fun(*pos, **kw)

    def mgd(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        return dict(grad(call)(values))
    return _wraps(fun, "multigrad_dict")(mgd)


def grad_named(fun: Fun, argname: str) -> Fun:
    """The gradient with respect to the argument called ``argname``.

    Parameters
    ----------
    fun : callable
        A real scalar function.
    argname : str
        The name of one of ``fun``'s parameters.

    Returns
    -------
    callable
        ``grad(fun, argnum)`` for that parameter's position.

    Raises
    ------
    TypeError
        If ``fun`` has no parameter ``argname``.

    Examples
    --------
    >>> float(grad_named(lambda x, scale: x * scale ** 2, "scale")(3.0, 2.0))
    12.0
    """
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"grad_named: {getattr(fun, '__name__', 'the function')} has no "
                        f"parameter {argname!r}; its parameters are {', '.join(names)}.")
    return grad(fun, names.index(argname))
