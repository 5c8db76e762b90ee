"""autograd's nodes and rule tables, on dualgrad's: ``Node`` (the base of user nodes),
``VJPNode``/``JVPNode`` (the roots of reverse and forward traces), ``primitive_vjps`` /
``primitive_jvps`` (the rule tables in autograd's maker form), ``defvjp_argnums`` /
``defjvp_argnums`` and ``SparseObject`` (a sparse cotangent)."""
from __future__ import annotations

from typing import Callable

from .. import extend as _extend
from ..core import ALL, ANY, JVP_RULES, VJP_RULES, Primitive, Tracer
from ..interpreters.forward import TangentNode as _TangentNode
from ..interpreters.reverse import Node as TapeNode
from ..interpreters.multi_output import plain


# ---------------------------------------------------------------------------
class Node:
    """autograd's node base. A subclass defines ``__init__(value, fun, args, kwargs,
    parent_argnums, parents)``, called for each primitive applied to its boxes, and
    ``initialize_root(*args)``; ``new_root(*args)`` makes a root for ``new_box``."""

    __slots__ = ()

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        raise NotImplementedError("a Node subclass defines __init__(value, fun, args, kwargs, "
                                  "parent_argnums, parents)")

    def initialize_root(self, *args, **kwargs):
        raise NotImplementedError("a Node subclass defines initialize_root(*args)")

    @classmethod
    def new_root(cls, *args, **kwargs):
        root = cls.__new__(cls)
        root.initialize_root(*args, **kwargs)
        return root


class _NodeMeta(type):
    def __instancecheck__(cls, x):
        native = cls.__dict__.get("_native")
        return (native is not None and isinstance(x, native)) or type.__instancecheck__(cls, x)


class VJPNode(Node, metaclass=_NodeMeta):
    """autograd's reverse-mode node. ``VJPNode.new_root()`` is the root ``new_box`` turns
    into a tape input; a reverse box's ``_node`` (dualgrad's tape node) is a VJPNode."""

    __slots__ = ("parents", "vjp")
    _native = TapeNode

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.parents = parents
        self.vjp = primitive_vjps[fun](parent_argnums, value, args, kwargs)

    def initialize_root(self):
        self.parents = []
        self.vjp = lambda g: ()


class JVPNode(Node, metaclass=_NodeMeta):
    """autograd's forward-mode node: ``JVPNode.new_root(g)`` seeds tangent ``g``; a
    forward box's ``_node.g`` is its tangent."""

    __slots__ = ("g",)
    _native = _TangentNode

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.g = primitive_jvps[fun](parent_argnums, [p.g for p in parents], value, args, kwargs)

    def initialize_root(self, g):
        self.g = g


# ---------------------------------------------------------------------------
# Rule tables in autograd's form
# ---------------------------------------------------------------------------
class _RuleView:
    """``primitive_vjps`` / ``primitive_jvps``: dualgrad's rule tables seen as autograd's
    maker tables. Reading gives autograd's maker built on dualgrad's rules; writing a
    maker installs it as the primitive's rule for every argument."""

    def __init__(self, table: dict, kind: str):
        self.table, self.kind = table, kind

    def __contains__(self, fun):
        return isinstance(fun, Primitive) and bool(self.table.get(fun))

    def __getitem__(self, fun):
        if fun not in self:
            raise KeyError(fun)
        if self.kind == "vjp":
            def vjpmaker(argnums, ans, args, kwargs):
                rules = [fun.vjp_rule(i) for i in argnums]
                return lambda g: tuple(r(g, ans, *args, **kwargs) for r in rules)
            vjpmaker._dualgrad_of = fun
            return vjpmaker

        def jvpmaker(argnums, gs, ans, args, kwargs):
            total = None
            for i, g in zip(argnums, gs):
                t = fun.jvp_rule(i)(g, ans, *args, **kwargs)
                total = t if total is None else total + t
            return total
        jvpmaker._dualgrad_of = fun
        return jvpmaker

    def get(self, fun, default=None):
        return self[fun] if fun in self else default

    def __setitem__(self, fun, maker):
        if not isinstance(fun, Primitive):
            raise TypeError(f"{fun!r} is not a primitive: decorate it with "
                            "dualgrad.extend.primitive before giving it rules")
        rules = getattr(maker, "_dualgrad_rules", None)
        if rules is not None and getattr(maker, "_dualgrad_of", None) is fun:  # from pop()
            self.table[fun].clear()
            self.table[fun].update(rules)
        elif self.kind == "vjp":
            defvjp_argnums(fun, maker)
        else:
            defjvp_argnums(fun, maker)

    def pop(self, fun, *default):
        """Remove ``fun``'s rules of this kind; return them in autograd's maker form
        (writing that maker back restores an equivalent rule)."""
        if fun not in self:
            if default:
                return default[0]
            raise KeyError(fun)
        maker = self[fun]
        rules = dict(self.table[fun])
        self.table[fun].clear()
        maker._dualgrad_rules = rules
        return maker

    def __delitem__(self, fun):
        self.pop(fun)

    def items(self):
        return [(f, self[f]) for f in self]

    def values(self):
        return [self[f] for f in self]

    def __iter__(self):
        return (f for f in list(self.table) if self.table.get(f))

    def __len__(self):
        return sum(1 for _ in self)

    def keys(self):
        return list(self)

    def __repr__(self):
        return f"<autograd primitive_{self.kind}s: {len(self)} primitives with rules>"


