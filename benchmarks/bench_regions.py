"""Deep residual networks: exact region enumeration against the input sampling it replaced.

    python benchmarks/bench_regions.py [--repeat 3]

For each instance: the number of activation regions at θ_0 and the time of
``count_resnet`` with the exact enumeration (the default) against the old
sampling (inputs added in batches of D until two batches leave the rank
unchanged, ``saturated_generators``), run in the same process, with the count
each gives and whether each is proven.  Machine and load are printed first.
"""
from __future__ import annotations

import argparse
import os
import platform

from timing import best

from conslaw.algebra import lie_trace, working_points
from conslaw.algebra.deep import residual_mlp, restrict_to_subset, saturated_generators
from conslaw.verification.proofs.resnet import count_resnet

INSTANCES = [
    (2, [3, 3], False, "block:2", 0),
    (2, [3, 3], False, "all", 0),
    (2, [2, 2], True, "block:2", 8),
    (3, [2, 4], True, "block:2", 2),
    (3, [3, 3, 3], True, "block:2", 1),
    (4, [4, 4], False, "block:1", 0),
]


def sampled_count(dim, hidden, bias, subset, seed) -> int:
    """The method before the enumeration: D inputs per batch until two batches leave the rank unchanged."""
    net = residual_mlp(dim, hidden, bias)
    names = list(net.space.names) if subset == "all" else net.block_names(int(subset.split(":")[1]))
    point = working_points(net.space.dim, seed, 1)[0]
    sub_point = [point[net.space.index(n)] for n in names]

    def rank_of(fields):
        sub = fields if subset == "all" else restrict_to_subset(fields, names)[1]
        return lie_trace(sub, points=[sub_point]).rank

    _, rank = saturated_generators(net, point, rank_of, seed=seed)
    return len(names) - rank


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load:.2f}")
    print("| instance | D | regions | exact (s) | laws, exact | sampled (s) | laws, sampled | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for dim, hidden, bias, subset, seed in INSTANCES:
        report, t_exact = best(lambda: count_resnet(dim, hidden, bias=bias, subset=subset, seed=seed), args.repeat)
        laws_sampled, t_sampled = best(lambda: sampled_count(dim, hidden, bias, subset, seed), args.repeat)
        name = f"dim {dim}, hidden {hidden}{' +bias' if bias else ''}, {subset}, seed {seed}"
        status = "proven" if report["verdict"]["status"] == "proven" else "bounded"
        print(f"| {name} | {report['D']} | {report['activation_patterns']} | {t_exact:.2f} | {report['laws']} ({status}) "
              f"| {t_sampled:.2f} | {laws_sampled} (upper bound) | {t_sampled / t_exact:.1f}x |")


if __name__ == "__main__":
    main()
