"""Linear programs: recording a linear map once, applying it, transposing it.

Forward mode computes ``y' = J x'`` as it goes; every operation on a tangent is
linear in it. Recording those operations, with the primal values already
computed, gives the *linearization* of a program at a point: a straight-line
program in the tangent alone, whose constants (``cos x``, ``1 - tanh^2``) were
evaluated once. Applying it needs no primal pass, no dual numbers.

Each line ``out = prim(..., a, ...)`` is linear in its program variables ``a``.
Its transpose sends a cotangent of ``out`` to ``a`` by ``prim``'s VJP rule for
that argument, which for a linear primitive reads only the constants: that is
why reverse mode is forward mode transposed,

    <J v, w> = <v, J^T w>,   J^T w = sum over lines, last to first, of VJP_i(w).

A variable is a ``LinVar`` of a ``LinearLevel``. It has a shape and a dtype but
no numbers (its ``value`` is a :class:`~dualgrad.core.residuals.NotKept`
stand-in): a rule that reads a tangent's numbers raises instead of recording a
wrong map.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as onp

from ..core import Level, Primitive, Tracer, getval, holds_tracer, peek
from ..core.mp import (from_mp, is_mp, is_mp_value, mp_errors, mp_function, mp_is_complex,
                       mp_scalar, to_mp)
from ..core.residuals import NotKept, ResidualError, declaration

# mpmath numbers are object arrays, real or complex by their entries; a linear program
# keeps which in its variables' dtypes (the transpose of a real variable takes the real
# part of its cotangent), the complex one marked in the object dtype's metadata
MPF_DTYPE = onp.dtype(object)
MPC_DTYPE = onp.dtype(object, metadata={"mpc": True})


def _mp_dtype(v):
    return MPC_DTYPE if mp_is_complex(v) else MPF_DTYPE


def _mp_fill(dtype, value):
    return mp_scalar(value, bool((dtype.metadata or {}).get("mpc")))


def aval_of(x) -> tuple:
    """``(shape, dtype)`` of a differentiable input (a Python float is float64; mpmath
    numbers, and object arrays of them, are ``MPF_DTYPE`` or ``MPC_DTYPE``)."""
    x = peek(x)
    if is_mp(x) or is_mp_value(x):
        return onp.shape(x), _mp_dtype(to_mp(x))
    v = onp.asarray(x)
    return v.shape, v.dtype if v.dtype.kind in "fc" else onp.dtype(float)


__all__ = ["aval_of", "LinVar", "LinearLevel", "Line", "LinearProgram", "record_linear", "NotLinearError"]


class NotLinearError(TypeError):
    """A recorded program is not linear in its variables (so it has no transpose).

    Parameters
    ----------
    message : str
        Names the primitive that is not linear in the map's argument.

    Raised by
    ---------
    ``dualgrad.linear_transpose`` and ``LinearProgram.transpose``, for a nonlinear
    (``v * v``, ``sin(v)``) or affine (``v + 1``) function.

    Examples
    --------
    >>> import numpy as onp
    >>> from dualgrad import linear_transpose
    >>> try:
    ...     linear_transpose(lambda v: v * v, onp.ones(2))
    ... except NotLinearError as e:
    ...     print(type(e).__name__)
    NotLinearError
    """


def placeholder(shape: tuple, dtype) -> NotKept:
    """An array of ``shape`` and ``dtype`` with no numbers: reading them raises."""
    dtype = onp.dtype(dtype)
    fill = onp.nan if dtype.kind in "fc" else _mp_fill(dtype, "nan") if dtype.kind == "O" else 0
    return onp.broadcast_to(onp.array(fill, dtype), shape).view(NotKept)


def zeros(shape: tuple, dtype):
    """Zeros of an aval (mpmath zeros, real or complex, for an object one)."""
    dtype = onp.dtype(dtype)
    if dtype.kind != "O":
        return onp.zeros(shape, dtype)
    out = onp.empty(shape, dtype)
    out.fill(_mp_fill(dtype, 0))
    return out


class LinVar(Tracer):
    """A variable of a linear program: a shape and dtype, no numbers."""

    __slots__ = ("index",)

    def __init__(self, index: int, shape: tuple, dtype, level: "LinearLevel"):
        self.index = index
        self.value = placeholder(shape, dtype)
        self._level = level


@dataclass
class Line:
    """``out = prim(*args, **kwargs)``, where ``args`` holds ``_Ref``s to variables."""
    prim: Primitive
    args: tuple
    kwargs: dict
    out: int
    shape: tuple
    dtype: Any


@dataclass(frozen=True)
class _Ref:
    index: int


@dataclass
class LinearProgram:
    """A recorded linear map: lines in order, applied by calling the program.

    Made by ``dualgrad.linearize`` (and by ``record_linear``), not by hand.

    Parameters
    ----------
    inputs : list of int
        The input variables' indices.
    in_avals : list of tuple
        The inputs' shapes and dtypes, as pairs.
    output : int or None
        The output variable (None: the map is zero).
    out_aval : tuple
        The output's shape and dtype, as a pair.
    lines : list of Line
        ``out = prim(*args)``, in order.
    mp : bool, optional
        The map was recorded at mpmath numbers (its constants are MP values): it
        takes and gives mpmath numbers, computed at ``mpmath.mp.dps``.

    Attributes
    ----------
    lines : list of Line
        The program; ``source()`` prints it and ``transpose()`` transposes it.

    Raises
    ------
    TypeError, ValueError
        When called with the wrong number or shapes of tangents.

    Examples
    --------
    >>> import numpy as onp
    >>> import dualgrad.numpy as np
    >>> from dualgrad import linearize
    >>> _, f_jvp = linearize(lambda x: 3.0 * x, onp.ones(2))
    >>> f_jvp(onp.array([1.0, 2.0]))
    array([3., 6.])
    >>> f_jvp.transpose()(onp.array([1.0, 1.0]))
    (array([3., 3.]),)
    """
    inputs: list
    in_avals: list
    output: int | None
    out_aval: tuple
    lines: list = field(default_factory=list)
    mp: bool = False
    _plan: Any = field(default=None, init=False, repr=False, compare=False)

    def __call__(self, *xs):
        """Apply the map. With plain (untraced) tangents each line is one call of its
        primitive's function, from a plan made once (``_compile``); a traced tangent
        (the map under ``jvp``, ``grad`` or ``vmap``) goes through the primitives, so
        the result can itself be differentiated or batched."""
        if self.mp:
            with mp_errors("f_jvp"):
                return from_mp(self._apply(*to_mp(xs, numbers=True)))
        return self._apply(*xs)

    def _apply(self, *xs):
        plan = self._plan
        if plan is None or plan[0] is not self.lines:
            plan = self._plan = _compile(self)
        _, shapes, steps, pad, out, plain = plan
        if len(xs) != len(shapes):
            raise TypeError(f"this linear map takes {len(shapes)} argument(s), "
                            f"not {len(xs)}.")
        traced = not plain
        for x, shape in zip(xs, shapes):
            if x.__class__ is onp.ndarray and x.shape == shape and x.dtype.kind != "O":
                continue
            if isinstance(x, Tracer):
                traced = True
            elif not self.mp and (is_mp(x) or is_mp_value(x)):
                raise TypeError("this linear map was recorded at float64 primals, so it "
                                "would compute in float64; for mpmath tangents, linearize "
                                "at mpmath primals (mpmath.mpf(x), or an object array).")
            if onp.shape(peek(x)) != shape:
                raise ValueError(f"a linear map of inputs of shape {shape} was given shape "
                                 f"{onp.shape(peek(x))}.")
        if out is None:
            return zeros(*self.out_aval)
        if traced:
            env: dict = dict(zip(self.inputs, xs))
            for ln in self.lines:
                env[ln.out] = ln.prim(*[env[a.index] if type(a) is _Ref else a
                                        for a in ln.args], **ln.kwargs)
            return env[self.output]
        slots = [*xs, *pad]
        for step in steps:
            step(slots)
        return slots[out]

    def transpose(self):
        """The transposed map, ``w -> tuple of J_i^T w`` (one per input)."""
        return _transpose(self)

    def source(self, name: str = "f_jvp") -> str:
        """The program as Python, one line per primitive."""
        ins = ", ".join(f"t{i}" for i in self.inputs)
        body = [f"    t{ln.out} = {ln.prim.name}({_args_text(ln)})" for ln in self.lines]
        ret = f"t{self.output}" if self.output is not None else f"zeros{self.out_aval[0]}"
        return "\n".join([f"def {name}({ins}):", *body, f"    return {ret}"])


def _const_text(a) -> str:
    if isinstance(a, onp.generic):
        return repr(a.item())
    if isinstance(a, onp.dtype):
        return a.name
    if isinstance(a, (int, float, complex, bool, str, type(None), tuple)):
        return repr(a)
    v = peek(a)
    return f"<{onp.dtype(onp.result_type(v)).name} {onp.shape(v)}>" if onp.ndim(v) else repr(
        onp.asarray(v).item())


def _args_text(ln: Line) -> str:
    parts = [f"t{a.index}" if type(a) is _Ref else _const_text(a) for a in ln.args]
    parts += [f"{k}={_const_text(v)}" for k, v in ln.kwargs.items()]
    return ", ".join(parts)


def _compile(prog: LinearProgram) -> tuple:
    """The plan for applying ``prog``: ``(lines, in_shapes, steps, pad, out, plain)``.

    Variables get consecutive slots of a list (the inputs first, then ``pad``, one
    ``None`` per line); each line becomes
    a closure ``step(slots)`` that reads its variables' slots, calls the primitive's
    ``fun`` with the constants already in place and stores the answer. With no
    tracer among the arguments ``prim(...)`` *is* ``prim.fun(...)``, so this skips
    only the dispatch. ``plain`` is False when a constant is a tracer (a map
    linearized inside another transform): the primitives must see it."""
    slot = {k: i for i, k in enumerate(prog.inputs)}
    steps, plain = [], True
    for ln in prog.lines:
        refs, template = [], list(ln.args)
        for pos, a in enumerate(ln.args):
            if type(a) is _Ref:
                refs.append((pos, slot[a.index]))
            elif holds_tracer(a):
                plain = False
        if any(holds_tracer(v) for v in ln.kwargs.values()):
            plain = False
        slot[ln.out] = len(slot)
        steps.append(_step(ln.prim.fun, template, refs, dict(ln.kwargs), slot[ln.out]))
    return (prog.lines, tuple(shape for shape, _ in prog.in_avals), steps,
            [None] * len(prog.lines), slot.get(prog.output), plain)


def _step(fun, template: list, refs: list, kwargs: dict, o: int):
    """One line as ``step(slots)``: the common shapes (one variable, alone or beside
    one constant, no keywords) without building an argument list."""
    if not kwargs and len(refs) == 1:
        (pos, i), = refs
        if len(template) == 1:
            def step(s):
                s[o] = fun(s[i])
            return step
        if len(template) == 2:
            c = template[1 - pos]

            def var_first(s):
                s[o] = fun(s[i], c)

            def var_second(s):
                s[o] = fun(c, s[i])
            return var_first if pos == 0 else var_second

    def general(s):
        args = template.copy()
        for pos, i in refs:
            args[pos] = s[i]
        s[o] = fun(*args, **kwargs)
    return general


class LinearLevel(Level):
    """Records each primitive applied to its variables as a line of a program."""

    __slots__ = ("lines", "count")

    def __init__(self, depth: int):
        super().__init__(depth)
        self.lines: list = []
        self.count = 0

    def var(self, shape, dtype) -> LinVar:
        self.count += 1
        return LinVar(self.count - 1, tuple(shape), onp.dtype(dtype), self)

    def process(self, prim, args, kwargs):
        template, probe = [], []
        for a in args:
            if type(a) is LinVar and a._level is self:
                template.append(_Ref(a.index))
                probe.append(zeros(a.value.shape, a.value.dtype))
            else:
                template.append(a)
                probe.append(getval(a))
        # the answer's shape and dtype, from zeros in place of the variables
        ans = prim.fun(*probe, **{k: getval(v) for k, v in kwargs.items()})
        if isinstance(ans, (tuple, list, dict)):
            raise NotLinearError(f"linearize: '{prim.name}' returns several arrays, which a "
                                 "linear program does not record yet; use jvp for this "
                                 "function.")
        dtype = onp.result_type(ans)
        if dtype.kind == "O":  # mpmath numbers: real or complex by their entries
            dtype = _mp_dtype(ans)
        out = self.var(onp.shape(ans), dtype)
        self.lines.append(Line(prim, tuple(template), dict(kwargs), out.index,
                               onp.shape(ans), dtype))
        return out

    def process_nondiff(self, fun, args, kwargs):
        raise NotLinearError(f"a linear map read the numbers of its argument "
                             f"({getattr(fun, '__name__', fun)!s} of a tangent); a linear "
                             "program cannot depend on them.")


def record_linear(fun, avals: list) -> LinearProgram:
    """Trace ``fun`` (linear in its arguments) on variables of shapes/dtypes ``avals``
    (an object dtype: mpmath numbers, so the program is ``mp``)."""
    mp = any(onp.dtype(d).kind == "O" for _, d in avals)
    with LinearLevel.new() as level:
        xs = [level.var(s, d) for s, d in avals]
        out = fun(*xs)
        lines = level.lines
    if type(out) is LinVar and out._level is level:
        prog = LinearProgram([x.index for x in xs], list(avals), out.index,
                             (out.value.shape, out.value.dtype), lines, mp)
        return _prune(prog)
    if isinstance(out, Tracer):
        raise TypeError("linearize: the map's output depends on a traced value other than "
                        "its argument.")
    if isinstance(out, (tuple, list, dict)):
        raise TypeError("linearize: the function must return one array.")
    v = onp.asarray(out)
    if onp.any(v != 0):
        raise NotLinearError("the function returned a value that does not depend on its "
                             "argument and is not zero: it is affine, not linear.")
    return LinearProgram([x.index for x in xs], list(avals), None, (v.shape, v.dtype), [], mp)


def _prune(prog: LinearProgram) -> LinearProgram:
    """Drop the lines the output does not need."""
    needed, kept = {prog.output}, []
    for ln in reversed(prog.lines):
        if ln.out in needed:
            kept.append(ln)
            needed.update(a.index for a in ln.args if type(a) is _Ref)
    prog.lines = kept[::-1]
    return prog


def _transpose(prog: LinearProgram):
    """Complex maps too: each line's VJP rule is the convention's ``conj(L* conj(w))``
    (``L*`` the adjoint for Re<a, b>, rules.complex), which for a C-linear ``L v = A v``
    is ``A^T w``, JAX's (unconjugated) transpose; for every R-linear line (conj, real,
    imag) it satisfies ``Re sum(L(v) w) = Re sum(v T(w))``. So does their composition."""
    in_avals = prog.in_avals
    for ln in prog.lines:  # check every line once, before any call
        refs = [i for i, a in enumerate(ln.args) if type(a) is _Ref]
        for i in refs:
            d = declaration(ln.prim, i)
            if d is None:
                continue  # undeclared: the stand-ins below catch a read
            reads_ans, reads = d
            others = set(range(len(ln.args))) - {i} if reads == "others" else \
                set(range(len(ln.args))) if reads == "args" else set(reads)
            if reads_ans or others & set(refs):
                raise NotLinearError(
                    f"linear_transpose: '{ln.prim.name}' multiplies two values that both "
                    f"depend on the map's argument, so the map is not linear in it.")

    def transposed(w):
        if onp.shape(peek(w)) != prog.out_aval[0]:
            raise ValueError(f"linear_transpose: the cotangent must have the output's "
                             f"shape {prog.out_aval[0]}, not {onp.shape(peek(w))}.")
        ct: dict = {} if prog.output is None else {prog.output: w}
        shapes = {}
        for ln in prog.lines:
            shapes[ln.out] = (ln.shape, ln.dtype)
        for k, aval in zip(prog.inputs, in_avals):
            shapes[k] = aval
        for ln in reversed(prog.lines):
            g = ct.pop(ln.out, None)
            if g is None:
                continue
            vals = [placeholder(*shapes[a.index]) if type(a) is _Ref else a for a in ln.args]
            ans = placeholder(ln.shape, ln.dtype)
            for i, a in enumerate(ln.args):
                if type(a) is not _Ref:
                    continue
                try:
                    c = ln.prim.vjp_rule(i)(g, ans, *vals, **ln.kwargs)
                except ResidualError:
                    raise NotLinearError(
                        f"linear_transpose: the transpose of '{ln.prim.name}' reads the "
                        "value of its argument, so the map is not linear in it.") from None
                ct[a.index] = c if a.index not in ct else ct[a.index] + c
        return tuple(ct[k] if k in ct else zeros(*aval)
                     for k, aval in zip(prog.inputs, in_avals))
    return mp_function(transposed, "linear_transpose") if prog.mp else transposed
