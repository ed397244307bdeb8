"""Largest D for which the numerical law count finishes within a time budget (issue #5).

    python benchmarks/bench_numeric_scale.py [--budget 60] [--device cuda]

Two-layer ReLU networks [w, w, w] (D = 2w², w laws) through their path lifting
φ = (u_{j,i} v_{k,j}) written in torch, counted by :func:`numeric_random.random_lie_trace`
(random combinations of the generators, float64).  Widths grow until one run exceeds the
budget; each row gives D, the count (checked against w), the rank evidence and the time.
"""
from __future__ import annotations

import argparse
import time

import torch

from conslaw.verification.numeric_fields import default_device
from conslaw.verification.numeric_random import random_lie_trace


def relu_phi(w: int):
    def phi(t):
        U = t[: w * w].reshape(w, w)
        V = t[w * w:].reshape(w, w)
        return torch.einsum("ji,kj->ijk", U, V).reshape(-1)

    return phi, 2 * w * w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--device", default=str(default_device()))
    ap.add_argument("--widths", type=int, nargs="+", default=[8, 16, 24, 32, 40, 48, 56, 64, 80, 100])
    args = ap.parse_args()
    dev = torch.device(args.device)
    print(f"# {dev} ({torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'{torch.get_num_threads()} threads'}), "
          f"torch {torch.__version__}, float64, {time.strftime('%Y-%m-%d')}")
    print("| w | D | laws (expected w) | status | gap | seconds |")
    print("|---|---|---|---|---|---|")
    for w in args.widths:
        phi, D = relu_phi(w)
        theta = torch.randn(D, dtype=torch.float64, generator=torch.Generator().manual_seed(0)).to(dev)
        res = random_lie_trace(phi, theta)
        print(f"| {w} | {D} | {res.laws} | {res.rank.status} | {res.rank.gap:.1e} | {res.seconds:.1f} |", flush=True)
        assert res.laws == w, (w, res.laws)
        if res.seconds > args.budget:
            print(f"# the last row exceeded the {args.budget:.0f} s budget")
            break


if __name__ == "__main__":
    main()
