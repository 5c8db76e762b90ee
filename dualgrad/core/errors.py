"""Every exception dualgrad raises on purpose, and the helpers that word its messages.

The tracing machinery, the transforms and the rules all raise these, so they
sit at the bottom of the layers: this module imports nothing from dualgrad.
"""
from __future__ import annotations

import os
import sys
import warnings
from types import FrameType

import numpy as onp

class _Log:
    """``logging.getLogger("dualgrad")``, imported at the first message: most runs
    emit none, and the logging package is about half a megabyte of memory."""

    __slots__ = ()

    def __getattr__(self, name):
        import logging
        return getattr(logging.getLogger("dualgrad"), name)


log = _Log()


class DifferentiationError(TypeError, NotImplementedError):
    """A function was asked for a derivative it has no rule for (a TypeError, and a
    NotImplementedError as autograd's missing-rule error is).

    Parameters
    ----------
    message : str
        What has no derivative, and what to write instead.

    Raised by
    ---------
    Every transform, when it meets a NumPy function dualgrad does not
    differentiate (``python -m dualgrad coverage`` lists them), or a
    user primitive without the rule a mode needs (:class:`MissingRuleError`).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> from dualgrad.core import DifferentiationError
    >>> try:
    ...     grad(lambda x: np.sum(np.asarray_chkfinite(x)))(np.ones(2))
    ... except DifferentiationError as e:
    ...     print(str(e)[:50])
    numpy.asarray_chkfinite has no derivative rule in
    """


class MissingRuleError(DifferentiationError):
    """No ``kind`` rule ("JVP" or "VJP") for argument ``argnum`` of ``prim``.

    ``other_mode`` tells whether the primitive has a rule of the other kind for
    that argument; the transforms that can run in either mode catch this error
    and rerun in the mode whose rules exist (``dualgrad.transforms.fallback``).

    Parameters
    ----------
    message : str
        Names the primitive, the argument and the missing rule.
    kind : str
        ``"JVP"`` or ``"VJP"``: the rule missing.
    prim : Primitive
        The primitive.
    argnum : int
        Which argument.
    other_mode : bool
        Whether the primitive has the other kind of rule for that argument.

    Raised by
    ---------
    The forward (JVP) and reverse (VJP) interpreters, at a user primitive
    (:func:`dualgrad.extend.primitive`) missing the rule they need.

    Examples
    --------
    >>> from dualgrad import grad
    >>> from dualgrad.core import MissingRuleError
    >>> from dualgrad.extend import primitive
    >>> @primitive
    ... def cube(x):
    ...     return x ** 3
    >>> try:  # no rule registered for cube in either mode
    ...     grad(cube)(2.0)
    ... except MissingRuleError as e:
    ...     print(e.kind, e.argnum, e.other_mode)
    VJP 0 False
    """

    def __init__(self, message: str, *, kind: str, prim: "Primitive", argnum,
                 other_mode: bool):
        super().__init__(message)
        self.kind, self.prim, self.argnum, self.other_mode = kind, prim, argnum, other_mode


class BatchingError(TypeError):
    """A rule (or an index, or a Python branch) read the numbers of a batched value
    (``dualgrad.interpreters.batching``); the callers (vmap, jacobian) catch it and loop over
    the examples instead."""



class PerformanceWarning(UserWarning):
    """A computation fell back to a slow path that costs several times the fast one:
    ``vmap``, ``jacobian`` or the sparse Jacobians looped over examples (or directions,
    or colours) one pass each, instead of one batched pass, because a primitive has no
    batched rule or a rule read the numbers of a batched value; or ``jit`` keeps tracing
    a function again (its Python branches or ``float()``/``int()`` reads come out
    differently on each call). The message names the primitive (or the function) and
    the cause; the result is still right.

    It is emitted once per call site (Python's default warning filter), pointing at
    the user's line, and only when the loop runs more than ``LOOP_WARNING_SIZE``
    passes (a loop of a few passes costs no more than a few batched ones). Silence it
    with ``warnings.filterwarnings("ignore", category=dualgrad.PerformanceWarning)``;
    the ``dualgrad`` logger at DEBUG level has the details.

    Parameters
    ----------
    message : str
        What looped or re-traced, why, and how to avoid it: the transform, the primitive
        that looped (or the Python code that branched on a batched value) and why; for
        jit, ``dualgrad.numpy.where`` instead of ``if``, or a static argument.

    Raised by
    ---------
    :func:`dualgrad.vmap`, :func:`dualgrad.jacobian` (``jacfwd``, ``jacrev``,
    ``hessian``) and :func:`dualgrad.sparse.jacobian` / :func:`dualgrad.sparse.hessian`
    when they loop, and :func:`dualgrad.jit` (once per jitted function) when the traces
    of one input signature exceed its ``max_traces``; as a warning (``warnings.warn``),
    never as an exception unless a filter says so.

    Examples
    --------
    >>> import warnings
    >>> import dualgrad, dualgrad.numpy as np
    >>> from dualgrad.extend import primitive, defjvp
    >>> @primitive
    ... def quartic(x):          # a user primitive with no batched rule
    ...     return x ** 4
    >>> defjvp(quartic, lambda t, ans, x: 4 * x ** 3 * t)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     out = dualgrad.vmap(quartic)(np.ones((8, 2)))
    >>> [w.category.__name__ for w in caught]
    ['PerformanceWarning']
    >>> "'quartic' (it has no batched rule)" in str(caught[0].message)
    True
    >>> from dualgrad import jit
    >>> f = jit(lambda x: x * float(x), max_traces=2)  # float(x): a guard on x
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     _ = [f(float(k)) for k in range(5)]
    >>> [w.category.__name__ for w in seen]
    ['PerformanceWarning']
    """


