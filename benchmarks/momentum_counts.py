"""Gradient flow against momentum: the law counts of two-layer linear and ReLU networks (Keep the Momentum).

    python benchmarks/momentum_counts.py

For each shape: the gradient flow's count (D − rank of Lie(∇φ_k)) and the heavy-ball flow's on phase space
(2D + 1 − rank of Lie(V_0, W_k), :func:`conslaw.algebra.phase_space.momentum_count`), both exact trace ranks at two seeded
rational points, with the laws of degree ≤ 3 found on phase space (the count is proven where they meet it) and
Noether's r(r − 1)/2 beside it.  Prints a Markdown table and the time.
"""
from __future__ import annotations

import itertools
import time

from conslaw.algebra import build_architecture
from conslaw.algebra.phase_space import momentum_count


def main() -> None:
    t0 = time.perf_counter()
    shapes = [("linear", s, False) for s in itertools.product((1, 2, 3), (1, 2, 3, 4), (1, 2, 3)) if s[0] <= s[2]]
    shapes += [("relu", s, b) for s in ((1, 1, 1), (2, 2, 2), (3, 2, 3), (2, 3, 2)) for b in (False, True)]
    print("| shape | D | gradient flow | momentum | proven (degree ≤ 3) | r(r−1)/2 |")
    print("|---|---|---|---|---|---|")
    for name, widths, bias in shapes:
        arch = build_architecture(name, list(widths), bias=bias)
        c = momentum_count(arch, seed=0, n_points=2)
        gf, count, found = c["gradient_flow_laws"], c["laws"], c["laws_found"]
        r = widths[1]
        label = f"{name} {' '.join(map(str, widths))}" + (" bias" if bias else "")
        print(f"| {label} | {arch.dim} | {gf} | {count} | {'yes' if found == count else f'no ({found})'} | "
              f"{r * (r - 1) // 2 if name == 'linear' else '-'} |", flush=True)
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
