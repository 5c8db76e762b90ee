"""Three programs of one function: the primal, its linearization and the transpose.

The picture that makes "reverse mode is forward mode transposed" visible:

1. the *primal* program ``y = f(x)``, one line per primitive;
2. its *linearization* at ``x`` (``dualgrad.linearize``): ``t_out = J t``, the
   tangent lines of forward mode with the primal values folded in as constants;
3. the *transpose* of (2) (``dualgrad.linear_transpose``): ``c = J^T w``, the
   lines of (2) in reverse order, each replaced by its VJP rule. This is what a
   reverse pass computes, obtained without a tape.

``three_programs(f, x)`` records all three (``.primal``, ``.linear``,
``.transpose``: ``LinearProgram``s with a ``source()``); ``str()`` prints them, and
``.draw()`` puts them side by side with matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..interpreters.linear import LinearProgram, aval_of, record_linear
from ..transforms.linearize import linear_transpose, linearize

__all__ = ["ThreePrograms", "three_programs"]


@dataclass
class ThreePrograms:
    """The primal, linearized and transposed programs of one function at one point."""
    primal: LinearProgram
    linear: LinearProgram
    transpose: LinearProgram

    def sources(self) -> tuple[str, str, str]:
        return (self.primal.source("f"), self.linear.source("f_jvp"),
                self.transpose.source("f_vjp"))

    def __str__(self) -> str:
        return "\n\n".join(self.sources())

    def draw(self, ax=None, figsize=None):
        """The three programs side by side (matplotlib); returns the figure."""
        import matplotlib.pyplot as plt  # deferred: matplotlib is optional
        lines = max(len(s.splitlines()) for s in self.sources())
        width = max(len(line) for s in self.sources() for line in s.splitlines())
        figsize = figsize or (max(9.0, 3 * 0.075 * width + 1.0), 1.0 + 0.19 * lines)
        fig = plt.figure(figsize=figsize, layout="constrained") if ax is None else ax.figure
        titles = ("primal: y = f(x)", "linearization: t_y = J t", "transpose: c = J^T w")
        axes = fig.subplots(1, 3) if ax is None else [ax.inset_axes([i / 3, 0, 1 / 3, 1])
                                                      for i in range(3)]
        for a, title, text in zip(axes, titles, self.sources()):
            a.set_axis_off()
            a.set_title(title, fontsize=11)
            a.text(0.0, 1.0, text, family="monospace", fontsize=9, va="top", ha="left",
                   transform=a.transAxes,
                   bbox=dict(boxstyle="round", facecolor="#f4f4f4", edgecolor="#bbbbbb"))
        fig.suptitle("Reverse mode is forward mode transposed", fontsize=12)
        return fig


def three_programs(fun: Callable, x: Any) -> ThreePrograms:
    """Record ``fun``'s primal program, its linearization at ``x`` and its transpose.

    Parameters
    ----------
    fun : callable
        A function of one array returning one array.
    x : array
        The point.

    Returns
    -------
    ThreePrograms
        ``.primal``, ``.linear``, ``.transpose`` (each with ``source()``), ``.draw()``.

    Raises
    ------
    TypeError
        For integer or non-array inputs, or a function returning a container;
        ``NotLinearError`` never (the linearization is linear by construction).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> print(three_programs(lambda x: np.sin(x) * x, 2.0).linear.source())
    def f_jvp(t0):
        t1 = multiply(t0, -0.4161468365471424)
        t2 = multiply(t1, 2.0)
        t3 = multiply(0.9092974268256817, t0)
        t4 = add(t2, t3)
        return t4
    """
    primal = record_linear(fun, [aval_of(x)])  # recorded only: a primal program need not be linear
    y, f_jvp = linearize(fun, x)
    f_vjp = linear_transpose(f_jvp, x)
    transposed = record_linear(lambda w: f_vjp(w)[0], [aval_of(y)])
    return ThreePrograms(primal, f_jvp, transposed)
