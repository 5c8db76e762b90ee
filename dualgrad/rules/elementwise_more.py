"""More elementwise primitives: rounding (zero derivative), mod/fmod, copysign, ldexp,
heaviside, nan_to_num, i0, float_power, interp, polyval, ...
"""
from __future__ import annotations

__all__: list[str] = []
