"""Overhead of the law monitor on a ResNet-18 SGD step (issue #5: below 10 %).

    python benchmarks/bench_monitor.py [--width 64] [--batch 32] [--steps 10]

Same model, data and optimizer, timed without and with :class:`LawMonitor` (before_step and
after_step around ``optimizer.step()``), alternating the two to share any drift of the machine;
prints the median step times, the median of the per-pair overheads with its quartiles, the
monitor's own time, and whether the rest of a monitored step got slower.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import torch
from torch import nn

from conslaw.verification.nn.laws import find_laws
from conslaw.verification.nn.monitor import LawMonitor
from conslaw.verification.nn.zoo import resnet18


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--momentum", type=float, default=0.9)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = resnet18(width=args.width, in_channels=3, num_classes=10).train()
    inventory = find_laws(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=args.momentum)
    monitor = LawMonitor(model, inventory, optimizer=opt)  # reads lr, momentum buffers and weight decay itself
    x = torch.randn(args.batch, 3, args.size, args.size)
    y = torch.randint(0, 10, (args.batch,))

    own: list[float] = []  # the monitor's own time in each monitored step

    def step(with_monitor: bool) -> float:
        t0 = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        t1 = time.perf_counter()
        if with_monitor:
            monitor.before_step()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if with_monitor:
            monitor.after_step()
            own.append((t2 - t1) + (time.perf_counter() - t3))
        return time.perf_counter() - t0

    step(False), step(True)  # warm-up
    plain, watched = [], []
    for _ in range(args.steps):
        plain.append(step(False))
        watched.append(step(True))
    a, b = statistics.median(plain), statistics.median(watched)
    params = sum(p.numel() for p in model.parameters())
    print(f"# ResNet-18 width {args.width} ({params / 1e6:.1f} M parameters, {inventory.count} laws in "
          f"{len(inventory.groups)} groups), batch {args.batch} × 3 × {args.size}², momentum {args.momentum}, "
          f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    print(f"| SGD step (median of {args.steps}) | seconds |")
    print("|---|---|")
    print(f"| without monitor | {a:.3f} |")
    print(f"| with monitor | {b:.3f} |")
    # each monitored step is timed right after a plain one: the ratio of each pair shares the machine's drift
    pairs = sorted(100 * (w / p - 1) for p, w in zip(plain, watched))
    q = statistics.quantiles(pairs, n=4)
    print(f"# overhead per pair of steps: median {statistics.median(pairs):.1f} % (quartiles {q[0]:.1f} % … {q[2]:.1f} %)")
    m = statistics.median(own[1:])
    print(f"# the monitor's own time (before_step + after_step), median: {m:.3f} s = {100 * m / a:.1f} % of a plain step")
    rest = statistics.median([w - o for w, o in zip(watched[1:], own[1:])])
    print(f"# the rest of a monitored step (forward, backward, optimizer): {rest:.3f} s = "
          f"{100 * (rest / a - 1):+.1f} % against a plain step")


if __name__ == "__main__":
    main()
