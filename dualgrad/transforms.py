"""Transforms: grad, jacobian, hessian, jvp, vjp and friends.

Names and signatures follow autograd (``argnum`` may be an int or a tuple);
new options are keyword-only. ``jvp``/``vjp`` also exist in JAX's form.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable, NamedTuple, Sequence

import numpy as onp

from .batching import vmap
from .complex_jacobian import check_layout, real_hessian, real_jacobian
from .jacobians import OutputTree, _jac_fwd, _jac_rev
from .core import ANY, Primitive, Tracer, getval, log
from . import checks
from .duck import is_duck_array
from .fallback import (FWD, REV, elementwise_grad_by_forward, grad_by_forward, jvp_by_reverse,
                       run_modes)
from .forward import push_forward
from .reverse import pull_back
from .vspace import _shape_only, tree_flatten, tree_map, vspace

Fun = Callable[..., Any]
ArgNum = int | Sequence[int]


# --------------------------------------------------------------- plumbing
def _unary(fun: Fun, args: tuple, kwargs: dict, argnum: ArgNum):
    """``fun`` as a function of the argument(s) picked by ``argnum`` alone."""
    if isinstance(argnum, int):
        if not -len(args) <= argnum < len(args):
            raise TypeError(f"argnum={argnum} but the function was called with "
                            f"{len(args)} positional argument(s)." + checks.keyword_hint(kwargs))
        argnum %= len(args)  # argnum=-1: the last argument
        x = args[argnum]

        def unary(xv):
            return fun(*args[:argnum], xv, *args[argnum + 1:], **kwargs)
    else:
        argnum = tuple(argnum)
        checks.check_positions(argnum, len(args), kwargs)
        if len({i % len(args) if isinstance(i, int) and args else i for i in argnum}) < len(argnum):
            # (0, 0) or (0, -2): one argument cannot be substituted twice
            raise ValueError(f"argnum={argnum} names an argument more than once; name each "
                             "argument once (argnum=0 and reuse the result where needed).")
        x = tuple(args[i] for i in argnum)

        def unary(xs):
            full = list(args)
            for i, v in zip(argnum, xs):
                full[i] = v
            return fun(*full, **kwargs)
    return unary, x


def _float_int_arrays(x, who: str):
    """Integer *arrays* given to the gradient transforms are cast to float64 with a
    warning, as autograd 1.9.1 accepts them (its ``elementwise_grad(np.sin)`` of
    ``np.arange(3)`` is the float cosine). Integer scalars and every other transform
    still refuse integers (``_check_input``), as autograd does for scalars."""
    def cast(v):
        if type(v) is onp.ndarray and v.dtype.kind in "iu" and v.ndim > 0:
            warnings.warn(
                f"{who}: an integer array (dtype {v.dtype}) was cast to float64 to be "
                "differentiated; pass x.astype(float) to silence this.", stacklevel=4)
            return v.astype(onp.float64)
        return v
    return tree_map(cast, x)


def _check_input(x, who: str) -> None:
    for leaf in tree_flatten(x)[0]:
        v = getval(leaf)
        checks.check_input_value(v, who)  # np.matrix, object or string arrays
        kind = onp.result_type(v).kind if isinstance(v, (int, float, complex, onp.ndarray, onp.generic)) else None
        if kind is None and (is_duck_array(v) or _shape_only(v)):  # dask, cupy; a batched value
            kind = v.dtype.kind
        if kind in ("i", "u", "b"):
            raise TypeError(
                f"{who} was given an integer input ({v!r}, dtype {onp.result_type(v)}). "
                "Derivatives need floating-point inputs: pass a float, e.g. 1.0 instead of "
                "1, or x.astype(float) for an array.")
        if kind not in ("f", "c"):
            raise TypeError(
                f"{who} cannot differentiate with respect to a value of type "
                f"{type(v).__name__}. Pass floats, complex numbers, numpy arrays (or arrays "
                "implementing numpy's protocols, such as dask arrays), or "
                "tuples/lists/dicts of them.")


def _check_tangents(primals, tangents, who: str) -> None:
    """Each tangent must be shaped like its primal (and have its structure)."""
    p_leaves, p_def = tree_flatten(primals)
    t_leaves, t_def = tree_flatten(tangents)
    if p_def != t_def:
        raise ValueError(f"{who}: the tangents' structure {t_def} does not match the "
                         f"primals' {p_def}.")
    for p, t in zip(p_leaves, t_leaves):
        if onp.result_type(getval(t)).kind not in "fc":
            raise TypeError(f"{who}: a tangent has dtype {onp.result_type(getval(t))}; "
                            "tangents must be floating point (e.g. 1.0, or v.astype(float)).")
        if onp.shape(getval(p)) != onp.shape(getval(t)):
            raise ValueError(f"{who}: a tangent has shape {onp.shape(getval(t))} but its "
                             f"primal has shape {onp.shape(getval(p))}; give tangents "
                             "shaped like the inputs.")


def _wraps(fun: Fun, name: str):
    def deco(g):
        functools.update_wrapper(g, fun, assigned=("__module__", "__doc__"))
        g.__name__ = f"{name}_of_{getattr(fun, '__name__', 'f')}"
        g.__qualname__ = g.__name__
        return g
    return deco


def _size(x) -> int:
    return int(onp.prod(onp.shape(getval(x)), dtype=int))


# --------------------------------------------------------------- reverse mode
def make_vjp(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``make_vjp(f)(*args)`` returns ``(vjp, f(*args))``; ``vjp(g) = g^T J``."""
    checks.check_fun(fun, "make_vjp")
    checks.check_argnum(argnum, "make_vjp")
    def vjp_maker(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        _check_input(x, "make_vjp")
        ans, pull = pull_back(unary, (x,))
        return (lambda g: pull(g)[0]), ans
    return _wraps(fun, "vjp")(vjp_maker)


def _scalar_output(ans, who: str) -> None:
    if _size(ans) != 1 or isinstance(ans, (tuple, list, dict)):
        shape = onp.shape(getval(ans)) if not isinstance(ans, (tuple, list, dict)) else type(ans).__name__
        raise TypeError(
            f"{who} needs a scalar output, but the function returned shape {shape}. Use "
            "jacobian(f) for the full derivative or elementwise_grad(f) for an elementwise "
            "one, or reduce the output first (e.g. dualgrad.numpy.sum).")
    kind = onp.result_type(getval(ans)).kind
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


def value_and_grad(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``(f(x), grad f(x))`` from one forward and one backward pass."""
    checks.check_fun(fun, "value_and_grad")
    checks.check_argnum(argnum, "value_and_grad")

    def vg(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        x = _float_int_arrays(x, "grad")
        _check_input(x, "grad")

        def check(ans):
            checks.check_output_number(ans, "grad(f)")
            _scalar_output(ans, "grad(f)")

        def rev():
            ans, pull = pull_back(unary, (x,), once=True)
            check(ans)
            return ans, pull(vspace(ans).ones())[0]
        # no VJP rule for some primitive: the gradient from forward mode (n directions)
        return run_modes("grad", [(REV, rev), (FWD, lambda: grad_by_forward(unary, x, check))]).value
    return _wraps(fun, "value_and_grad")(vg)


def grad(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """
    Returns a function which computes the gradient of a scalar-valued ``fun`` with
    respect to argument ``argnum`` (autograd's wording).

    For ``f(z) = u + i v`` of a complex ``z`` it is ``du/dx - i du/dy``.

    >>> import dualgrad.numpy as np
    >>> float(grad(np.sin)(0.0))
    1.0
    """
    checks.check_fun(fun, "grad")
    checks.check_argnum(argnum, "grad")
    vg = value_and_grad(fun, argnum)

    def gradfun(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    gradfun = _wraps(fun, "grad")(gradfun)
    name = getattr(fun, "__name__", "f")  # autograd's name and docstring for the result
    gradfun.__name__ = gradfun.__qualname__ = f"grad_of_{name}_wrt_argnum_{argnum}"
    gradfun.__doc__ = (f"    grad of function {name} with respect to argument number {argnum}. "
                       f"Takes the\n    same arguments as {name} but returns the grad.\n")
    return gradfun


def grad_and_aux(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """For ``fun`` returning ``(loss, aux)``: returns ``(grad loss, aux)``.

    ``aux`` may be anything (strings, None, arrays computed from ``x``): it is
    returned as it is, with values traced by this transform made plain."""
    checks.check_fun(fun, "grad_and_aux")
    checks.check_argnum(argnum, "grad_and_aux")

    def ga(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        x = _float_int_arrays(x, "grad_and_aux")
        _check_input(x, "grad_and_aux")
        seen = []  # (aux, the level that traced it)

        def loss_only(xv):  # only the loss is differentiated: aux needs no vector space
            out = unary(xv)
            checks.check_pair_output(out)
            leaves = tree_flatten(xv)[0]
            seen.append((out[1], leaves[0]._level if leaves else None))
            return out[0]
        ans, pull = pull_back(loss_only, (x,), once=True)
        checks.check_output_number(ans, "grad_and_aux(f)")
        _scalar_output(ans, "grad_and_aux(f)")
        aux, level = seen[-1]
        return pull(vspace(ans).ones())[0], checks.unwrap_level(aux, level)
    return _wraps(fun, "grad_and_aux")(ga)


def elementwise_grad(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """The sum of the Jacobian's rows: ``J^T 1``. Equals the elementwise derivative
    when output i depends only on input i (e.g. ``np.sin`` applied to a grid)."""
    checks.check_fun(fun, "elementwise_grad")
    checks.check_argnum(argnum, "elementwise_grad")

    def eg(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        x = _float_int_arrays(x, "elementwise_grad")
        _check_input(x, "elementwise_grad")

        def rev():
            ans, pull = pull_back(unary, (x,), once=True)
            return pull(_ones_like(ans))[0]
        return run_modes("elementwise_grad", [
            (REV, rev), (FWD, lambda: elementwise_grad_by_forward(unary, x))]).value
    return _wraps(fun, "elementwise_grad")(eg)


def _ones_like(ans):
    """The all-ones cotangent; for a large real array a read-only broadcast view
    (no 8 bytes per entry to write), which ``pull_back`` copies if returned as is."""
    v = getval(ans)
    if type(v) is onp.ndarray and v.dtype.kind == "f" and v.size > 4096 and not isinstance(
            ans, Tracer):
        return onp.broadcast_to(onp.ones((), v.dtype), v.shape)
    return vspace(ans).ones()


def vjp(fun: Fun, *primals):
    """JAX-style: ``out, f_vjp = vjp(f, *primals)``; ``f_vjp(g)`` is a tuple."""
    checks.check_fun(fun, "vjp")
    _check_input(primals, "vjp")
    return pull_back(fun, primals)


def tensor_jacobian_product(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``tjp(*args, v) = tensordot(v, J, v.ndim)``: for ``v`` shaped like the output,
    the vector-Jacobian product ``v^T J``."""
    def vector_dot_fun(*args, **kwargs):
        args, v = args[:-1], args[-1]
        out = fun(*args, **kwargs)
        from .numpy import tensordot
        return tensordot(v, out, axes=onp.ndim(v))
    return jacobian(vector_dot_fun, argnum, mode="rev")


vector_jacobian_product = tensor_jacobian_product


# --------------------------------------------------------------- forward mode
def make_jvp(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``make_jvp(f)(*args)`` returns ``jvp`` with ``jvp(v) = (f(*args), J v)``."""
    checks.check_fun(fun, "make_jvp")
    checks.check_argnum(argnum, "make_jvp")
    def jvp_maker(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        _check_input(x, "make_jvp")

        def jvp_at(v):
            _check_tangents(x, v, "make_jvp")
            return _push(unary, (x,), (v,), "make_jvp")
        return jvp_at
    return _wraps(fun, "jvp")(jvp_maker)


def deriv(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """Forward-mode derivative along the all-ones direction: ``J 1``.
    For a scalar input this is the ordinary derivative."""
    checks.check_fun(fun, "deriv")
    checks.check_argnum(argnum, "deriv")
    def d(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        _check_input(x, "deriv")
        return _push(unary, (x,), (vspace(x).ones(),), "deriv")[1]
    return _wraps(fun, "deriv")(d)


def jvp(fun: Fun, primals: Sequence, tangents: Sequence):
    """JAX-style: ``out, out_tangent = jvp(f, primals, tangents)``."""
    checks.check_fun(fun, "jvp")
    checks.check_jvp_args(primals, tangents)
    primals, tangents = tuple(primals), tuple(tangents)
    _check_input(primals, "jvp")
    _check_tangents(primals, tangents, "jvp")
    return _push(fun, primals, tangents, "jvp")


def _push(fun: Fun, primals: tuple, tangents: tuple, who: str):
    """``push_forward``, or, when some primitive has a VJP but no JVP, the same
    ``(out, J t)`` from two reverse passes (``fallback.jvp_by_reverse``)."""
    return run_modes(who, [(FWD, lambda: push_forward(fun, primals, tangents)),
                           (REV, lambda: jvp_by_reverse(fun, primals, tangents))]).value


# --------------------------------------------------------------- Jacobians
class ModeChoice(NamedTuple):
    """Which mode ``jacobian`` used, and why."""
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


def jacobian(fun: Fun, argnum: ArgNum = 0, *, mode: str = "auto", explain: bool = False,
             batch: bool = True, chunk_size: int | None = None,
             complex_layout: str = "complex") -> Fun:
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

    Complex values (see :mod:`dualgrad.complex_jacobian`): a real input entry x_j
    gives df/dx_j (complex for complex f); a complex one z_j = x_j + i y_j gives
    du/dx_j - i du/dy_j, grad's convention, which is df/dz_j for holomorphic f.
    ``complex_layout="real"`` returns instead the 2-D real matrix of all partials,
    ``[[du/dx, du/dy], [dv/dx, dv/dy]]`` (real coordinates in vspace order).

    >>> import dualgrad.numpy as np
    >>> jacobian(lambda x: 2 * x)(np.ones(2))
    array([[2., 0.],
           [0., 2.]])
    """
    if mode not in ("auto", "fwd", "rev"):
        raise ValueError(f"mode must be 'auto', 'fwd' or 'rev', not {mode!r}.")
    check_layout(complex_layout)
    checks.check_fun(fun, "jacobian")
    checks.check_argnum(argnum, "jacobian")
    checks.check_chunk_size(chunk_size)

    def jac(*args, **kwargs):
        unary, x = _unary(fun, args, kwargs, argnum)
        _check_input(x, "jacobian")
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
        # a primitive with no rule in the chosen mode: the other mode (dualgrad.fallback)
        modes = [FWD, REV] if choice.mode == "fwd" else [REV, FWD]
        run = {"fwd": _jac_fwd, "rev": _jac_rev}
        done = run_modes("jacobian", [
            (m, lambda m=m: run[m.name](out.flat, x, batch, chunk_size)) for m in modes])
        if done.failed:
            choice = choice._replace(mode=done.mode.name, reason=f"{choice.reason} {done.note()}")
        J = out.split(done.value[1], x)
        return (J, choice) if explain else J
    return _wraps(fun, "jacobian")(jac)


def jacfwd(fun: Fun, argnum: ArgNum = 0, *, batch: bool = True,
           chunk_size: int | None = None) -> Fun:
    """The Jacobian by forward mode: all input directions in one batched pass
    (reverse mode if some primitive has no JVP rule)."""
    return jacobian(fun, argnum, mode="fwd", batch=batch, chunk_size=chunk_size)


def jacrev(fun: Fun, argnum: ArgNum = 0, *, batch: bool = True,
           chunk_size: int | None = None) -> Fun:
    """The Jacobian by reverse mode: one tape, all output directions in one
    batched backward pass (forward mode if some primitive has no VJP rule)."""
    return jacobian(fun, argnum, mode="rev", batch=batch, chunk_size=chunk_size)


def hessian(fun: Fun, argnum: ArgNum = 0, *, batch: bool = True,
            chunk_size: int | None = None, complex_layout: str = "complex") -> Fun:
    """The Hessian, forward-over-reverse: ``jacfwd(jacrev(fun))``, with all n
    tangent directions pushed through one evaluation of the gradient.

    A primitive with a VJP but no JVP (``defvjp`` alone, as autograd's docs
    show) makes it reverse-over-reverse, one with only a JVP forward-over-forward
    (each ``jacobian`` falls back to the mode whose rules exist, see
    :mod:`dualgrad.fallback`).

    >>> import dualgrad.numpy as np
    >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    check_layout(complex_layout)
    checks.check_fun(fun, "hessian")
    checks.check_argnum(argnum, "hessian")
    if complex_layout == "real":  # the real Hessian of Re f over real coordinates
        def real_hess(*args, **kwargs):
            unary, x = _unary(fun, args, kwargs, argnum)
            _check_input(x, "hessian")
            return real_hessian(unary, x, hessian, batch=batch, chunk_size=chunk_size)
        return _wraps(fun, "hessian")(real_hess)
    inner = jacrev(fun, argnum, batch=batch)
    return _wraps(fun, "hessian")(jacfwd(inner, argnum, batch=batch, chunk_size=chunk_size))


def hessian_tensor_product(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``hvp(*args, v) = H v``, forward-over-reverse (no Hessian is formed);
    reverse-over-reverse when some primitive has no JVP rule."""
    g = grad(fun, argnum)

    def hvp(*args, **kwargs):
        args, v = args[:-1], args[-1]
        unary, x = _unary(g, args, kwargs, argnum)
        _check_tangents(x, v, "hessian_vector_product(f)(x, v)")
        return _push(unary, (x,), (v,), "hessian_vector_product")[1]
    return _wraps(fun, "hvp")(hvp)


hessian_vector_product = hessian_tensor_product


def make_hvp(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``make_hvp(f)(*args)`` returns ``(hvp, grad f(*args))`` with ``hvp(v) = H v``,
    reusing one tape of the gradient for many ``v`` (reverse-over-reverse); when
    some primitive has no VJP rule, ``hvp(v)`` is a forward pass over the gradient."""
    g = grad(fun, argnum)
    rev = make_vjp(g, argnum)

    def hvp_maker(*args, **kwargs):
        def fwd():
            unary, x = _unary(g, args, kwargs, argnum)
            return (lambda v: _push(unary, (x,), (v,), "make_hvp")[1]), unary(x)
        return run_modes("make_hvp", [(REV, lambda: rev(*args, **kwargs)), (FWD, fwd)]).value
    return _wraps(fun, "hvp")(hvp_maker)


def make_ggnvp(f: Fun, g: Fun = lambda x: 0.5 * (x ** 2).sum(axis=-1), f_argnum: int = 0) -> Fun:
    """Generalized Gauss-Newton vector products ``J_f^T H_g J_f v`` (autograd's API)."""
    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = make_vjp(f, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        f_jvp = make_jvp(f, f_argnum)(*args, **kwargs)

        def ggnvp(v):
            return f_vjp(g_hvp(f_jvp(v)[1]))
        return ggnvp
    return ggnvp_maker


def holomorphic_grad(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """The complex derivative f'(z) of a holomorphic scalar ``fun``.

    It equals ``grad(fun)`` (the convention's du/dx - i du/dy, which is f'(z) when
    the Cauchy-Riemann equations hold); the name records that you rely on
    holomorphy. For a non-holomorphic ``fun`` it is the gradient of Re f; all four
    real partials come from ``jacobian(fun, complex_layout="real")``.

    >>> import dualgrad.numpy as np
    >>> complex(holomorphic_grad(lambda z: z ** 2)(1.0 + 2.0j))
    (2+4j)
    """
    def hg(*args, **kwargs):
        from .numpy import real
        return grad(lambda *a, **k: real(fun(*a, **k)), argnum)(*args, **kwargs)
    return _wraps(fun, "holomorphic_grad")(hg)


# --------------------------------------------------------------- by name
def multigrad_dict(fun: Fun) -> Fun:
    """Gradients with respect to every argument (defaults included), as a dict
    keyed by parameter name; a ``*args`` entry is a tuple, a ``**kwargs`` one a dict."""
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
    """The gradient with respect to the argument called ``argname``."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"grad_named: {getattr(fun, '__name__', 'the function')} has no "
                        f"parameter {argname!r}; its parameters are {', '.join(names)}.")
    return grad(fun, names.index(argname))


# --------------------------------------------------------------- checkpointing
def checkpoint(fun: Fun) -> Fun:
    """``fun`` as one primitive whose tape is not kept: its derivatives are
    recomputed from the inputs when needed (memory for time)."""
    checks.check_fun(fun, "checkpoint")
    prim = Primitive(fun, getattr(fun, "__name__", "checkpointed"))

    def ck_vjp(argnum, g, ans, *args, **kwargs):
        return make_vjp(fun, argnum)(*args, **kwargs)[0](g)

    def ck_jvp(argnum, t, ans, *args, **kwargs):
        return make_jvp(fun, argnum)(*args, **kwargs)(t)[1]
    prim.def_vjp(ck_vjp, argnum=ANY, reads="args")  # the inputs only: not the answer
    prim.def_jvp(ck_jvp, argnum=ANY)
    return prim


__all__ = ["grad", "value_and_grad", "grad_and_aux", "elementwise_grad", "deriv", "make_jvp",
           "make_vjp", "vector_jacobian_product", "tensor_jacobian_product", "jacobian",
           "jacfwd", "jacrev", "hessian", "hessian_tensor_product", "hessian_vector_product",
           "make_hvp", "make_ggnvp", "holomorphic_grad", "multigrad_dict", "grad_named",
           "checkpoint", "jvp", "vjp", "pick_mode", "ModeChoice", "vmap"]
