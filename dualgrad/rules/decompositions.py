"""numpy.linalg: inverses, determinants, solves, and matrix decompositions.
Each rule cites the identity it uses.
"""
from __future__ import annotations

__all__: list[str] = []
LINALG: dict = {}
