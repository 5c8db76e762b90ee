"""mpmath numbers as a number type of dualgrad: derivatives in arbitrary precision.

``grad(f)(mpmath.mpf("0.5"))`` differentiates ``f`` in the working precision
(``mpmath.mp.dps``). Inside a transform an ``mpf`` travels as an :class:`MP`, a
small wrapper that NumPy's object-dtype loops know how to compute with: NumPy
applies a ufunc to an object by calling the method of the ufunc's name
(``np.sin(obj)`` calls ``obj.sin()``), and the operators by the operators. So
``dualgrad.numpy``'s primitives, their JVP and VJP rules, reductions and
``dot``/``matmul`` all run unchanged on MP values and object arrays of them,
and the transforms hand back ``mpf`` (or object arrays of ``mpf``).

Nothing rounds silently: ``float(MP)`` raises, and a primitive without an
mpmath path raises naming the method NumPy looked for (``no callable fft
method``).

Complex ``mpc`` numbers travel as MP too. An object array has no complex dtype
for dualgrad's complex convention to key on, so the places that ask "is this
complex?" ask :func:`mp_is_complex` for object values (``rules.complex``, the
vector spaces, the transforms' output checks): an MP array is complex when it
holds an ``mpc``. ``real``/``imag`` of one are computed entry by entry
(:func:`mp_real`, :func:`mp_imag`: NumPy's ``.real`` of an object array is the
array itself).
"""
from __future__ import annotations

import contextlib
import functools
import operator
import re

import numpy as onp

__all__ = ["MP", "is_mp", "is_mp_value", "to_mp", "from_mp", "mp_zero_like", "mp_one_like",
           "make_mp_vspace", "mp_is_complex", "mp_real", "mp_imag", "mp_angle", "mp_kind",
           "mp_errors", "mp_results", "mp_function", "mp_scalar"]


def _mpmath():
    import mpmath  # deferred: only mpmath inputs need it
    return mpmath


def _is_mpmath_number(v) -> bool:
    return type(v).__module__.startswith("mpmath") and hasattr(v, "_mpf_") or \
        type(v).__module__.startswith("mpmath") and hasattr(v, "_mpc_")


def _operand(o):
    """The mpmath value of a number operand (a float or complex converts exactly), or
    None for anything else."""
    if type(o) is MP:
        return o.v
    if isinstance(o, onp.generic) and o.dtype.kind in "biufc":
        o = o.item()
    if isinstance(o, (bool, int, float)):
        return _mpmath().mpf(o)
    if isinstance(o, complex):
        return _mpmath().mpc(o)
    if _is_mpmath_number(o):
        return o
    return None


def _binary(op):
    def forward(self, o):
        v = _operand(o)
        return NotImplemented if v is None else _wrap(op(self.v, v))

    def reflected(self, o):
        v = _operand(o)
        return NotImplemented if v is None else _wrap(op(v, self.v))
    return forward, reflected


def _compare(op):
    def compare(self, o):
        v = _operand(o)
        return NotImplemented if v is None else op(self.v, v)
    return compare


class MP:
    """An ``mpmath.mpf`` or ``mpc`` inside dualgrad: arithmetic and the ufunc-named
    methods NumPy's object loops call, each computed by mpmath at ``mp.dps``."""

    __slots__ = ("v",)
    dtype = onp.dtype(object)   # what is_differentiable and the vector spaces read
    ndim = 0
    shape = ()

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"MP({self.v})"

    # ----------------------------------------------------------- conversions
    def __float__(self):
        raise TypeError("dualgrad: an mpmath number would be rounded to float64 here; no "
                        "silent rounding. The function (or a rule it reached) converts to "
                        "float: keep the computation in dualgrad.numpy functions.")

    __int__ = __index__ = __complex__ = __float__

    def __bool__(self):
        return bool(self.v)

    # ----------------------------------------------------------- arithmetic
    # An operand that is not a number (a tracer, an array) gets NotImplemented, so that
    # Python asks it (``Dual.__rmul__``): computing ``mpf * tracer`` here would hand the
    # tracer raw mpf values, which it cannot differentiate (a silent zero derivative).
    __add__, __radd__ = _binary(operator.add)
    __sub__, __rsub__ = _binary(operator.sub)
    __mul__, __rmul__ = _binary(operator.mul)
    __truediv__, __rtruediv__ = _binary(operator.truediv)
    __pow__, __rpow__ = _binary(lambda a, b: _pow(a, b))
    def __neg__(self): return MP(-self.v)
    def __pos__(self): return self
    def __abs__(self): return MP(abs(self.v))
    __lt__ = _compare(operator.lt)
    __le__ = _compare(operator.le)
    __gt__ = _compare(operator.gt)
    __ge__ = _compare(operator.ge)
    __eq__ = _compare(operator.eq)
    __ne__ = _compare(operator.ne)
    def __hash__(self): return hash(self.v)

    # --------------------------------------- the methods NumPy's object loops call
    def conjugate(self):
        return MP(self.v.conjugate()) if hasattr(self.v, "_mpc_") else self


