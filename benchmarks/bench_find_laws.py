"""Time of ``find_laws`` on full-size models (issue: under 1 s each).

    python benchmarks/bench_find_laws.py

ResNet-18 and VGG-11 at the standard width 64, MobileNetV3-Small, ``nn.TransformerEncoder`` (6 pre-norm layers, d = 512,
8 heads) and a GPT-2-style model (token embedding, a block with separate q/k/v, causal mask, GELU MLP,
d = 768, 12 heads); the first call in the process (which pays torch.fx's, fake tensors' and torch.export's
one-time set-up) and the best of 3 after it, with the number of laws found and of modules named as not analysed — without
example inputs (torch.fx alone) and with them (shapes from fake tensors: hand-written attention and
concatenations; torch.export where fx fails; every group verified on them for the cross-entropy, whose class axis
is the last for the GPT's (B, T, V) logits).
"""
from __future__ import annotations

import os
import platform
import sys

import torch
from timing import best
from torch import nn

from conslaw.verification.nn.laws import find_laws
from conslaw.verification.nn.zoo import mobilenet_v3_small, resnet18, vgg11

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from gpt_block import GPTBlock  # noqa: E402


class GPT(nn.Module):
    def __init__(self, d=768, heads=12, vocab=50257):
        super().__init__()
        self.emb, self.block, self.head = nn.Embedding(vocab, d), GPTBlock(d, heads, 1024), nn.Linear(d, vocab)

    def forward(self, t):
        return self.head(self.block(self.emb(t)))


class Encoder(nn.Module):
    def __init__(self, d=512, heads=8, layers=6, classes=10):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, batch_first=True, norm_first=True)
        self.enc, self.head = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False), nn.Linear(d, classes)

    def forward(self, x):
        return self.head(self.enc(x).mean(1))


def main() -> None:
    torch.manual_seed(0)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, load average {os.getloadavg()[0]:.2f}")
    print("| model | parameters | example inputs | read by | first call (s) | find_laws, best of 3 (s) | laws found | "
          "groups | not analysed |")
    print("|---|---|---|---|---|---|---|---|---|")
    images, tokens = torch.randn(2, 3, 32, 32), torch.randint(0, 1000, (2, 16))
    for name, model, x, class_dim in (("ResNet-18", resnet18(), images, None), ("VGG-11", vgg11(), images, None),
                                      ("MobileNetV3-Small", mobilenet_v3_small(), images, None),
                                      ("TransformerEncoder 6×512", Encoder(), torch.randn(2, 16, 512), None),
                                      ("GPT-2-style block, d = 768", GPT(), tokens, -1)):  # logits (B, T, V)
        params = sum(p.numel() for p in model.parameters())
        for example in (None, (x,)):
            def run():
                return find_laws(model, example_inputs=example, class_dim=class_dim)

            _, first = best(run, 1)  # pays one-time set-ups
            inv, seconds = best(run, 3)
            named = len(inv.unsupported) + len(inv.without_laws) + len(inv.skipped)
            shape = "none" if example is None else "×".join(map(str, x.shape))
            print(f"| {name} | {params:,} | {shape} | {inv.traced_by} | {first:.3f} | {seconds:.3f} | {inv.count:,} | "
                  f"{len(inv.groups)} "
                  f"| {named} |")


if __name__ == "__main__":
    main()
