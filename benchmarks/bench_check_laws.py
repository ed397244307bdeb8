"""Time and memory of ``check_laws`` on ResNet-18, against the per-law autograd loop it replaced.

    python benchmarks/bench_check_laws.py [--widths 16 32 64] [--baseline-max-width 32] [--batch 8]

Each measurement runs in a fresh subprocess, so its peak memory (max RSS) is its own; the time is
that of a second call (the first, also printed for the batched method, includes torch.func's set-up).
``batched`` is the current :func:`check_laws` (one jvp per law group for the dots, the
gradient norms from vjps batched with vmap in chunks); ``per-law`` is the former loop (one
``autograd.grad`` per law).  Width 64 is the standard ResNet-18 (11.2 M parameters).
The machine and its load are printed first.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import torch
from torch import nn


def per_law_check(model, inventory, loss_fn, batches) -> dict:
    """The former implementation: one autograd.grad per law (the baseline)."""
    named = dict(model.named_parameters())
    worst = {}
    for inputs, targets in batches:
        model.zero_grad()
        loss_fn(model(inputs), targets).backward()
        for g in inventory.groups:
            tensors = [named[p].detach().clone().requires_grad_(True) for p in g.params]
            h = g.values(dict(zip(g.params, tensors)))
            grad_L = [named[p].grad for p in g.params]
            norm_L = torch.sqrt(sum(x.pow(2).sum() for x in grad_L))
            for i in range(g.count):
                grads = torch.autograd.grad(h[i], tensors, retain_graph=True)
                dot = sum((a * b).sum() for a, b in zip(grads, grad_L))
                norm_h = torch.sqrt(sum(a.pow(2).sum() for a in grads))
                if norm_h > 0 and norm_L > 0:
                    worst[id(g)] = max(worst.get(id(g), 0.0), float(dot.abs() / (norm_h * norm_L)))
    return worst


def one(method: str, width: int, batch: int) -> dict:
    from conslaw.verification.nn.laws import check_laws, find_laws
    from conslaw.verification.nn.zoo import resnet18

    torch.manual_seed(0)
    net = resnet18(width=width).train()
    inv = find_laws(net)
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))

    def run() -> float:
        if method == "batched":
            checks = check_laws(net, inv, nn.functional.cross_entropy, [(x, y)])
            return max(c.max_relative_error for c in checks if c.group.kind != "scale")
        found = per_law_check(net, inv, nn.functional.cross_entropy, [(x, y)])
        return max(v for g, v in zip(inv.groups, found.values()) if g.kind != "scale")

    t0 = time.perf_counter()
    run()  # the first call in a process also pays torch.func's one-time set-up (about 1.5 s here)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    worst = run()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "first_call": first, "max_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "parameters": sum(p.numel() for p in net.parameters()), "laws": inv.count, "worst": worst}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64])
    ap.add_argument("--baseline-max-width", type=int, default=32)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--one", nargs=2, metavar=("METHOD", "WIDTH"))
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]), args.batch)))
        return
    load = os.getloadavg()[0]
    print(f"# {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, load average {load:.2f}, "
          f"batch {args.batch} of 3x32x32, float32")
    print("| width | parameters | laws | batched (s) | batched, first call (s) | batched peak RSS (GiB) | per-law (s) "
          "| per-law peak RSS (GiB) | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for width in args.widths:
        runs = {}
        for method in ("batched", "per-law"):
            if method == "per-law" and width > args.baseline_max_width:
                continue
            out = subprocess.run([sys.executable, __file__, "--one", method, str(width), "--batch", str(args.batch)],
                                 capture_output=True, text=True, check=True)
            runs[method] = json.loads(out.stdout.strip().splitlines()[-1])
        b, p = runs["batched"], runs.get("per-law")
        base = f"{p['seconds']:.1f} | {p['max_rss_gib']:.2f} | {p['seconds'] / b['seconds']:.0f}x" if p else "- | - | -"
        print(f"| {width} | {b['parameters']:,} | {b['laws']} | {b['seconds']:.2f} | {b['first_call']:.2f} "
              f"| {b['max_rss_gib']:.2f} | {base} |")


if __name__ == "__main__":
    main()
