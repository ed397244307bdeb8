"""Speed of the exact law count (issue #2).

    python benchmarks/bench_count.py            # full table (a few minutes)
    python benchmarks/bench_count.py --quick    # the paper's instances only

For each instance: conslaw's time (best of ``--repeat`` runs, architecture
construction included), the naive exact baseline of ``naive_baseline.py``
run in this same process (symbolic expression trees, a full exact rank per
candidate; skipped past ``--baseline-limit`` seconds), their ratio, and the
reference SageMath timings that issue #2 quotes for the same instances on a
2-core machine (quoted, not measured here: SageMath is not installed).
"""
from __future__ import annotations

import argparse
import platform
import time

from naive_baseline import naive_trace_rank
from timing import loglog_slope

from conslaw.algebra import build_architecture, lie_trace

# seconds for the reference SageMath code of the 2023 paper, as quoted in issue #2
SAGE_QUOTED = {
    ("relu", (3, 3, 3), False): 18.0,
    ("relu", (3, 3, 3), True): 33.0,
    ("relu", (2, 2, 5, 3), False): 110.0,
    ("linear", (5, 4, 5), False): 46.0,
}
PAPER = [
    ("relu", (3, 3, 3), False),
    ("relu", (3, 3, 3), True),
    ("relu", (2, 2, 5, 3), False),
    ("linear", (5, 4, 5), False),
    ("relu", (5, 5, 5), False),
    ("relu", (10, 10, 10), False),
]
SCALING = [("relu", (w, w, w), False) for w in range(2, 11)] + [("linear", (w, w, w), False) for w in range(2, 9)]


def conslaw_time(arch, widths, bias, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        a = build_architecture(arch, list(widths), bias)
        result = lie_trace(a.generators(), seed=0)
        best = min(best, time.perf_counter() - t0)
    return a, result, best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-limit", type=float, default=120.0)
    args = ap.parse_args()
    print(f"# python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    print("| instance | D | laws | conslaw (s) | naive exact baseline (s) | speed-up | SageMath, quoted (s) | vs SageMath |")
    print("|---|---|---|---|---|---|---|---|")
    rows = PAPER if args.quick else PAPER + [s for s in SCALING if s not in PAPER]
    growth: dict[str, list[tuple[int, float]]] = {}
    for arch, widths, bias in rows:
        a, res, t = conslaw_time(arch, widths, bias, args.repeat)
        base = "-"
        ratio = "-"
        if a.dim <= 50:
            rank, tb = naive_trace_rank([p.as_expr() for p in a.phi], list(a.space.symbols),
                                        [c for c in res.points[0]], args.baseline_limit)
            if rank is None:
                base, ratio = f"> {args.baseline_limit:.0f}", f"> {args.baseline_limit / t:.0f}x"
            else:
                assert rank == res.ranks[0], (rank, res.ranks)
                base, ratio = f"{tb:.2f}", f"{tb / t:.0f}x"
        sage = SAGE_QUOTED.get((arch, widths, bias))
        sage_s = f"{sage:.0f}" if sage else "-"
        vs = f"{sage / t:.0f}x" if sage else "-"
        name = f"{arch} {list(widths)}" + (" +bias" if bias else "")
        print(f"| {name} | {a.dim} | {res.laws} | {t:.3f} | {base} | {ratio} | {sage_s} | {vs} |", flush=True)
        if len(set(widths)) == 1 and not bias and a.dim >= 32:
            growth.setdefault(arch, []).append((a.dim, t))
    for arch, pts in growth.items():
        if len(pts) >= 3:
            slope = loglog_slope(pts)
            print(f"# {arch} [w, w, w], D >= 32: time grows like D^{slope:.2f} (least-squares fit on log-log)")


if __name__ == "__main__":
    main()
