"""Laws found by the pattern matcher against the numerical count of the model's own fields, per target model.

    python benchmarks/report_module_counts.py [--only NAME ...] [--time-limit S] [--scale K]

Each target is the real architecture at a width where the numerical trace fits on a CPU (its basis holds D²
floats): ResNet-18 and VGG-11 at width 1 (channels 1, 2, 4, 8), nn.TransformerEncoder (pre-norm) and the
hand-written GPT-2 block at d = 8, and MobileNetV3-Small's blocks (inverted residuals with squeeze-excitation
and hardswish) at 8 channels — the whole MobileNetV3-Small has 32 k parameters even at width 0.1, out of reach.
The count stops as soon as the trace meets the laws found (module_count.count_module_laws): "all found"
then means the found laws are all the laws of the model at this point, on these inputs, numerically; for
"missed", the parameter tensors the missed laws involve are printed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch
from torch import nn

from conslaw.verification.nn.count import count_module_laws
from conslaw.verification.nn.laws import find_laws
from conslaw.verification.nn.zoo import InvertedResidual, resnet18, vgg11

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from gpt_block import GPT  # noqa: E402


class _Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 8)
        layer = nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(8, 3)

    def forward(self, t):
        return self.head(self.enc(self.emb(t)).mean(1))


def _mobile_blocks():
    """MobileNetV3-Small's stem and three of its block kinds (ReLU + SE, ReLU, hardswish + SE) at 8 channels."""
    return nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.Hardswish(),
                         InvertedResidual(8, 3, 8, 8, True, "RE", 2), InvertedResidual(8, 3, 16, 8, False, "RE", 1),
                         InvertedResidual(8, 5, 16, 8, True, "HS", 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(8, 3))


def targets(scale: int) -> dict:
    """name → (factory, inputs): images large enough that every 3×3 tap sees data at the last stage, and more
    inputs for the deep narrow nets (more fields per level: fewer levels, each costing 3^k gradients)."""
    g = torch.Generator().manual_seed(0)

    def images(n, size):
        return torch.randn(n * scale, 3, size, size, generator=g, dtype=torch.float64)

    return {
        "resnet18 (width 1)": (lambda: resnet18(1, num_classes=3), images(64, 16)),
        "vgg11 (width 1, hidden 8)": (lambda: vgg11(1, num_classes=3, hidden=8), images(128, 32)),
        "TransformerEncoder (d 8, 2 layers)": (_Encoder, torch.randint(0, 12, (16 * scale, 6), generator=g)),
        "GPT-2 block (d 8, 2 heads)": (GPT, torch.randint(0, 20, (16 * scale, 6), generator=g)),
        "MobileNetV3 blocks (8 channels)": (_mobile_blocks, images(32, 16)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="names starting with these words")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--scale", type=int, default=1, help="multiply every model's number of inputs")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float64, seed 0")
    print(f"{'model':36s} {'inputs':>6s} {'D':>6s} {'found':>6s} {'indep':>6s} {'status':>12s} {'numerical':>10s} {'read by':>13s} "
          f"{'find s':>7s} {'count s':>8s}")
    for name, (make, x) in targets(args.scale).items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        torch.manual_seed(0)
        model = make().double().train()
        t0 = time.perf_counter()
        inv = find_laws(model, example_inputs=(x,))
        found_s = time.perf_counter() - t0
        r = count_module_laws(model, x, inventory=inv, time_limit=args.time_limit)
        numerical = str(r["laws"]) if r["status"] != "bounds" else f"<= {r['laws_at_most']}"
        print(f"{name:36s} {len(x):6d} {r['D']:6d} {r['found']:6d} {r['found_independent']:6d} {r['status']:>12s} {numerical:>10s} "
              f"{r['traced_by']:>13s} {found_s:7.2f} {r['seconds']:8.1f}", flush=True)
        ev = r["evidence"]
        if ev["status"] != "plateau" and ev.get("ranks_by_tolerance"):
            laws = sorted(r["D"] - k for k in ev["ranks_by_tolerance"].values())
            print(f"    rank decision: {ev['status']} (gap {ev['gap']:.2g}): {laws[0]} to {laws[-1]} laws at the "
                  f"tolerances {', '.join(ev['ranks_by_tolerance'])}")
        for item in r["refuted"]:
            print(f"    refuted: {item}")
        if r["status"] not in ("all found",):
            print(f"    {r['verdict']}")
            print("    levels: " + "; ".join(f"{lv['level']}: +{lv['new']} of {lv['candidates']}" for lv in r["levels"]))
        if r["missed_in"]:
            print("    the missed laws involve: " + ", ".join(f"{k} ({v:g})" for k, v in r["missed_in"].items()))


if __name__ == "__main__":
    main()
