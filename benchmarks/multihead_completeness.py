"""Are the per-head laws all the laws of multi-head attention? (issue #4, beyond the paper)

    python benchmarks/multihead_completeness.py [--tokens 2] [--certificates DIR]

For each shape (H heads, d, d', d''): the exact side certifies the laws of
φ = (Q_h K_hᵀ, V_h O_hᵀ)_h (their number is exact: rank + laws = D at a
rational point; the per-head laws); the numerical side takes the *model's*
own fields X_{X,w}(θ) = ∂_θ⟨w, Y(θ, X)⟩ of eq. (19), softmax included, at a
random θ for 3·D random inputs X ∈ R^{N×d} and directions w, grows their Lie
algebra with torch.func and reports D − rank with the rank evidence (ranks
at tolerances 1e-6/1e-8/1e-10 and the singular-value gap).  When the two
counts agree the per-head laws are (numerically) complete for that shape.
"""
from __future__ import annotations

import argparse
import itertools
import os
import time

import torch

from conslaw.algebra import attention_layer
from conslaw.verification.numeric.fields import family_from_model
from conslaw.verification.numeric.models import attention_model
from conslaw.verification.numeric.trace import numeric_lie_trace
from conslaw.verification.proofs.certificate import build_certificate, write_certificate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=2)
    ap.add_argument("--heads", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--max-size", type=int, default=3)
    ap.add_argument("--certificates", metavar="DIR", help="write each exact certificate there")
    args = ap.parse_args()
    print(f"# N = {args.tokens} tokens, torch {torch.__version__}, float64, {time.strftime('%Y-%m-%d')}")
    print("| H | d | d' | d'' | D | per-head laws (exact, certified) | model laws (numerical) | tolerances agree | gap | complete? | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = range(1, args.max_size + 1)
    for H, d, dk, dv in itertools.product(args.heads, sizes, sizes, sizes):
        t0 = time.perf_counter()
        arch = attention_layer(d, dk, dv, heads=H, tokens=args.tokens)
        cert = build_certificate(arch, degree=2)
        if args.certificates:
            os.makedirs(args.certificates, exist_ok=True)
            write_certificate(cert, os.path.join(args.certificates, f"attention_H{H}_d{d}_dk{dk}_dv{dv}.json"))
        verdict = cert["verdict"]
        exact = verdict["laws"] if verdict["status"] == "proven" else f"{verdict['lower']}..{verdict['upper']}"
        g, D = attention_model(d, dk, dv, H)
        gen = torch.Generator().manual_seed(H * 1000 + d * 100 + dk * 10 + dv)
        theta = torch.randn(D, dtype=torch.float64, generator=gen)
        xs = torch.randn(3 * D, args.tokens, d, dtype=torch.float64, generator=gen)
        ws = torch.randn(3 * D, args.tokens * d, dtype=torch.float64, generator=gen)
        res = numeric_lie_trace(family_from_model(g, xs, ws), theta)
        agree = len(set(res.rank.ranks_by_tolerance.values())) == 1
        complete = "yes" if agree and res.laws == exact else ("EXTRA LAWS" if agree else "undecided")
        print(f"| {H} | {d} | {dk} | {dv} | {D} | {exact} | {res.laws} | {'yes' if agree else 'no'} | "
              f"{res.rank.gap:.1e} | {complete} | {time.perf_counter() - t0:.1f} |", flush=True)


if __name__ == "__main__":
    main()
