"""Which shapes keep a conservation law under the sign (simplified Adam) flow?  (Appendix R of the main paper.)

    python benchmarks/sign_flow_shapes.py

For two-layer linear networks (n, r, m) in [1, 3]^3 and one attention head (d, d', d'') in [1, 2]^3: the exact
rank of the sign vectors sign(∂φ(θ_0)ᵀw) at a seeded rational θ_0 (400 seeded integer w, or w = ±1 when d = 1)
and the count D − rank, exact when the rank is D or d = 1, otherwise an upper bound.  Prints a Markdown table of
the shapes that keep a law (all others: rank D, no law, exact).
"""
from __future__ import annotations

import itertools
import time

from conslaw.algebra import build_architecture
from conslaw.verification.proofs.sign_flow import sign_flow_laws


def main() -> None:
    t0 = time.perf_counter()
    shapes = [("linear", list(s), {}) for s in itertools.product((1, 2, 3), repeat=3)]
    shapes += [("attention", [], dict(d=d, dk=k, dv=v)) for d, k, v in itertools.product((1, 2), repeat=3)]
    print("| shape | D | sign-vector rank | laws near θ_0 | count | laws (Σ a_i abs θ_i; * = this orthant only) |")
    print("|---|---|---|---|---|---|")
    none = []
    for name, widths, opts in shapes:
        arch = build_architecture(name, widths, **opts)
        r = sign_flow_laws(arch)
        label = f"{name} {' '.join(map(str, widths))}" + " ".join(f"{k}={v}" for k, v in opts.items())
        if r["laws"] == 0:
            none.append(label)
            continue
        laws = "; ".join(t + ("" if held else " *") for t, held in zip(r["laws_text"], r["laws_hold_in_other_orthants"]))
        print(f"| {label} | {r['D']} | {r['rank']} | {r['laws']} | {r['count_kind']} | {laws} |")
    print(f"\nno law (rank D, exact): {len(none)} shapes: {', '.join(none)}")
    print(f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
