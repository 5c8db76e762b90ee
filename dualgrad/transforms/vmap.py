"""``vmap(fun, in_axes, out_axes)``: ``fun`` mapped over an axis of its arguments in one batched
pass (the batching interpreter, ``dualgrad.interpreters.batching``), looping over the examples
when one pass cannot serve them all.

``in_axes`` and ``out_axes`` are JAX's: an axis or None for everything, or a container
prefix of the arguments (a tuple with one entry per positional argument, each an axis,
None, or a tuple/list/dict/dataclass of them shaped like that argument) and of the output.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as onp

from ..core import (shape_of, BatchingError, Tracer, is_container, tree_flatten,
                    tree_unflatten)
from ..core.mp import is_mp_value
from ..core.trees import tree_children
from ..interpreters.batching import (Batched, BatchLevel, _stack, batch_unwrap, batch_wrap,
                                     warn_fallback, warn_loops)
from ..rules.shape import moveaxis
from . import checks


def _is_axis(a) -> bool:
    return a is None or (isinstance(a, (int, onp.integer)) and not isinstance(a, bool))


def _prefix_axes(spec, tree, what: str) -> list:
    """One axis (or None) per leaf of ``tree``, from ``spec``: an axis for the whole
    subtree, or a container with ``tree``'s structure down to where axes stand."""
    if _is_axis(spec):
        return [spec] * len(tree_flatten(tree)[0])
    if not is_container(spec):
        raise TypeError(f"vmap: each {what} entry is an int or None, or a tuple/list/dict of "
                        f"them shaped like the value, not {spec!r}.")
    same = (isinstance(spec, dict) and isinstance(tree, dict)) or (
        isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list))) or (
        type(spec) is type(tree))
    if not same:
        raise ValueError(f"vmap: {what} {spec!r} is a {type(spec).__name__}, but the value "
                         f"it describes is a {type(tree).__name__}; give one axis for it "
                         "(e.g. 0) or a container shaped like it.")
    if isinstance(spec, dict):
        if set(spec) != set(tree):
            raise ValueError(f"vmap: {what} has the keys {sorted(map(str, spec))} but the "
                             f"value has {sorted(map(str, tree))}; give every key an axis "
                             "or None.")
        kids = [(spec[k], tree[k]) for k in tree]
    else:
        specs, trees = tree_children(spec), tree_children(tree)
        if len(specs) != len(trees):
            raise ValueError(f"vmap: {what} {spec!r} has {len(specs)} entries but the value "
                             f"has {len(trees)}.")
        kids = list(zip(specs, trees))
    return [a for s, t in kids for a in _prefix_axes(s, t, what)]


def _top_axes(args, in_axes) -> list:
    """in_axes as one entry per positional argument (JAX: a list counts as a tuple)."""
    if _is_axis(in_axes):
        return [in_axes] * len(args)
    if not isinstance(in_axes, (tuple, list)):
        raise TypeError(
            f"vmap: in_axes is an int or None, or a tuple with one entry per positional "
            f"argument, not {in_axes!r}; for a single dict argument write "
            f"in_axes=({in_axes!r},).")
    if len(in_axes) != len(args):
        raise TypeError(f"vmap: in_axes has {len(in_axes)} entries for {len(args)} arguments; "
                        "give one entry per positional argument.")
    return list(in_axes)


def _leaf_axes(args, in_axes, axis_size):
    """The leaves of ``args``, each one's axis (None: the same for every example),
    and the common size of the mapped axes."""
    leaves, axes = [], []
    for a, spec in zip(args, _top_axes(args, in_axes)):
        ls = tree_flatten(a)[0]
        leaves += ls
        axes += _prefix_axes(spec, a, "in_axes")
    sizes = set()
    for leaf, ax in zip(leaves, axes):
        if ax is None:
            continue
        shape = shape_of(leaf)
        if not -len(shape) <= ax < len(shape):
            raise ValueError(f"vmap: in_axes={ax} but an argument has shape {shape}; map "
                             "an axis the value has (in_axes=0 for an array with the batch "
                             "axis first).")
        sizes.add(shape[ax])
    if axis_size is not None:
        sizes.add(axis_size)
    if not sizes:
        raise ValueError(f"vmap: in_axes={in_axes!r} maps no argument, so there is nothing "
                         "to map over; give the mapped argument an axis (e.g. 0), or give "
                         "axis_size=.")
    if len(sizes) != 1:
        raise ValueError("vmap: the mapped axes of all arguments must have one length; got "
                         f"{sorted(sizes)} (in_axes={in_axes!r}"
                         + (f", axis_size={axis_size}" if axis_size is not None else "")
                         + "); pass arrays with the same batch size.")
    return leaves, axes, sizes.pop()


