"""``vmap(fun, in_axes)``: ``fun`` mapped over a leading axis of its arguments in one batched
pass (the batching interpreter, ``dualgrad.interpreters.batching``), looping over the examples
when one pass cannot serve them all."""
from __future__ import annotations

from typing import Callable

import numpy as onp

from ..core import shape_of, BatchingError, log, tree_flatten, tree_map, tree_unflatten
from ..interpreters.batching import BatchLevel, _stack, batch_unwrap, batch_wrap
from ..rules.shape import moveaxis


def _tree_index(tree, k):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [leaf[k] for leaf in leaves])


def _check_axes(args, in_axes):
    """The in_axes entry of each argument, and the common size of the mapped axes."""
    axes = list(in_axes) if isinstance(in_axes, (tuple, list)) else [in_axes] * len(args)
    if len(axes) != len(args):
        raise TypeError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments.")
    sizes = set()
    for a, ax in zip(args, axes):
        if ax is None:
            continue
        if not isinstance(ax, (int, onp.integer)):
            raise TypeError(f"vmap: each in_axes entry is an int or None, not {ax!r}.")
        for leaf in tree_flatten(a)[0]:
            shape = shape_of(leaf)
            if not -len(shape) <= ax < len(shape):
                raise ValueError(f"vmap: in_axes={ax} but an argument has shape {shape}.")
            sizes.add(shape[ax])
    if not sizes:
        raise ValueError(f"vmap: in_axes={in_axes!r} maps no argument, so there is nothing "
                         "to map over; give the mapped argument an axis (e.g. 0).")
    if len(sizes) != 1:
        raise ValueError("vmap: the mapped axes of all arguments must have one length; got "
                         f"{sorted(sizes)} (in_axes={in_axes!r}).")
    return axes, sizes.pop()


def _tree_moveaxis(a, ax):
    return tree_map(lambda leaf: moveaxis(leaf, ax, 0), a)


def vmap(fun: Callable, in_axes=0) -> Callable:
    """``fun`` mapped over a leading axis of its arguments, in one batched pass.

    ``in_axes`` is an axis (map every argument over it), or a tuple with an
    axis or None per positional argument (None: the same value for every
    example). The mapped axes must all have the same length.
    Outputs are stacked on axis 0. Per-example gradients are
    ``vmap(grad(loss), in_axes=(None, 0))(params, examples)``.

    When a derivative rule inside ``fun`` reads the values of a batched
    primal (a mask, as in the rules of ``maximum`` or ``**``), or ``fun``
    branches in Python on a batched value, one pass cannot serve all examples
    and ``vmap`` loops over them instead (same result).

    >>> import dualgrad.numpy as np
    >>> vmap(lambda x: np.sum(x ** 2))(np.arange(6.0).reshape(3, 2))
    array([ 1., 13., 41.])
    """
    def mapped(*args):
        axes, n = _check_axes(args, in_axes)
        args = [a if ax in (None, 0) else _tree_moveaxis(a, ax) for a, ax in zip(args, axes)]
        axes = [None if ax is None else 0 for ax in axes]
        try:
            return batched(args, axes, n)
        except BatchingError as e:
            log.debug("vmap: one batched pass failed (%s); looping over the examples", e)
            return looped(args, axes, n)

    def looped(args, axes, n):
        outs = [fun(*[a if ax is None else _tree_index(a, k) for a, ax in zip(args, axes)])
                for k in range(n)]
        leaves = [tree_flatten(o)[0] for o in outs]
        return tree_unflatten(tree_flatten(outs[0])[1], [_stack(list(ls)) for ls in zip(*leaves)])

    def batched(args, axes, n):
        with BatchLevel.new(n) as level:
            wrapped = [a if ax is None else batch_wrap(level, a) for a, ax in zip(args, axes)]
            return batch_unwrap(level, fun(*wrapped))
    return mapped


__all__ = ["vmap"]