class TraceError(TypeError):
    """``jit`` met something in a trace that a recorded program cannot replay
    faithfully; the message says what, and how to write it instead.

    Parameters
    ----------
    message : str
        What could not be recorded, and what to do instead.

    Raised by
    ---------
    ``dualgrad.jit``, at trace time: a value of another jit trace reaching this one, a
    function without derivative answering text computed from the data, a tracer of a
    finished transform returned, or ``source()`` called inside a transform.

    Examples
    --------
    >>> from dualgrad import jit, notrace_primitive
    >>> sign_name = notrace_primitive(lambda x: "pos" if x > 0 else "neg")
    >>> try:
    ...     jit(lambda x: x if sign_name(x) == "pos" else -x)(1.0)
    ... except TraceError as e:
    ...     print(type(e).__name__)
    TraceError
    """


# A loop over more than this many examples (directions, colours) warns.
LOOP_WARNING_SIZE = 4


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # dualgrad/


def warn(message: str, category: type = UserWarning) -> None:
    """``warnings.warn`` attributed to the first caller outside dualgrad (the user's line),
    however deep inside the library the warning is raised."""
    frame: FrameType | None = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


class UnexpectedTracerError(RuntimeError):
    """A traced value was used outside the transform that made it: after that
    ``grad``/``jvp``/``vmap`` call returned, or on another thread. Its derivative
    would be silently wrong, so dualgrad refuses (JAX's UnexpectedTracerError).

    Parameters
    ----------
    message : str
        Which transform made the value, and the fixes (compute it inside, return
        it as an output, or keep the number with :func:`dualgrad.core.getval`).

    Raised by
    ---------
    Any operation on a tracer whose transform has finished.

    Examples
    --------
    >>> from dualgrad import grad
    >>> from dualgrad.core import UnexpectedTracerError, getval
    >>> kept = []
    >>> _ = grad(lambda x: kept.append(x) or x ** 2)(3.0)
    >>> try:
    ...     kept[0] + 1.0
    ... except UnexpectedTracerError:
    ...     print("kept a traced value")
    kept a traced value
    >>> kept.clear()
    >>> _ = grad(lambda x: kept.append(getval(x)) or x ** 2)(3.0)
    >>> kept[0] + 1.0
    4.0
    """


_KINDS = {"ReverseLevel": "reverse-mode (grad, vjp, jacrev)",
          "ForwardLevel": "forward-mode (jvp, deriv, jacfwd)",
          "BatchLevel": "batching (vmap, jacobian)"}


def stale_tracer_message(level) -> str:
    """Why a tracer of ``level`` can't be used here: its transform has finished, or it
    is still running on another thread (levels are kept per thread)."""
    kinds = [_KINDS[c.__name__] for c in type(level).__mro__ if c.__name__ in _KINDS]
    kind = kinds[0] if kinds else type(level).__name__
    if not level.exited:
        return (f"A traced value of a {kind} transform (level {level.depth}) was used on "
                "another thread, while that transform is still running on the thread that "
                "started it. Each thread differentiates on its own, so a traced value can't "
                "cross threads: its derivative would be silently wrong, and dualgrad stops "
                "here. Fix: call the transform on the thread that computes with the value "
                "(run grad(f) inside the worker), hand the worker plain inputs and collect "
                "plain results, or pass the number alone with dualgrad.core.getval(x).")
    return (f"A traced value of a {kind} transform (level {level.depth}) was used after "
            "that transform had finished. This happens when a value computed from the "
            "function's traced inputs is kept beyond one call: in a cache or dict, a global, "
            "an attribute or a closure. Its derivative would be silently wrong, so dualgrad "
            "stops here. Fix: compute such values inside the function on every call (cache "
            "only plain inputs), return them as outputs (grad_and_aux, value_and_grad), or "
            "keep the number alone with dualgrad.core.getval(x).")


