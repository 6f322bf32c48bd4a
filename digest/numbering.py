"""Whole-number arrays: the distinct values in the order they first occur.

Search numbers its terms, and related papers their tokens and stems, in the order a corpus first has them,
so the numbers (and the ties they break) never depend on what a preview session met before.
"""

from __future__ import annotations

import numpy as np


def in_first_sight_order(values: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of `values` (whole numbers from 0 to `size` - 1), in the order of their first
    occurrence. One pass of `np.minimum.at` over the positions, no sort of the values themselves."""
    first = np.full(size, len(values), dtype=np.int64)
    np.minimum.at(first, values, np.arange(len(values)))
    present = np.flatnonzero(first < len(values))
    return present[np.argsort(first[present], kind="stable")]
