"""The cross-entropy classification layer's own fields proven in ball arithmetic, by size (issue 25, Prop. 3.11).

    python benchmarks/softmax_ball.py [--sizes 3x4 10x10 16x20] [--no-bias]

Per shape (n inputs, K classes), in this process:

* the baseline: the float count from the model's own per-sample cross-entropy gradients
  (``count softmax n K --numeric --model``, :func:`count_laws_numerically`);
* the ball proof of its rank at a seeded rational point (:func:`certified_rank`, the numeric rank as the target);
* the independent checker recomputing that minor forward (:func:`check_certificate`).

A proven rank r gives at most D − r laws; with φ's count n (+1) (the paper's formula, and the upper bound: the
fields have zero column sums) r = (K − 1)(n + bias) proves exactly n (+ 1).  The ratios are against the float count.
"""
from __future__ import annotations

import argparse
import json
import os
import time

from conslaw.verification.checker import check_certificate
from conslaw.verification.numeric.counting import count_laws_numerically
from conslaw.verification.proofs.ball_rank import certified_rank, softmax_of


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["3x4", "10x10", "16x20"], help="n x K, e.g. 10x10")
    ap.add_argument("--no-bias", dest="bias", action="store_false", help="the layer without a bias (default: with)")
    args = ap.parse_args()
    print(f"# python-flint arb balls, {time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.2f}, "
          f"bias {args.bias}")
    print("| n | K | D | float laws | formula n (+1) | rank proven >= | bits | checked | float count s | "
          "ball proof s (x) | check s (x) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    count_laws_numerically("softmax", [2, 2], model=True)  # warm-up: torch's first calls are not the baseline
    for size in args.sizes:
        n, K = (int(v) for v in size.lower().split("x"))
        t0 = time.perf_counter()
        report = count_laws_numerically("softmax", [n, K], bias=args.bias, model=True)
        t_float = time.perf_counter() - t0
        model = softmax_of(n, K, args.bias)
        t0 = time.perf_counter()
        ball = certified_rank(model, report["rank"])
        t_ball = time.perf_counter() - t0
        t0 = time.perf_counter()
        checked = check_certificate(json.loads(json.dumps(ball["certificate"])))
        t_check = time.perf_counter() - t0
        formula = n + int(args.bias)
        print(f"| {n} | {K} | {model.D} | {report['laws']} | {formula} | {ball['rank']} | {ball['precision']} | "
              f"{'passed' if checked.ok else 'FAILED'} | {t_float:.2f} | {t_ball:.2f} ({t_ball / t_float:.2f}x) | "
              f"{t_check:.2f} ({t_check / t_float:.2f}x) |", flush=True)


if __name__ == "__main__":
    main()
