"""Multi-head attention at Transformer-like sizes: does the model have more laws than the per-head ones?

    python benchmarks/multihead_at_scale.py [--shapes H,d,d',d'' ...] [--tokens 4]

Beyond the paper (Corollary 3.10 proves the per-head laws conserved; whether they are all the
laws of the model is open).  multihead_completeness.py settles it exactly for φ and numerically
for the model up to D = 108; this script goes to thousands of parameters with the scalable count
(:func:`numeric_random.random_lie_trace`) on the model's own fields, softmax included
(:func:`numeric_phi.attention_model_map`: 5D/(N d) random inputs with N(0, 1/d) entries).
Expected: H (d'(d'+1)/2 + d''(d''+1)/2), the per-head laws, independent when d', d'' ≤ 2d
(Corollary 3.9).  "complete" = the three tolerances agree and the count is that number.
"""
from __future__ import annotations

import argparse
import time

import torch

from conslaw.verification.numeric.phi import attention_model_map
from conslaw.verification.numeric.random_trace import random_lie_trace

SHAPES = ["2,8,2,2", "4,16,4,4", "8,16,2,2", "2,16,8,2", "4,24,6,6", "8,24,3,3", "4,32,8,8"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="+", default=SHAPES, help="H,d,d',d'' (default: %(default)s)")
    ap.add_argument("--tokens", type=int, default=4)
    args = ap.parse_args()
    print(f"# N = {args.tokens} tokens, torch {torch.__version__}, float64, {torch.get_num_threads()} threads, "
          f"{time.strftime('%Y-%m-%d')}")
    print("| H | d | d' | d'' | D | inputs | per-head laws (Cor. 3.9) | model laws (numerical) | tolerances agree | gap | "
          "complete? | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for shape in args.shapes:
        H, d, dk, dv = (int(v) for v in shape.split(","))
        assert dk <= 2 * d and dv <= 2 * d, "outside Corollary 3.9's generic full-rank case"
        expected = H * (dk * (dk + 1) // 2 + dv * (dv + 1) // 2)
        model = attention_model_map(d, dk, dv, H, tokens=args.tokens, seed=H * 1000 + d)
        theta = torch.randn(model.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(d))
        res = random_lie_trace(model.phi, theta)
        agree = len(set(res.rank.ranks_by_tolerance.values())) == 1
        complete = "yes" if agree and res.laws == expected else ("EXTRA LAWS" if agree else "undecided")
        inputs = model.components // (args.tokens * d)
        print(f"| {H} | {d} | {dk} | {dv} | {model.dim} | {inputs} | {expected} | {res.laws} | {'yes' if agree else 'no'} | "
              f"{res.rank.gap:.1e} | {complete} | {res.seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
