"""Speed of the degree-2 law basis (issue #3).

    python benchmarks/bench_laws.py

For each instance: the exact block-decomposed path (default), the sampled
mod-p path with exact verification, and — up to ``--baseline-max-d`` — a naive
baseline in the same process: the whole exact coefficient system as one
dense FLINT ``fmpq_mat`` (no block decomposition).  The reference SageMath
code of the 2023 paper (floating-point null space) is not installed here, so
its times are not reported.
"""
from __future__ import annotations

import argparse
import platform
import time

import flint

from conslaw.algebra import build_architecture, polynomial_laws
from timing import best, loglog_slope
from conslaw.algebra.law_discovery import _coefficient_system, _fmpq, _fmpq_nullspace
from conslaw.algebra.monomials import monomials

PAPER = [("relu", (5, 5, 5), False), ("linear", (5, 4, 5), False)]
CURVE = [("relu", (w, w, w), False) for w in range(2, 8)] + [("linear", (w, w, w), False) for w in range(2, 8)]


def dense_baseline(gens, degree=2):
    mons = monomials(gens[0].dim, degree)
    rows = list(_coefficient_system(gens, mons).values())
    mat = flint.fmpq_mat(len(rows), len(mons))
    for r, row in enumerate(rows):
        for c, v in row.items():
            mat[r, c] = _fmpq(v)
    return _fmpq_nullspace(mat)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-max-d", type=int, default=32)
    args = ap.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    print("| instance | D | unknowns | laws | exact, blocks (s) | sampled + verify (s) | dense baseline (s) | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    growth: dict[str, list] = {}
    for arch, widths, bias in PAPER + [c for c in CURVE if c not in PAPER]:
        a = build_architecture(arch, list(widths), bias)
        gens = a.generators()
        basis, t_exact = best(lambda: polynomial_laws(gens, 2), args.repeat)
        sampled, t_sampled = best(lambda: polynomial_laws(gens, 2, method="sampled"), 1)
        assert sampled.laws == basis.laws
        base, ratio = "-", "-"
        if a.dim <= args.baseline_max_d:
            nullity, t_base = best(lambda: dense_baseline(gens), 1)
            assert nullity == len(basis)
            base, ratio = f"{t_base:.3f}", f"{t_base / t_exact:.0f}x"
        name = f"{arch} {list(widths)}"
        print(f"| {name} | {a.dim} | {basis.unknowns} | {len(basis)} | {t_exact:.3f} | {t_sampled:.3f} | {base} | {ratio} |",
              flush=True)
        if a.dim >= 18 and len(set(widths)) == 1:
            growth.setdefault(arch, []).append((a.dim, t_exact))
    for arch, pts in growth.items():
        slope = loglog_slope(pts)
        print(f"# {arch} [w, w, w], D >= 18: exact law basis time grows like D^{slope:.2f}")


if __name__ == "__main__":
    main()
