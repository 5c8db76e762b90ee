"""Checks of the arguments users give to the transforms, with messages that say
what is wrong and what to write instead (``docs/misuse.md`` lists the cases).

Everything here runs once per transform call (the shape checks of a
*user-defined* primitive's rules live with the primitive, in
``dualgrad.core.primitives``), so the hot path of tracing does not pay for them.
"""
from __future__ import annotations

from typing import Any

import numpy as onp

from ..core import Tracer, peek, plain_if_pending
from ..core.mp import MP


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
    object (strings, None, outer tracers) is returned as it is; a pending array made
    inside the transform, as its plain array."""
    if isinstance(tree, Tracer):
        return tree.value if tree._level is level else plain_if_pending(tree)
    if isinstance(tree, dict):
        return type(tree)((k, unwrap_level(v, level)) for k, v in tree.items())
    if isinstance(tree, (tuple, list)) and type(tree) in (tuple, list):
        return type(tree)(unwrap_level(v, level) for v in tree)
    return tree


# ------------------------------------------------- options from JAX and PyTorch
# Keywords of JAX's and PyTorch's transforms that dualgrad spells otherwise or has no
# use for: each gets a sentence naming what to write instead (never a bare
# "unexpected keyword argument").
FOREIGN = {
    "reduce_axes": "JAX's reduce_axes (removed from JAX too) has no counterpart: sum the "
                   "result over those axes yourself (dualgrad.numpy.sum(g, axis=...)).",
    "allow_int": "dualgrad has no allow_int: integer arguments are held constant when "
                 "they are not in argnum, and integer arrays in argnum are cast to float "
                 "with a warning; pass floats to differentiate.",
    "create_graph": "PyTorch's create_graph is not needed: dualgrad's derivatives are "
                    "always differentiable again; nest the transforms (grad(grad(f))).",
    "retain_graph": "PyTorch's retain_graph is not needed: every call records its own "
                    "tape; to reuse one tape for many cotangents use make_vjp(f)(x) or "
                    "vjp(f, x).",
    "grad_outputs": "PyTorch's grad_outputs is the cotangent of a vector-Jacobian "
                    "product: write out, f_vjp = dualgrad.vjp(f, x); f_vjp(v).",
    "allow_unused": "PyTorch's allow_unused is not needed: an input the output does not "
                    "depend on gets a zero gradient.",
    "materialize_grads": "PyTorch's materialize_grads is not needed: an input the output "
                         "does not depend on gets a zero gradient.",
    "is_grads_batched": "PyTorch's is_grads_batched is spelled dualgrad.vmap over the "
                        "cotangents (vmap(f_vjp)(vs)), or jacobian(f) for all of them.",
    "strict": "PyTorch's strict has no counterpart: an output that does not depend on "
              "an input gets zero derivatives.",
    "vectorize": "PyTorch's vectorize is dualgrad's batch= (True by default: one batched "
                 "pass for all directions).",
    "strategy": "PyTorch's strategy is dualgrad's mode=: mode='fwd' (forward-mode) or "
                "mode='rev' (reverse-mode), or jacfwd/jacrev.",
    "outer_jacobian_strategy": "dualgrad's hessian is forward-over-reverse; there is no "
                               "outer_jacobian_strategy (write jacrev(jacrev(f)) for "
                               "reverse-over-reverse).",
    "randomness": "torch.func.vmap's randomness has no counterpart: draw the random numbers "
                  "outside fun and pass them in as a mapped argument.",
    "in_dims": "torch.func.vmap's in_dims is spelled in_axes in dualgrad (JAX's name).",
    "out_dims": "torch.func.vmap's out_dims is spelled out_axes in dualgrad (JAX's name).",
    "axis_name": "JAX's axis_name names an axis for collective operations (psum, ...), "
                 "which dualgrad does not have; there is no counterpart.",
    "spmd_axis_name": "JAX's spmd_axis_name (device sharding) has no counterpart in "
                      "dualgrad, which runs on one NumPy process.",
    "static_argnums": "dualgrad does not compile, so there is nothing to make static: "
                      "every argument not in argnum is already held constant.",
    "static_argnames": "dualgrad does not compile, so there is nothing to make static: "
                       "every argument not in argnum is already held constant.",
    "argnames": "dualgrad selects arguments by position (argnum=); to name one, use "
                "dualgrad.grad_named(f, 'name').",
    "primals": "give the point as the call's arguments: T(f)(x), not T(f, primals=x).",
}

# Where a JAX or PyTorch keyword has dualgrad's meaning only in some transforms.
_WHERE = {
    "has_aux": "grad, value_and_grad, jacobian, jacfwd, jacrev, hessian, jvp and vjp",
    "holomorphic": "grad, value_and_grad, jacobian, jacfwd and jacrev",
    "chunk_size": "jacobian, jacfwd, jacrev, hessian and vmap",
    "argnums": "the transforms taking argnum",
}


def refuse_options(who: str, given, known) -> None:
    """Raise a ``TypeError`` for keywords ``who`` does not take, each explained: a JAX
    or PyTorch spelling names dualgrad's, an option of another transform says where it
    applies, anything else lists ``who``'s options."""
    unknown = sorted(set(given) - set(known))
    if not unknown:
        return
    lines = []
    for k in unknown:
        if k in FOREIGN:
            lines.append(f"{k}: {FOREIGN[k]}")
        elif k in _WHERE:
            lines.append(f"{k}: {who} has no {k}= (it applies to {_WHERE[k]}).")
        else:
            lines.append(f"{k}: not an option of {who}.")
    options = ", ".join(sorted(known)) or "none"
    raise TypeError(f"{who}() got keyword argument(s) it does not take:\n  "
                    + "\n  ".join(lines) + f"\n{who}'s options are: {options}.")


# the default of argnum where argnums may stand in its place (Any: it stands for an ArgNum)
_UNSET: Any = object()


def take_argnums(who: str, argnum: Any, opts: dict) -> Any:
    """``argnum``, or JAX's and PyTorch's ``argnums`` (popped from ``opts``) in its place."""
    if "argnums" not in opts:
        return 0 if argnum is _UNSET else argnum
    argnums = opts.pop("argnums")
    if argnum is not _UNSET:
        raise TypeError(f"{who}: give argnum or argnums (JAX's spelling of the same "
                        f"option), not both (argnum={argnum!r}, argnums={argnums!r}).")
    return argnums


def check_flag(value: Any, name: str, who: str) -> bool:
    """A boolean option (``has_aux``, ``holomorphic``)."""
    if not isinstance(value, (bool, onp.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, not {_short(value)}.")
    return bool(value)


def check_aux_pair(out: Any, who: str) -> None:
    """With ``has_aux=True`` the function returns ``(output, aux)``."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        what = (f"a {type(out).__name__} of length {len(out)}"
                if isinstance(out, (tuple, list)) else type(out).__name__)
        raise TypeError(f"{who}(f, has_aux=True) needs f to return a pair (output, aux), "
                        f"but f returned {what}. Return (output, aux), or drop has_aux.")


# --------------------------------------------------------------- helpers


def _numeric(v) -> bool:
    v = peek(v)
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
           "check_jvp_args", "unwrap_level", "FOREIGN", "refuse_options", "take_argnums",
           "check_flag", "check_aux_pair"]
