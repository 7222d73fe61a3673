"""Giving memory back after a large response.

A full-section export builds ~100 MiB of short-lived objects (frames, rows, XML strings).
Python frees them, but glibc keeps the freed heap for the process's life, so a worker that
exported once stayed ~65 MiB larger (bench/compare.py prints the worker's memory before and
after). `give_back` runs once such a response is built (its intermediates are garbage by
then) and returns the freed memory to the system (glibc's malloc_trim); elsewhere (no glibc)
it only collects garbage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def give_back() -> None:
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