def _qualname(func) -> str:
    mod = getattr(func, "__module__", "") or ""
    sub = mod.replace("numpy", "").strip(".").split(".")[0] if mod.startswith("numpy.") else ""
    sub = sub if sub in ("linalg", "fft") else ""
    return (sub + "." if sub else "") + getattr(func, "__name__", repr(func))


def _unsupported(name: str):
    raise DifferentiationError(
        f"{name} has no derivative rule in dualgrad, so it cannot be applied to a traced "
        "value. Rewrite the step with supported functions (python -m dualgrad coverage "
        "lists them), or make it a primitive with dualgrad.extend.primitive and give it "
        "rules with defjvp/defvjp.")



# numpy's output keywords on a traced call: ``out=None`` and ``where=True`` are
# numpy's defaults (no-ops, dropped); an ``out=`` array would have to hold a traced
# result, which a plain array cannot, so it is refused with this one message.
OUT_MESSAGE = ("dualgrad can't write into `out=`; assign the result instead "
               "(y = f(x) in place of f(x, out=y)).")


def numpy_io(name: str, kwargs: dict) -> dict:
    """``kwargs`` of a traced call of numpy's ``name`` without its no-op output
    keywords (``out=None``, ``out=(None,)``, ``where=True``); raises TypeError for
    an ``out=`` array or a ``where=`` mask."""
    if "out" not in kwargs and "where" not in kwargs:
        return kwargs
    kwargs = dict(kwargs)
    out = kwargs.pop("out", None)
    if out is not None and not (isinstance(out, tuple) and all(o is None for o in out)):
        raise TypeError(f"{name}: {OUT_MESSAGE}")
    where = kwargs.pop("where", True)
    if where is not True:
        raise TypeError(f"{name}(..., where=mask) is not supported on traced values (the "
                        "entries left out would keep uninitialised or old values); use "
                        "np.where(mask, result, other) on the full result instead.")
    return kwargs


# numpy.random draws that reorder their argument rather than take a parameter
_REORDER = ("permutation", "permuted", "shuffle", "choice")


def random_parameter_message(name: str, source: str = "np.random") -> str:
    """The error for a numpy.random draw ``name`` (``"numpy.random.normal"``,
    ``"numpy.random.Generator.normal"``) given a traced parameter: draws are not
    functions of their parameters, and the fix is the reparametrization trick (the
    noise drawn from ``source``, the generator or module the user called)."""
    method = name.rsplit(".", 1)[-1]
    if method in _REORDER:
        fix = (f"draw indices instead and index the traced array with them, e.g. "
               f"x[{source}.permutation(len(x))] or x[{source}.choice(len(x), k)]")
    else:
        fix = (f"draw standard noise and transform it with the traced values (the "
               f"reparametrization trick, also spelt reparameterisation), e.g. "
               f"mu + sigma * {source}.standard_normal(size) for normal(mu, sigma), or "
               f"a + (b - a) * {source}.uniform(size=n) for uniform(a, b)")
    return (f"{name} was given a traced value as a parameter; a random draw is not a "
            f"differentiable function of its parameters. To differentiate through it, "
            f"{fix}. For a constant parameter, pass dualgrad.core.getval(value).")