def _check_options(out_axes, axis_size, chunk_size) -> None:
    if axis_size is not None and not (isinstance(axis_size, (int, onp.integer))
                                      and not isinstance(axis_size, bool) and axis_size >= 0):
        raise TypeError(f"vmap: axis_size is a non-negative int, not {axis_size!r}.")
    checks.check_chunk_size(chunk_size)
    for a in tree_flatten(out_axes)[0]:
        if not _is_axis(a):
            raise TypeError(f"vmap: out_axes is an int or None, or a container of them "
                            f"shaped like the output, not {out_axes!r}.")


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0, *, axis_size: int | None = None,
         chunk_size: int | None = None, **options: Any) -> Callable:
    """``fun`` mapped over an axis of its arguments, in one batched pass (JAX's ``vmap``).

    Per-example gradients are ``vmap(grad(loss), in_axes=(None, 0))(params, examples)``.
    When a derivative rule inside ``fun`` reads the values of a batched primal (a mask,
    as in the rules of ``maximum`` or ``**``), or ``fun`` branches in Python on a
    batched value, one pass cannot serve all examples and ``vmap`` loops over them
    instead (same result), with a ``dualgrad.PerformanceWarning`` naming the primitive.

    Parameters
    ----------
    fun : callable
        The function of one example; it may take and return containers
        (tuples, lists, dicts, namedtuples, dataclasses, registered classes).
    in_axes : int, None or tuple, optional
        The axis mapped in every argument (default 0), or a tuple with one entry per
        positional argument: an axis, ``None`` (the same value for every example), or a
        container of axes shaped like that argument (``({"w": None, "b": 0},)``).
        Negative axes count from the end. A list counts as a tuple (as in JAX).
    out_axes : int, None or container, optional
        Where the mapped axis goes in each output (default 0): an axis, ``None`` for an
        output that is the same for every example (it is returned once), or a container
        of them shaped like the output.
    axis_size : int, optional
        The number of examples; required when no argument is mapped, checked otherwise.
    chunk_size : int, optional
        Map at most this many examples per batched pass (bounding memory).

    Returns
    -------
    callable
        Taking ``fun``'s arguments with the mapped axes added, and returning ``fun``'s
        output with the mapped axis at ``out_axes``.

    Raises
    ------
    TypeError
        If ``fun`` is not callable, an axis spec is not an int, None or container of
        them, ``in_axes`` has the wrong number of entries, or a keyword is not an option
        (PyTorch's ``in_dims``/``out_dims``/``randomness`` and JAX's
        ``spmd_axis_name`` are named with dualgrad's spelling, or said to have none).
    ValueError
        If a mapped axis is missing from its argument, the mapped axes differ in
        length, nothing is mapped and ``axis_size`` is not given, a container spec
        does not match its value, or an output with ``out_axes=None`` varies over
        the examples.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> vmap(lambda x: np.sum(x ** 2))(np.arange(6.0).reshape(3, 2))
    array([ 1., 13., 41.])
    >>> vmap(lambda p: p["w"] * p["b"], in_axes=({"w": None, "b": 0},))(
    ...     {"w": np.array([1.0, 2.0]), "b": np.arange(3.0)}).shape
    (3, 2)
    >>> vmap(lambda x: (x, 2 * x), out_axes=(0, 1))(np.ones((3, 2)))[1].shape
    (2, 3)
    >>> vmap(lambda: np.ones(2), axis_size=3, in_axes=())().shape
    (3, 2)
    """
    if not callable(fun):
        raise TypeError(f"vmap takes the function to map first, but was given "
                        f"{type(fun).__name__} {fun!r}, which is not callable. Write "
                        "vmap(f)(x): vmap(f) is a new function, called at the stacked x.")
    checks.refuse_options("vmap", options, {"in_axes", "out_axes", "axis_size", "chunk_size"})
    _check_options(out_axes, axis_size, chunk_size)

    def mapped(*args):
        leaves, axes, n = _leaf_axes(args, in_axes, axis_size)
        treedef = tree_flatten(tuple(args))[1]
        leaves = [v if ax in (None, 0) else moveaxis(v, ax, 0) for v, ax in zip(leaves, axes)]
        mapped_ = [ax is not None for ax in axes]
        step = n if chunk_size is None or n == 0 else chunk_size
        parts = [run(leaves, mapped_, treedef, k, min(k + step, n))
                 for k in range(0, max(n, 1), max(step, 1))]
        out_def = parts[0][1]
        if len(parts) == 1:
            flat, varies = parts[0][0], parts[0][2]
        else:
            flat = [_stack_chunks([p[0][j] for p in parts]) for j in range(len(parts[0][0]))]
            varies = [any(p[2][j] for p in parts) for j in range(len(parts[0][0]))]
        return _place_out(flat, varies, out_def)

    def run(leaves, mapped_, treedef, lo, hi):
        chunk = [v[lo:hi] if m and (lo, hi) != (0, shape_of(v)[0]) else v
                 for v, m in zip(leaves, mapped_)]
        if any(is_mp_value(v) for v in chunk):
            # mpmath numbers are computed one by one anyway (object arrays): a loop over
            # the examples, each going through the transforms' mpmath path
            return looped(chunk, mapped_, treedef, hi - lo)
        try:
            return batched(chunk, mapped_, treedef, hi - lo)
        except BatchingError as e:
            warn_fallback("vmap", hi - lo, e)
            return looped(chunk, mapped_, treedef, hi - lo)

    def call(leaves, treedef):
        return fun(*tree_unflatten(treedef, leaves))

    def looped(leaves, mapped_, treedef, n):
        outs = [call([v[k] if m else v for v, m in zip(leaves, mapped_)], treedef)
                for k in range(n)]
        flats = [tree_flatten(o)[0] for o in outs]
        if not outs:
            raise ValueError("vmap: no examples to map (the mapped axis has length 0).")
        return ([_stack(list(ls)) for ls in zip(*flats)], tree_flatten(outs[0])[1],
                [True] * len(flats[0]))

    def batched(leaves, mapped_, treedef, n):
        with BatchLevel.new(n) as level:
            wrapped = [batch_wrap(level, v) if m else v for v, m in zip(leaves, mapped_)]
            out_leaves, out_def = tree_flatten(call(wrapped, treedef))
            varies = [type(o) is Batched and o._level is level for o in out_leaves]
            flat = [o.val if ours else (o if ax is None else batch_unwrap(level, o))
                    for o, ours, ax in zip(out_leaves, varies, leaf_out_axes(out_def))]
        warn_loops("vmap", level)
        return flat, out_def, varies

    def leaf_out_axes(out_def):
        """out_axes, one per output leaf (an unbatched leaf at None is kept as it is)."""
        return _prefix_axes(out_axes, tree_unflatten(out_def, [0] * len(out_def_leaves(out_def))),
                            "out_axes")

    def _place_out(flat, varies, out_def):
        axes = leaf_out_axes(out_def)
        placed = []
        for v, ax, var in zip(flat, axes, varies):
            if ax is None:
                if var and not _constant_over_examples(v):
                    raise ValueError("vmap: out_axes=None for an output that varies over "
                                     "the mapped axis; give it an axis (e.g. 0).")
                placed.append(v[0] if var else v)
            elif ax == 0:
                placed.append(v)
            else:
                nd = len(shape_of(v))
                if not -nd <= ax < nd:
                    raise ValueError(f"vmap: out_axes={ax} for an output of shape "
                                     f"{shape_of(v)[1:]} per example; the mapped axis can go "
                                     f"at -{nd}..{nd - 1}.")
                placed.append(moveaxis(v, 0, ax))
        return tree_unflatten(out_def, placed)
    return mapped


def out_def_leaves(td) -> list:
    """The leaf slots of a TreeDef."""
    if td.kind is None:
        return [td]
    return [leaf for c in td.children for leaf in out_def_leaves(c)]


def _constant_over_examples(v) -> bool:
    plain = v
    while isinstance(plain, Tracer):
        plain = plain.value
    plain = onp.asarray(plain)
    return plain.shape[0] == 0 or bool(onp.all(plain == plain[:1]))


def _stack_chunks(parts):
    return onp.concatenate(parts, axis=0)  # traced parts: NEP 18 sends them to dualgrad's


__all__ = ["vmap"]
