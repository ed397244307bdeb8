"""Largest D for which the numerical law count finishes within a time budget (issue #5).

    python benchmarks/bench_numeric_scale.py [--family relu|attention|both] [--budget 60] [--device cuda]

Families (φ written in torch by :mod:`numeric_phi`, counted by
:func:`numeric_random.random_lie_trace` in float64, as ``conslaw count --numeric`` does):

* ``relu``: two-layer ReLU nets [w, w, w], D = 2w², w³ path components, w laws;
* ``attention``: 4 heads, embedding d, d' = d'' = d/4 (a Transformer layer's proportions),
  D = 4d², φ = (Q_h K_hᵀ, V_h O_hᵀ)_h, 8 · (d/4)(d/4 + 1)/2 laws (Corollary 3.9 per head).

Sizes grow until one run exceeds the budget; each row gives D, the count (checked against the
formula), the rank evidence and the time.  Baseline, in the same process, on the first sizes:
:func:`numeric_trace.numeric_lie_trace`, which evaluates all m generators (the m × D Jacobian)
and brackets each kept field with all of them; the ratio is baseline time / this time.
"""
from __future__ import annotations

import argparse
import time

import torch

from conslaw.verification.numeric.counting import resolve_device
from conslaw.verification.numeric.fields import family_from_map
from conslaw.verification.numeric.phi import attention_products, relu_path_lift
from conslaw.verification.numeric.random_trace import random_lie_trace
from conslaw.verification.numeric.trace import numeric_lie_trace

HEADS = 4


def instance(family: str, size: int):
    """(torch φ, expected number of laws, label) for one size of a family."""
    if family == "relu":
        return relu_path_lift([size, size, size]), size, f"ReLU [{size}, {size}, {size}]"
    k = size // 4
    return attention_products(size, k, k, HEADS), HEADS * k * (k + 1), f"attention d = {size}, d' = d'' = {k}, H = {HEADS}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=("relu", "attention", "both"), default="both")
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--relu-widths", type=int, nargs="+", default=[8, 16, 24, 32, 40, 48, 52, 56, 64, 80, 100, 120])
    ap.add_argument("--attention-sizes", type=int, nargs="+", default=[4, 16, 24, 32, 40, 48, 56, 64, 80, 96, 128])
    ap.add_argument("--baseline-below", type=int, default=130, help="run the baseline for D up to this (default 130)")
    args = ap.parse_args()
    dev = resolve_device(args.device)
    hardware = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"# {dev} ({hardware}), torch {torch.__version__}, float64, {time.strftime('%Y-%m-%d')}")
    warm = relu_path_lift([2, 2, 2])  # the first torch.func call pays a one-off set-up: not timed
    random_lie_trace(warm.phi, torch.ones(warm.dim, dtype=torch.float64, device=dev))
    families = ("relu", "attention") if args.family == "both" else (args.family,)
    for family in families:
        sizes = args.relu_widths if family == "relu" else args.attention_sizes
        print(f"\n## {family}\n")
        print("| instance | D | laws (expected) | status | gap | seconds | baseline s | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for size in sizes:
            phi, expected, label = instance(family, size)
            theta = torch.randn(phi.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).to(dev)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            res = random_lie_trace(phi.phi, theta)
            base, ratio = "", ""
            if phi.dim <= args.baseline_below:
                ref = numeric_lie_trace(family_from_map(phi.phi), theta)
                assert ref.laws == expected, (label, ref.laws)
                base, ratio = f"{ref.seconds:.2f}", f"{ref.seconds / res.seconds:.1f}×"
            print(f"| {label} | {phi.dim} | {res.laws} ({expected}) | {res.rank.status} | {res.rank.gap:.1e} | "
                  f"{res.seconds:.2f} | {base} | {ratio} |", flush=True)
            assert res.laws == expected, (label, res.laws)
            if res.seconds > args.budget:
                print(f"\n# the last row exceeded the {args.budget:.0f} s budget")
                break


if __name__ == "__main__":
    main()
