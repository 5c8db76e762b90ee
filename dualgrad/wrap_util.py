"""Compatibility helpers for code written against ``autograd.wrap_util``:
``unary_to_nary`` turns an operator on one-argument functions into one taking
``argnum`` (an int or a tuple), as autograd builds its transforms."""
from __future__ import annotations

from typing import Callable

from .util import subvals


def get_name(f) -> str:
    return getattr(f, "__name__", "[unknown name]")


def get_doc(f) -> str:
    return getattr(f, "__doc__", "") or ""


def wraps(fun, namestr: str = "{fun}", docstr: str = "{doc}", **kwargs):
    """Name and document the decorated function after ``fun`` (format strings
    may use ``{fun}``, ``{doc}`` and ``kwargs``)."""
    def _wraps(f):
        try:
            f.__name__ = namestr.format(fun=get_name(fun), **kwargs)
            f.__doc__ = docstr.format(fun=get_name(fun), doc=get_doc(fun), **kwargs)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            pass
        return f
    return _wraps


def wrap_nary_f(fun, op, argnum):
    return wraps(fun, "{op}_of_{fun}_wrt_argnum_{argnum}",
                 "{op} of function {fun} with respect to argument number {argnum}.",
                 op=get_name(op), argnum=argnum)


def unary_to_nary(unary_operator: Callable) -> Callable:
    """``unary_operator(f, x, *a, **k)`` becomes ``op(fun, argnum=0, *a, **k)(*args)``.

    >>> from dualgrad.transforms import make_vjp
    >>> def vjp_op(f, x):
    ...     return make_vjp(f)(x)[0](1.0)
    >>> grad_like = unary_to_nary(vjp_op)
    >>> float(grad_like(lambda x, y: x * y, argnum=1)(3.0, 2.0))
    3.0
    """
    @wraps(unary_operator)
    def nary_operator(fun, argnum=0, *nary_op_args, **nary_op_kwargs):
        if not isinstance(argnum, (int, tuple, list)):
            raise TypeError(f"argnum must be an int or a tuple of ints, not {argnum!r}.")

        @wrap_nary_f(fun, unary_operator, argnum)
        def nary_f(*args, **kwargs):
            @wraps(fun)
            def unary_f(x):
                if isinstance(argnum, int):
                    subargs = subvals(args, [(argnum, x)])
                else:
                    subargs = subvals(args, zip(argnum, x))
                return fun(*subargs, **kwargs)

            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *nary_op_args, **nary_op_kwargs)
        return nary_f
    return nary_operator


__all__ = ["unary_to_nary", "wraps", "wrap_nary_f", "get_name", "get_doc"]