def _pow(a, b):
    mp = _mpmath()
    if hasattr(a, "_mpf_") and hasattr(b, "_mpf_") and a < 0 and not mp.isint(b):
        raise ValueError("dualgrad: a negative real mpmath number to a non-integer power "
                         "(NumPy gives nan for a real base); make the base complex "
                         "(mpmath.mpc) for the principal complex power.")
    return a ** b


_UNARY = {  # ufunc name -> mpmath function name
    "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos",
    "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arcsinh": "asinh",
    "arccosh": "acosh", "arctanh": "atanh", "exp": "exp", "expm1": "expm1", "log": "ln",
    "log1p": "log1p", "log10": "log10", "sqrt": "sqrt", "cbrt": "cbrt",
}


def _method(mpname):
    def m(self):
        return MP(getattr(_mpmath(), mpname)(self.v))
    m.__name__ = mpname
    return m


for _np_name, _mp_name in _UNARY.items():
    setattr(MP, _np_name, _method(_mp_name))
MP.exp2 = lambda self: MP(_mpmath().mpf(2) ** self.v)
MP.log2 = lambda self: MP(_mpmath().log(self.v, 2))
MP.square = lambda self: MP(self.v * self.v)
MP.reciprocal = lambda self: MP(1 / self.v)
def _sign(self):
    v = self.v
    if hasattr(v, "_mpc_"):   # z / |z| (NumPy 2's complex sign), 0 at 0
        return MP(v / abs(v) if v != 0 else _mpmath().mpc(0))
    return MP(_mpmath().sign(v))


MP.sign = _sign
MP.arctan2 = lambda self, o: MP(_mpmath().atan2(self.v, _un(o)))
MP.hypot = lambda self, o: MP(_mpmath().hypot(self.v, _un(o)))


def _un(o):
    """The mpmath value of an operand (a float converts exactly)."""
    if type(o) is MP:
        return o.v
    if isinstance(o, onp.generic):
        o = o.item()
    if isinstance(o, (bool, int, float)):
        return _mpmath().mpf(o)
    if isinstance(o, complex):
        return _mpmath().mpc(o)   # exactly, as a float converts
    return o


def _wrap(v):
    return MP(v) if hasattr(v, "_mpf_") or hasattr(v, "_mpc_") else v


# ----------------------------------------------------------------- the boundary
def is_mp(v) -> bool:
    """An MP, or an object ndarray holding them (a rule's zeros, NumPy's ``zeros_like``
    of an object array, may sit beside them as int 0)."""
    if type(v) is MP:
        return True
    return (isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size > 0
            and (type(v.flat[0]) is MP or any(type(e) is MP for e in v.flat)))


def is_mp_value(v) -> bool:
    """An mpmath ``mpf``/``mpc``, or an object ndarray of them (a user's input)."""
    if _is_mpmath_number(v):
        return True
    return (isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size > 0
            and _is_mpmath_number(v.flat[0]))


def mp_is_complex(v) -> bool:
    """``v`` (an MP or an object array of them) holds an ``mpc``."""
    if type(v) is MP:
        return hasattr(v.v, "_mpc_")
    if isinstance(v, onp.ndarray) and v.dtype.kind == "O":
        return any(hasattr(e.v, "_mpc_") if type(e) is MP else isinstance(e, complex)
                   for e in v.flat)   # (a Python complex beside MP values: a constant)
    return False


def mp_kind(v):
    """NumPy's dtype kind for mpmath values: "c" (holds an mpc), "f" (mpf only), or
    None for anything else (ask NumPy)."""
    if not is_mp(v):
        return None
    return "c" if mp_is_complex(v) else "f"


