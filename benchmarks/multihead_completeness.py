"""Are the per-head laws all the laws of multi-head attention? (beyond the paper; Cor. 3.10 leaves it open)

    python benchmarks/multihead_completeness.py [--tokens 2] [--certificates DIR]

For each shape (H heads, d, d', d''), a proof on the instance (issue 25):

* φ = (Q_h K_hᵀ, V_h O_hᵀ)_h: its count N_φ certified exactly (rank over QQ + laws = D at a rational point: the
  per-head laws), and checked by the independent checker;
* the *model's* own fields X_{X,W}(θ) = ∇_θ⟨W, Y(θ, X)⟩ of eq. (19), softmax included, and their brackets at a
  seeded rational point: rank ≥ D − N_φ from a minor whose determinant, in ball arithmetic, excludes 0
  (:mod:`conslaw.verification.proofs.ball_rank`), its certificate recomputed by the independent checker.

Every model field is a combination of the ∇φ_k with smooth coefficients, so the model's rank is ≤ D − N_φ; when
the minor proves ≥ D − N_φ the model has exactly the per-head laws near that point ("proven").  Otherwise the row
says why (the precision limit, or the proven rank below D − N_φ).
"""
from __future__ import annotations

import argparse
import itertools
import os
import time

from conslaw.algebra import attention_layer
from conslaw.verification.proofs.audit import audit_certificate
from conslaw.verification.proofs.ball_rank import ball_certificate_text, model_rank_report, shape_of
from conslaw.verification.proofs.certificate import build_certificate, certificate_text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=2)
    ap.add_argument("--heads", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--max-size", type=int, default=3)
    ap.add_argument("--certificates", metavar="DIR", help="write both certificates of each shape there")
    args = ap.parse_args()
    print(f"# N = {args.tokens} tokens, python-flint arb balls, {time.strftime('%Y-%m-%d')}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| H | d | d' | d'' | D | per-head laws (exact, certified) | model rank proven >= | bits | "
          "certificates checked | model has exactly the per-head laws | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = range(1, args.max_size + 1)
    proven = total = 0
    t_all = time.perf_counter()
    for H, d, dk, dv in itertools.product(args.heads, sizes, sizes, sizes):
        t0 = time.perf_counter()
        total += 1
        phi_cert = build_certificate(attention_layer(d, dk, dv, heads=H, tokens=args.tokens), degree=2)
        verdict = phi_cert["verdict"]
        if verdict["status"] != "proven":
            print(f"| {H} | {d} | {dk} | {dv} | {phi_cert['D']} | {verdict['lower']}..{verdict['upper']} | - | - | - | "
                  f"not proven: phi's count is only bounded | {time.perf_counter() - t0:.2f} |", flush=True)
            continue
        ball = model_rank_report(shape_of(d, dk, dv, H, args.tokens), phi_laws=verdict["laws"])
        texts = [certificate_text(phi_cert), ball_certificate_text(ball["certificate"])]
        audits = [audit_certificate(t.encode())["status"] for t in texts]
        if args.certificates:
            os.makedirs(args.certificates, exist_ok=True)
            stem = os.path.join(args.certificates, f"attention_H{H}_d{d}_dk{dk}_dv{dv}")
            for suffix, text in (("phi", texts[0]), ("model_rank", texts[1])):
                with open(f"{stem}_{suffix}.json", "w") as fh:
                    fh.write(text)
        ok = ball["proven_full"] and audits == ["passed", "passed"]
        proven += ok
        why = "proven" if ok else (f"not proven: rank >= {ball['rank']} only, below {ball['target']}"
                                   if not ball["proven_full"] else f"certificates: {audits}")
        print(f"| {H} | {d} | {dk} | {dv} | {ball['D']} | {verdict['laws']} | {ball['rank']} | {ball['precision']} | "
              f"{' and '.join(audits)} | {why} | {time.perf_counter() - t0:.2f} |", flush=True)
    print(f"\n{proven} of {total} shapes proven in {time.perf_counter() - t_all:.1f} s")


if __name__ == "__main__":
    main()
