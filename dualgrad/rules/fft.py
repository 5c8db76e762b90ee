"""numpy.fft: discrete Fourier transforms (all linear) and shifts.
"""
from __future__ import annotations

__all__: list[str] = []
FFT: dict = {}