def _plain_numpy_message(x: Tracer) -> str:
    """Why a tracer reached plain numpy, and what to write instead: the case is read
    off the calling line where it can be (a plain ndarray's method, an assignment,
    a draw of numpy.random)."""
    head = (f"A traced value (shape {x.shape}) was handed to plain numpy code that would "
            "turn it into a plain array and lose its derivative. ")
    case = _calling_case()
    if case and case[0] == "random":
        return head + "Here " + random_parameter_message(case[1], case[2])
    if case and case[0] == "method":
        a, method = case[1], case[2]
        fix = f"np.dot({a}, x) or {a} @ x" if method == "dot" else f"np.{method}({a}, ...)"
        return head + (f"Here a method of the plain numpy array {a!r} ({a}.{method}(...)) "
                       "was applied to it, and an ndarray's own methods cannot see through "
                       f"traced values. Write {fix} with np = dualgrad.numpy instead.")
    if case and case[0] == "store":
        return head + ("Here it was assigned into a plain numpy array (a[i] = x), which "
                       "cannot hold a derivative. Create the array with dualgrad.numpy "
                       "(np.zeros(n) while differentiating), build it from traced values "
                       "(np.stack, np.concatenate, np.where), or start from a traced array.")
    return head + ("Typical causes: a method of a plain ndarray applied to it (A.dot(x): write "
                   "np.dot(A, x) or A @ x with np = dualgrad.numpy); a plain numpy function "
                   "given a list holding it (use dualgrad.numpy's function, which accepts "
                   "lists); assigning it into a plain numpy array (a[i] = x: create the array "
                   "with dualgrad.numpy instead); a numpy.random draw given it as a parameter "
                   "(rng.normal(mu, sigma): draws are not differentiable in their parameters; "
                   "draw standard noise and transform it, mu + sigma * "
                   "rng.standard_normal(n), the reparametrization trick).")


def random_draw_message() -> str | None:
    """The message for a numpy.random draw given a traced parameter, when that is what
    the user's line is doing (an integer or float parameter reaches ``int()`` or
    ``float()`` there rather than ``__array__``); None otherwise."""
    import sys
    try:
        draw = _random_draw(_user_frame(sys._getframe(1)))
    except Exception:  # noqa: BLE001  (a message helper must never fail)
        return None
    return None if draw is None else random_parameter_message(*draw)


def _user_frame(frame):
    """The first frame outside dualgrad.core, from ``frame`` outwards."""
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == _HERE:
        frame = frame.f_back
    return frame


_HERE = os.path.dirname(__file__)  # frames of dualgrad.core are skipped


def _calling_case():
    """("method", receiver name, method) or ("store",) for the user's line that handed
    a tracer to numpy; None when it cannot be told (only used for error messages)."""
    import dis
    import linecache
    import re
    import sys
    try:
        frame = _user_frame(sys._getframe(1))
        if frame is None:
            return None
        for ins in dis.get_instructions(frame.f_code):
            if ins.offset == frame.f_lasti and ins.opname == "STORE_SUBSCR":
                return ("store",)
        draw = _random_draw(frame)
        if draw is not None:
            return ("random",) + draw
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        for name, method in re.findall(r"([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*\(", line):
            obj = frame.f_locals.get(name, frame.f_globals.get(name))
            if isinstance(obj, onp.ndarray):
                return ("method", name, method)
    except Exception:  # noqa: BLE001  (a message helper must never fail)
        return None
    return None


class _DrawNames:
    """The names of numpy.random's draws (module functions and Generator/RandomState
    methods), read once when first needed."""

    names = None

    def isdisjoint(self, other) -> bool:
        if self.names is None:
            r = onp.random
            self.names = frozenset(n for obj in (r, r.Generator, r.RandomState)
                                   for n in dir(obj) if not n.startswith("_"))
        return self.names.isdisjoint(other)


_DRAWS = _DrawNames()


def _random_draw(frame):
    """(numpy's name of the draw, the source text of its generator) when the call the
    frame is making is a numpy.random draw: ``rng.normal(0, x)``,
    ``numpy.random.default_rng(0).normal(0, x)``, ``numpy.random.normal(0, x)``,
    ``RandomState(0).uniform(x)``; else None. Read off the call's own source span
    (nothing is evaluated: names are looked up, attributes read only on modules)."""
    if frame is None or _DRAWS.isdisjoint(frame.f_code.co_names) and not any(
            isinstance(getattr(v, "__self__", None), (onp.random.Generator, onp.random.RandomState))
            for v in frame.f_locals.values()):  # cheap: no draw named, none held (draw = rng.normal)
        return None
    draws = {draw for src in _running_calls(frame) if (draw := _draw_of(frame, src))}
    return draws.pop() if len(draws) == 1 else None  # two draws on a 3.10 line: can't tell


