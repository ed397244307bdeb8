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
from timing import best, loglog_slope

from conslaw.algebra import build_architecture, polynomial_laws
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


def rows_with_exponent_dicts(gens, mons):
    """The coefficient system as built before 2026-11-23 (each product monomial through dicts of exponents, keyed
    by sorted (variable, exponent) pairs): the in-process baseline of ``--rows``."""
    by_var: dict[int, list[int]] = {}
    for a, m in enumerate(mons):
        for j, _ in m:
            by_var.setdefault(j, []).append(a)
    rows: dict = {}
    for k, g in enumerate(gens):
        for j, terms in g.sparse:
            for a in by_var.get(j, ()):
                m = dict(mons[a])
                e = m[j]
                m[j] = e - 1
                for c, monom in terms:
                    out = dict(m)
                    for jj, ee in monom:
                        out[jj] = out.get(jj, 0) + ee
                    key = (k, tuple(sorted((x, y) for x, y in out.items() if y)))
                    row = rows.setdefault(key, {})
                    row[a] = row.get(a, 0) + e * c
    return rows


ROWS = [("relu", (5, 5, 5), False), ("linear", (5, 4, 5), False), ("relu", (7, 7, 7), False),
        ("relu", (8, 10, 8, 8), False), ("relu", (12, 8, 7, 6), False)]


def rows_table(repeat: int) -> None:
    """Building the coefficient system (the law search's main cost on path liftings): flat sorted-variable keys
    against the exponent-dict keys used before, in this process, with the same rows checked equal."""
    print("| instance | D | equations | rows, flat keys (s) | rows, exponent dicts (s) | speed-up |")
    print("|---|---|---|---|---|---|")
    for arch, widths, bias in ROWS:
        a = build_architecture(arch, list(widths), bias)
        gens = a.generators()
        mons = monomials(a.dim, 2)
        new, t_new = best(lambda: _coefficient_system(gens, mons), repeat)
        old, t_old = best(lambda: rows_with_exponent_dicts(gens, mons), 1)
        assert sorted(map(sorted, (r.items() for r in new.values()))) == \
            sorted(map(sorted, (r.items() for r in old.values())))
        print(f"| {arch} {list(widths)} | {a.dim} | {len(new)} | {t_new:.2f} | {t_old:.2f} | {t_old / t_new:.1f}x |",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-max-d", type=int, default=32)
    ap.add_argument("--rows", action="store_true", help="only time building the coefficient system, new against old")
    args = ap.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    if args.rows:
        rows_table(args.repeat)
        return
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
