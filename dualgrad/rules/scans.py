"""NaN-aware reductions, cumulative products, sorting and order statistics,
selection and take/choose families.
"""
from __future__ import annotations

__all__: list[str] = []
