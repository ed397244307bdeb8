"""Growth exponents for the benchmark tables."""
from __future__ import annotations

import math
from typing import Sequence


def loglog_slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope α of log t = α log D + c over (D, t) pairs: time grows like D^α."""
    xs = [math.log(d) for d, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
