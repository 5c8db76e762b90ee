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
method``). Only real ``mpf`` is supported; ``mpc`` is refused with a message
(dualgrad's complex conventions key on NumPy's complex dtypes, which an object
array does not have).
"""
from __future__ import annotations

import numpy as onp

__all__ = ["MP", "is_mp", "is_mp_value", "to_mp", "from_mp", "mp_zero_like", "mp_one_like",
           "make_mp_vspace"]


def _mpmath():
    import mpmath  # deferred: only mpmath inputs need it
    return mpmath


def _is_mpmath_number(v) -> bool:
    return type(v).__module__.startswith("mpmath") and hasattr(v, "_mpf_") or \
        type(v).__module__.startswith("mpmath") and hasattr(v, "_mpc_")


class MP:
    """An ``mpmath.mpf`` inside dualgrad: arithmetic and the ufunc-named methods
    NumPy's object loops call, each computed by mpmath at ``mp.dps``."""

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
    def __add__(self, o): return _wrap(self.v + _un(o))
    def __radd__(self, o): return _wrap(_un(o) + self.v)
    def __sub__(self, o): return _wrap(self.v - _un(o))
    def __rsub__(self, o): return _wrap(_un(o) - self.v)
    def __mul__(self, o): return _wrap(self.v * _un(o))
    def __rmul__(self, o): return _wrap(_un(o) * self.v)
    def __truediv__(self, o): return _wrap(self.v / _un(o))
    def __rtruediv__(self, o): return _wrap(_un(o) / self.v)
    def __pow__(self, o): return _wrap(_pow(self.v, _un(o)))
    def __rpow__(self, o): return _wrap(_pow(_un(o), self.v))
    def __neg__(self): return MP(-self.v)
    def __pos__(self): return self
    def __abs__(self): return MP(abs(self.v))
    def __lt__(self, o): return self.v < _un(o)
    def __le__(self, o): return self.v <= _un(o)
    def __gt__(self, o): return self.v > _un(o)
    def __ge__(self, o): return self.v >= _un(o)
    def __eq__(self, o): return self.v == _un(o)
    def __ne__(self, o): return self.v != _un(o)
    def __hash__(self): return hash(self.v)

    # --------------------------------------- the methods NumPy's object loops call
    def conjugate(self): return self


def _pow(a, b):
    mp = _mpmath()
    if a < 0 and not mp.isint(b):
        raise ValueError("dualgrad: a negative mpmath number to a non-integer power is "
                         "complex; mpc is not supported.")
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
MP.sign = lambda self: MP(_mpmath().sign(self.v))
MP.arctan2 = lambda self, o: MP(_mpmath().atan2(self.v, _un(o)))
MP.hypot = lambda self, o: MP(_mpmath().hypot(self.v, _un(o)))


def _un(o):
    """The mpmath value of an operand (a float converts exactly)."""
    if type(o) is MP:
        return o.v
    if isinstance(o, onp.generic):
        o = o.item()
    if isinstance(o, complex):
        raise TypeError("dualgrad: complex values with mpmath numbers (mpc) are not "
                        "supported.")
    if isinstance(o, (bool, int, float)):
        return _mpmath().mpf(o)
    return o


def _wrap(v):
    return MP(v) if hasattr(v, "_mpf_") else v


# ----------------------------------------------------------------- the boundary
def is_mp(v) -> bool:
    """An MP, or an object ndarray of them."""
    if type(v) is MP:
        return True
    return (isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size > 0
            and type(v.flat[0]) is MP)


def is_mp_value(v) -> bool:
    """An mpmath ``mpf``/``mpc``, or an object ndarray of them (a user's input)."""
    if _is_mpmath_number(v):
        return True
    return (isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size > 0
            and _is_mpmath_number(v.flat[0]))


def _check_real(v):
    if hasattr(v, "_mpc_"):
        raise TypeError("dualgrad differentiates real mpmath numbers (mpf); mpc is not "
                        "supported: split it into real and imaginary mpf parts.")


def to_mp(tree):
    """mpmath numbers (and object arrays of them) in ``tree`` as MP values."""
    return _tree_map(_to_mp_leaf, tree)


def _to_mp_leaf(v):
    if _is_mpmath_number(v):
        _check_real(v)
        return MP(v)
    if isinstance(v, onp.ndarray) and v.dtype.kind == "O" and v.size and \
            _is_mpmath_number(v.flat[0]):
        out = onp.empty(v.shape, object)
        for i, e in enumerate(v.flat):
            if not _is_mpmath_number(e):
                raise TypeError(f"an object array given to a transform must hold mpmath "
                                f"numbers only; entry {i} is {type(e).__name__}.")
            _check_real(e)
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
                e, (int, float)) else e)
        return out if v.ndim else out[()]
    return v


def _tree_map(f, tree):
    """``f`` on the leaves of tuples, lists and dicts (this module sits below
    ``core.trees``, which imports the tracer that imports it)."""
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        return type(tree)(_tree_map(f, t) for t in tree)
    if type(tree) is dict:
        return {k: _tree_map(f, v) for k, v in tree.items()}
    return f(tree)


def mp_zero_like(v):
    zero = MP(_mpmath().mpf(0))
    if type(v) is MP:
        return zero
    out = onp.empty(onp.shape(v), object)
    out.fill(zero)
    return out


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
        """Real mpmath numbers (an MP, or an object array of them) of one shape."""

        def __init__(self, value):
            self.scalar = type(value) is MP
            self.shape = () if self.scalar else onp.shape(value)
            self.dtype = onp.dtype(object)
            self.iscomplex = False
            self.size = int(onp.prod(self.shape, dtype=int))

        def zeros(self):
            return mp_zero_like(MP(0) if self.scalar else onp.empty(self.shape, object))

        def ones(self):
            return mp_one_like(MP(0) if self.scalar else onp.empty(self.shape, object))

        def inner_prod(self, x, y):
            return onp.sum(onp.multiply(x, y))

        def flatten(self, x):
            return onp.ravel(onp.asarray(x, dtype=object))

        def unflatten(self, v):
            out = onp.empty(len(v), object)
            for i, e in enumerate(v):
                out[i] = e if type(e) is MP else MP(_un(e))
            return out[0] if self.scalar else out.reshape(self.shape)

        def randn(self, rng=None):
            rng = rng or onp.random
            return self.unflatten(list(rng.standard_normal(self.size)))

        def __eq__(self, other):
            return isinstance(other, MPVSpace) and (self.shape, self.scalar) == (
                other.shape, other.scalar)

        __hash__ = None

        def __repr__(self):
            return f"MPVSpace(shape={self.shape})"
    return MPVSpace