def _part(name):
    def part(v):
        def one(e):
            e = e.v if type(e) is MP else _un(e)
            return MP(getattr(e, name) if hasattr(e, "_mpc_") else
                      (e if name == "real" else e * 0))
        if type(v) is MP or not isinstance(v, onp.ndarray):
            return one(v)
        out = onp.empty(v.shape, object)
        for i, e in enumerate(v.flat):
            out.flat[i] = one(e)
        return out
    part.__name__ = f"mp_{name}"
    part.__doc__ = f"The {name} part of each mpmath number in ``v``, as real MP values."
    return part


mp_real, mp_imag = _part("real"), _part("imag")


def mp_angle(v, deg: bool = False):
    """The argument of each mpmath number in ``v`` (0 or pi for a real one), in
    radians or, with ``deg``, degrees."""
    mp = _mpmath()

    def one(e):
        a = mp.arg(e.v if type(e) is MP else _un(e))
        return MP(a * 180 / mp.pi if deg else a)
    if not isinstance(v, onp.ndarray):
        return one(v)
    out = onp.empty(v.shape, object)
    for i, e in enumerate(v.flat):
        out.flat[i] = one(e)
    return out


def to_mp(tree, numbers: bool = False):
    """mpmath numbers (and object arrays of them) in ``tree`` as MP values; with
    ``numbers``, float and complex numbers and arrays too (exactly: the tangents and
    cotangents given at an mpmath point, so that what they reach is mpmath)."""
    return _tree_map(_number_to_mp_leaf if numbers else _to_mp_leaf, tree)


def _number_to_mp_leaf(v):
    if isinstance(v, (float, complex, onp.floating, onp.complexfloating)):
        return MP(_un(v))
    if isinstance(v, onp.ndarray) and v.dtype.kind in "fc":
        out = onp.empty(v.shape, object)
        for i, e in enumerate(v.flat):
            out.flat[i] = MP(_un(e))
        return out
    return _to_mp_leaf(v)


def _to_mp_leaf(v):
    if _is_mpmath_number(v):
        return MP(v)
    if isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size and \
            _is_mpmath_number(v.flat[0]):
        out = onp.empty(v.shape, object)
        for i, e in enumerate(v.flat):
            if not _is_mpmath_number(e):
                raise TypeError(f"an object array given to a transform must hold mpmath "
                                f"numbers only; entry {i} is {type(e).__name__}.")
            out.flat[i] = MP(e)
        return out
    return v


def from_mp(tree):
    """MP values (and object arrays of them) in ``tree`` back as mpmath numbers."""
    return _tree_map(_from_mp_leaf, tree)


def _from_mp_leaf(v):
    if type(v) is MP:
        return v.v
    if isinstance(v, onp.ndarray) and v.dtype.kind == "O":
        out = onp.empty(v.shape, object)
        for i, e in enumerate(v.flat):
            out.flat[i] = e.v if type(e) is MP else (_mpmath().mpf(e) if isinstance(
                e, (int, float)) else _mpmath().mpc(e) if isinstance(e, complex) else e)
        return out if v.ndim else out[()]
    return v


_NO_OBJECT_LOOP = re.compile(r"ufunc '(\w+)' not supported for the input types|"
                             r"no callable (\w+) method")


@contextlib.contextmanager
def mp_errors(who: str):
    """NumPy's message for a function without an object loop, as dualgrad's."""
    try:
        yield
    except TypeError as e:
        m = _NO_OBJECT_LOOP.search(str(e))
        if m is None:
            raise
        name = m.group(1) or m.group(2)
        raise TypeError(f"{who}: '{name}' has no mpmath path, so it cannot compute with "
                        "mpmath numbers (dualgrad never rounds them to float64). Use "
                        "functions that have one (python -m dualgrad coverage lists them), "
                        "or float inputs.") from e


def mp_results(tree, who: str):
    """``from_mp(tree)``, each function in it (``make_vjp``'s ``vjp``, ``make_jvp``'s
    ``jvp``) wrapped by :func:`mp_function`: what a transform of mpmath inputs hands
    back takes and gives mpmath numbers, its own calls included."""
    return _tree_map(lambda v: mp_function(v, who) if callable(v) and not isinstance(v, type)
                     else _from_mp_leaf(v), tree)