primitive_vjps = _RuleView(VJP_RULES, "vjp")
primitive_jvps = _RuleView(JVP_RULES, "jvp")


def defvjp_argnums(fun: Primitive, vjpmaker: Callable) -> None:
    """autograd's ``defvjp_argnums(fun, vjpmaker)``: ``vjpmaker(argnums, ans, args,
    kwargs)`` returns ``g -> tuple of cotangents``, one per argnum. Installed as one
    rule per argument (called with that argument alone)."""
    if not isinstance(fun, Primitive):
        raise TypeError(f"{fun!r} is not a primitive")

    def rule(argnum, g, ans, *args, **kwargs):
        return _dense(vjpmaker((argnum,), ans, args, kwargs)(plain(g))[0])
    fun.vjps.clear()
    fun.vjps[ANY] = rule


def defjvp_argnums(fun: Primitive, jvpmaker: Callable) -> None:
    """autograd's ``defjvp_argnums(fun, jvpmaker)``: ``jvpmaker(argnums, gs, ans, args,
    kwargs)`` returns the output tangent for the tangents ``gs`` of ``argnums``."""
    if not isinstance(fun, Primitive):
        raise TypeError(f"{fun!r} is not a primitive")

    def rule(tangents, ans, *args, **kwargs):
        argnums = [i for i, t in enumerate(tangents) if t is not None]
        return jvpmaker(argnums, [tangents[i] for i in argnums], ans, args, kwargs)
    fun.jvps.clear()
    fun.jvps[ALL] = rule


class SparseObject:
    """autograd's sparse cotangent: ``vs`` its space, ``mut_add(A)`` adds it into the
    dense array ``A`` (in place) and returns ``A``. Added to anything it becomes dense."""

    __slots__ = ("vs", "mut_add")
    __array_ufunc__ = None  # ndarray + SparseObject: numpy hands the sum to __radd__

    def __init__(self, vs, mut_add):
        self.vs, self.mut_add = vs, mut_add

    def dense(self):
        return self.mut_add(self.vs.zeros())

    def __add__(self, other):
        if isinstance(other, SparseObject):
            return other.mut_add(self.dense())
        return self.mut_add(_copy(other))

    __radd__ = __add__


def _copy(x):
    return x.copy() if hasattr(x, "copy") and not isinstance(x, Tracer) else x


def _dense(g):
    return g.dense() if isinstance(g, SparseObject) else g


def _densified(maker):
    """``maker`` whose VJPs give a SparseObject as the dense cotangent it stands for."""
    if maker is None:
        return None

    def densified(*args, **kwargs):
        vjp = maker(*args, **kwargs)
        return lambda g: _dense(vjp(g))
    return densified


def defvjp(fun, *vjpmakers, argnums=None) -> None:
    """``dualgrad.extend.defvjp``; a VJP may return autograd's SparseObject."""
    _extend.defvjp(fun, *map(_densified, vjpmakers), argnums=argnums)


def defvjp_argnum(fun, vjpmaker) -> None:
    """``dualgrad.extend.defvjp_argnum``; a VJP may return autograd's SparseObject."""
    _extend.defvjp_argnum(fun, _densified(vjpmaker))
