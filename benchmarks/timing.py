"""Timing helpers for the benchmark scripts: best-of-n timing and growth exponents."""
from __future__ import annotations

import math
import time
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def best(fn: Callable[[], T], repeat: int = 3) -> tuple[T, float]:
    """(result, best wall time in seconds over ``repeat`` calls)."""
    out, t = None, float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return out, t


def loglog_slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope α of log t = α log D + c over (D, t) pairs: time grows like D^α."""
    xs = [math.log(d) for d, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
