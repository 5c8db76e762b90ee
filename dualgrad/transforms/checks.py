"""Checks of the arguments users give to the transforms, with messages that say
what is wrong and what to write instead (``docs/misuse.md`` lists the cases).

Everything here runs once per transform call (the shape checks of a
*user-defined* primitive's rules live with the primitive, in
``dualgrad.core.primitives``), so the hot path of tracing does not pay for them.
"""
from __future__ import annotations

from typing import Any

import numpy as onp

from ..core.mp import MP

from ..core import Tracer, getval


# --------------------------------------------------------------- transforms
def check_fun(fun: Any, who: str) -> None:
    """The first argument of a transform must be the function to differentiate."""
    if not callable(fun):
        usage = _USAGE.get(who, f"{who}(f)(x): {who}(f) is a new function, which you then "
                                "call at the point x")
        raise TypeError(
            f"{who} takes the function to differentiate first, but was given "
            f"{type(fun).__name__} {_short(fun)}. Write {usage}.")


_USAGE = {"jvp": "out, tangent = jvp(f, (x,), (v,))", "vjp": "out, f_vjp = vjp(f, x)",
          "checkpoint": "checkpoint(f), then call it inside the function you differentiate"}


def check_argnum(argnum: Any, who: str) -> None:
    """``argnum`` is a position (an int) or a tuple/list of positions."""
    if isinstance(argnum, (int, onp.integer)):
        return
    if isinstance(argnum, (tuple, list)) and argnum and all(
            isinstance(a, (int, onp.integer)) for a in argnum):
        return
    if isinstance(argnum, str):
        by_name = (f", or dualgrad.grad_named(f, {argnum!r}) to name it" if who == "grad" else
                   " (its position in the signature of f)")
        raise TypeError(
            f"{who}(f, argnum={argnum!r}): argnum is the position of the argument to "
            f"differentiate, not its name. Write {who}(f, argnum=1) for the second "
            f"argument{by_name}.")
    if isinstance(argnum, (float, complex, onp.ndarray, onp.generic, Tracer)):
        raise TypeError(
            f"{who}(f, x) was called with a value ({_short(argnum)}) where argnum (the "
            f"position of the argument to differentiate, an int) goes. Write {who}(f)(x): "
            f"{who}(f) is a function, which you then call at x.")
    raise TypeError(
        f"{who}: argnum must be an int or a non-empty tuple of ints (positions of the "
        f"arguments to differentiate), not {_short(argnum)}.")


def check_positions(argnum: tuple, nargs: int, kwargs: dict) -> None:
    """Every position in a tuple ``argnum`` names a positional argument."""
    for a in argnum:
        if not -nargs <= a < nargs:
            raise TypeError(f"argnum={argnum} names argument {a}, but the function was "
                            f"called with {nargs} positional argument(s)."
                            + keyword_hint(kwargs))


def keyword_hint(kwargs: dict) -> str:
    if not kwargs:
        return ""
    return (f" Keyword arguments ({', '.join(kwargs)}) are held constant: pass the "
            "argument to differentiate positionally, e.g. grad(f, argnum=1)(x, y), not y=y.")


def check_chunk_size(chunk_size: Any) -> None:
    if chunk_size is None:
        return
    if not isinstance(chunk_size, (int, onp.integer)) or isinstance(chunk_size, bool) \
            or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int (the number of directions "
                         f"per pass), or None for all of them at once; got {chunk_size!r}.")


def check_input_value(v: Any, who: str) -> None:
    """Inputs numpy accepts but dualgrad cannot differentiate, each with its fix."""
    if isinstance(v, onp.matrix):
        raise TypeError(
            f"{who} was given an np.matrix, which dualgrad does not support (its * is a "
            "matrix product and its reductions keep two dimensions, unlike an array). Pass "
            "numpy.asarray(m) and write matrix products with @.")
    if isinstance(v, onp.ndarray) and v.dtype.kind not in "fciub":
        hint = ("x.astype(float)" if v.dtype.kind == "O" else
                "an array of floats (x.astype(float) if its entries are numbers)")
        raise TypeError(
            f"{who} was given an array of dtype {v.dtype} ({_describe_dtype(v.dtype)}); "
            f"derivatives need a floating-point or complex array. Pass {hint}.")


def check_output_number(ans: Any, who: str) -> None:
    """``grad`` of a function that returned something other than a number."""
    if isinstance(ans, (tuple, list, dict)) or _numeric(ans):
        return
    forgot = " (did the function forget to `return` its result?)" if ans is None else ""
    raise TypeError(
        f"{who} needs the function to return a number (a float or a size-1 array), but it "
        f"returned {type(ans).__name__}{forgot}. Return the scalar to differentiate.")


def check_pair_output(out: Any) -> None:
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError("grad_and_aux(f) needs f to return a pair (loss, aux), but f "
                        f"returned {type(out).__name__}. Return (loss, aux), or use grad.")


def check_jvp_args(primals: Any, tangents: Any) -> None:
    """JAX's ``jvp(f, primals, tangents)`` takes tuples of arguments."""
    for what, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, (tuple, list)):
            raise TypeError(
                f"jvp(f, primals, tangents) takes tuples (JAX's form), one entry per "
                f"argument of f, but {what} is {type(v).__name__} {_short(v)}. Write "
                "jvp(f, (x,), (v,)), or make_jvp(f)(x)(v) (autograd's form).")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primal(s) but {len(tangents)} tangent(s); "
                         "give one tangent per argument: jvp(f, (x, y), (vx, vy)).")


def unwrap_level(tree: Any, level) -> Any:
    """``tree`` with this level's tracers replaced by their values; any other
    object (strings, None, outer tracers) is returned as it is."""
    if isinstance(tree, Tracer):
        return tree.value if tree._level is level else tree
    if isinstance(tree, dict):
        return type(tree)((k, unwrap_level(v, level)) for k, v in tree.items())
    if isinstance(tree, (tuple, list)) and type(tree) in (tuple, list):
        return type(tree)(unwrap_level(v, level) for v in tree)
    return tree


# --------------------------------------------------------------- helpers


def _numeric(v) -> bool:
    v = getval(v)
    if isinstance(v, (bool, int, float, complex, onp.ndarray, onp.generic, MP)):
        return True
    return hasattr(v, "__array_function__") and hasattr(v, "dtype")  # a duck array


def _describe_dtype(dtype) -> str:
    return {"O": "Python objects", "U": "strings", "S": "bytes", "M": "dates",
            "m": "time spans", "V": "raw records"}.get(dtype.kind, "not numbers")


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["check_fun", "check_argnum", "check_positions", "check_chunk_size",
           "check_input_value", "check_output_number", "check_pair_output",
           "check_jvp_args", "unwrap_level"]