def mp_function(fn, who: str):
    """``fn`` at the mpmath boundary: mpmath numbers among its arguments computed as
    MP, its results handed back as mpmath numbers, NumPy's missing-loop errors named
    (:func:`mp_errors`)."""
    @functools.wraps(fn)
    def on_mp(*args, **kwargs):
        with mp_errors(who):
            return mp_results(fn(*to_mp(args, True), **to_mp(kwargs, True)), who)
    return on_mp


def _tree_map(f, tree):
    """``f`` on the leaves of tuples, lists and dicts (this module sits below
    ``core.trees``, which imports the tracer that imports it)."""
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        return type(tree)(_tree_map(f, t) for t in tree)
    if type(tree) is dict:
        return {k: _tree_map(f, v) for k, v in tree.items()}
    return f(tree)


def mp_scalar(value, iscomplex: bool = False) -> MP:
    """``value`` (a number, or a string such as "nan") as an mpf, or an mpc, MP."""
    mp = _mpmath()
    return MP(mp.mpc(value) if iscomplex else mp.mpf(value))


def mp_zero_like(v):
    zero = MP(_mpmath().mpf(0))
    if type(v) is MP:
        return zero
    out = onp.empty(onp.shape(v), object)
    out.fill(zero)
    return out


def mp_fill(v) -> None:
    """The plain numbers of the object array ``v`` (a constructor's 0s and 1s beside
    mpmath numbers written into it) made MP in place, so that every part of ``v`` is a
    value with a derivative (a row of int zeros alone would be a constant)."""
    mpf = _mpmath().mpf
    for i, e in enumerate(v.flat):
        if type(e) is not MP and isinstance(e, (int, float, onp.integer, onp.floating)):
            v.flat[i] = MP(mpf(e))


def mp_one_like(v):
    one = MP(_mpmath().mpf(1))
    if type(v) is MP:
        return one
    out = onp.empty(onp.shape(v), object)
    out.fill(one)
    return out



def make_mp_vspace(base):
    """``MPVSpace`` as a subclass of ``spaces.VSpace`` (given by the caller: this module
    sits below spaces in the import order)."""
    class MPVSpace(base):
        """mpmath numbers (an MP, or an object array of them) of one shape. A complex
        one (holding an mpc) is a real space of twice the size with the inner product
        Re(sum(conj(a) b)), as NumPy's complex arrays are (``core.spaces``)."""

        def __init__(self, value):
            self.scalar = type(value) is MP
            self.shape = () if self.scalar else onp.shape(value)
            self.dtype = onp.dtype(object)
            self.iscomplex = mp_is_complex(value)
            n = int(onp.prod(self.shape, dtype=int))
            self.size = 2 * n if self.iscomplex else n

        def _fill(self, v):
            e = MP(_mpmath().mpc(v) if self.iscomplex else _mpmath().mpf(v))
            if self.scalar:
                return e
            out = onp.empty(self.shape, object)
            out.fill(e)
            return out

        def zeros(self):
            return self._fill(0)

        def ones(self):
            return self._fill(1)

        def inner_prod(self, x, y):
            if self.iscomplex:
                return mp_real(onp.sum(onp.multiply(onp.conjugate(x), y)))
            return onp.sum(onp.multiply(x, y))

        def _covector(self, x):
            return onp.conjugate(x) if self.iscomplex else x

        def flatten(self, x):
            x = onp.ravel(onp.asarray(x, dtype=object))
            if self.iscomplex:
                return onp.concatenate([mp_real(x), mp_imag(x)])
            return x

        def unflatten(self, v):
            v = [e if type(e) is MP else MP(_un(e)) for e in v]
            if self.iscomplex:
                n = len(v) // 2
                v = [MP(_mpmath().mpc(a.v, b.v)) for a, b in zip(v[:n], v[n:])]
            out = onp.empty(len(v), object)
            for i, e in enumerate(v):
                out[i] = e
            return out[0] if self.scalar else out.reshape(self.shape)

        def randn(self, rng=None):
            rng = rng or onp.random
            return self.unflatten(list(rng.standard_normal(self.size)))

        def __eq__(self, other):
            return isinstance(other, MPVSpace) and (self.shape, self.scalar, self.iscomplex) == (
                other.shape, other.scalar, other.iscomplex)

        __hash__ = None

        def __repr__(self):
            return f"MPVSpace(shape={self.shape}{', complex' if self.iscomplex else ''})"
    return MPVSpace
