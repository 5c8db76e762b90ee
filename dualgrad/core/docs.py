"""Docstring sections shared by sibling functions, written once.

A docstring names a shared part as ``%(name)s`` on a line of its own; the part
is indented to match that line, so the docstring reads the same as if it had
been written out in full (numpydoc, Sphinx and doctest see the filled text).
"""
from __future__ import annotations

import textwrap
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def fill_doc(doc: str | None, parts: dict[str, str]) -> str | None:
    """``doc`` with each line ``%(name)s`` replaced by ``parts[name]``, indented alike."""
    if doc is None:  # python -OO
        return None
    lines = []
    for line in doc.split("\n"):
        stripped = line.strip()
        if stripped.startswith("%(") and stripped.endswith(")s"):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(textwrap.dedent(parts[stripped[2:-2]]).strip("\n"),
                                         indent))
        else:
            lines.append(line)
    return "\n".join(lines)


def shared_doc(**parts: str) -> Callable[[F], F]:
    """A decorator filling the ``%(name)s`` lines of a function's docstring."""
    def fill(fun: F) -> F:
        fun.__doc__ = fill_doc(fun.__doc__, parts)
        return fun
    return fill