def _running_calls(frame) -> list:
    """The source text of the call the frame is running: the span of its current
    instruction (Python >= 3.11; 3.10 has no column positions: ``_calls_on_line``)."""
    import itertools
    import linecache
    code, lasti = frame.f_code, frame.f_lasti
    if not hasattr(code, "co_positions"):  # Python 3.10
        return _calls_on_line(frame)
    span = next(itertools.islice(code.co_positions(), lasti // 2, None), None)
    if span is None or None in span:
        return []
    first, last, col, end_col = span
    text = [linecache.getline(code.co_filename, n) for n in range(first, last + 1)]
    if not all(text):
        return []
    lines = [ln.encode() for ln in text]  # the columns count UTF-8 bytes
    lines[-1] = lines[-1][:end_col]
    lines[0] = lines[0][col:]
    return ["\n".join(ln.decode(errors="replace").rstrip("\n") for ln in lines)]


def _calls_on_line(frame) -> list:
    """The source text of every call whose lines hold the frame's current line, but
    those that made another's callee (``default_rng(0)`` in ``default_rng(0).normal(0,
    x)`` had returned before it ran): without column positions, the candidates for the
    running call (``_random_draw`` keeps a draw only if it is the one draw among them)."""
    import ast
    import linecache
    text = "".join(linecache.getlines(frame.f_code.co_filename))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and node.lineno <= frame.f_lineno <= (node.end_lineno or node.lineno)]
    makers = set()
    for c in calls:
        node = c.func
        while isinstance(node, (ast.Call, ast.Attribute)):
            if isinstance(node, ast.Call):
                makers.add(id(node))
            node = node.func if isinstance(node, ast.Call) else node.value
    return [ast.get_source_segment(text, c) or "" for c in calls if id(c) not in makers]


def _draw_of(frame, src: str):
    """``_random_draw``'s answer for the call whose source text is ``src``."""
    import ast
    import types
    try:
        call = ast.parse(src.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call):
        return None
    random = onp.random

    def lookup(node):
        """The object a dotted name denotes (a ``missing`` sentinel if it can't be read
        without running code)."""
        if isinstance(node, ast.Name):
            for scope in (frame.f_locals, frame.f_globals, frame.f_builtins):
                if node.id in scope:
                    return scope[node.id]
            return missing
        if isinstance(node, ast.Attribute):
            base = lookup(node.value)
            if isinstance(base, types.ModuleType):
                return getattr(base, node.attr, missing)
        return missing

    missing = object()
    owner = None
    if not isinstance(call.func, ast.Attribute):  # draw = rng.normal; draw(0, x)
        bound = getattr(lookup(call.func), "__self__", None)
        method = getattr(lookup(call.func), "__name__", "")
        if bound is getattr(random.mtrand, "_rand", missing):  # from numpy.random import normal
            owner, source = "", "np.random"
        elif isinstance(bound, (random.Generator, random.RandomState)):
            owner, source = type(bound).__name__, "rng"
        else:
            return None
        receiver = None
    else:
        method, receiver = call.func.attr, call.func.value
    if receiver is None:
        pass
    elif isinstance(receiver, ast.Call):  # default_rng(0).normal(...), RandomState(0).normal
        maker = lookup(receiver.func)
        if maker is getattr(random, "default_rng", None) or maker is random.Generator:
            owner = "Generator"
        elif isinstance(maker, type) and issubclass(maker, random.RandomState):
            owner = "RandomState"
        elif isinstance(maker, type) and issubclass(maker, random.Generator):
            owner = "Generator"
    else:
        obj = lookup(receiver)
        if isinstance(obj, random.Generator):
            owner = "Generator"
        elif isinstance(obj, random.RandomState):
            owner = "RandomState"
        elif isinstance(obj, types.ModuleType) and obj.__name__.endswith(".random") \
                and callable(getattr(random, method, None)):
            owner = ""  # numpy.random.normal: the module's draws
    if owner is None:
        return None
    cls = {"Generator": random.Generator, "RandomState": random.RandomState,
           "": random}[owner]
    if not callable(getattr(cls, method, None)) or method.startswith("_"):
        return None
    name = f"numpy.random.{owner + '.' if owner else ''}{method}"
    if receiver is not None:
        source = ast.get_source_segment(src.strip(), receiver) or "rng"
    return name, source


class NotProvidedError(AttributeError):
    """An autograd internal name that has no meaning on dualgrad; the message says what to
    use instead (raised by the modules that stand in for autograd's)."""


def refuser(module: str, reasons: dict, default: str | None = None, fallback=None):
    """A module ``__getattr__``: ``fallback(name)`` first (AttributeError: not there),
    then ``NotProvidedError`` with ``reasons[name]`` (or ``default`` for any public
    name) as the reason."""
    def __getattr__(name: str):
        if fallback is not None:
            try:
                return fallback(name)
            except AttributeError:
                pass
        why = reasons.get(name, default if not name.startswith("_") else None)
        if why is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise NotProvidedError(f"{module}.{name} is not provided by dualgrad: {why}")
    return __getattr__
