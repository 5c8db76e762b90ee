"""Building and rearranging arrays: pad, kron, cross, convolve, triu/tril, rot90,
roll, split family, meshgrid, insert/delete, ...
"""
from __future__ import annotations

__all__: list[str] = []
