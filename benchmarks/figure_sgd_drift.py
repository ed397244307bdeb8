"""Figures 1 and 5 of the main paper at CPU scale: SGD drift of a conserved quantity ∝ η².

    pip install scikit-learn matplotlib      # the digits data set ships with scikit-learn
    python benchmarks/figure_sgd_drift.py --model resnet --out sgd_resnet.png
    python benchmarks/figure_sgd_drift.py --model transformer --out sgd_transformer.png

ResNet-18 layout (``--width``, 16 by default for the CPU; 64 is the standard width) on
scikit-learn's handwritten digits upsampled to 32×32, plain SGD, several learning rates and
seeds, 50 steps; the tracked quantity is the first residual block's rescale law (its BN → ReLU →
conv pair), as in Figure 1.  The Transformer variant trains a small
:class:`TransformerClassifier` on synthetic token sequences (label: the sum of the tokens mod
the number of classes) and tracks the first head's Q_1ᵀQ_1 − K_1ᵀK_1, as in Figure 5.
The plot shows the error |h(θ_k) − h(θ_0)| (mean over seeds) against the step, and the same
divided by η²: the curves collapse when the drift is ∝ η² (Prop. 5.1).  The table gives the
error divided by η² early (step 5, where the gradients are still those of the start) and at the
last step (where a larger step has also trained further, so its gradients are smaller), and the
largest gap between the measured values and the exact one-step identity
h(θ⁺) = h(θ) + η² h(g), which holds at every step whatever η.
"""
from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from conslaw.verification.module_laws import find_laws
from conslaw.verification.monitor import LawMonitor
from conslaw.verification.torch_modules import TransformerClassifier, resnet18


def digits(n: int, generator: torch.Generator):
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.images, dtype=torch.float32)[:, None] / 16.0
    x = nn.functional.interpolate(x, size=32, mode="bilinear", align_corners=False)
    y = torch.tensor(data.target)
    idx = torch.randperm(len(y), generator=generator)[:n]
    return x[idx], y[idx]


def tokens(n: int, length: int, vocab: int, classes: int, generator: torch.Generator):
    x = torch.randint(0, vocab, (n, length), generator=generator)
    return x, x.sum(1) % classes


def run(model_kind: str, lr: float, seed: int, steps: int, batch: int, width: int):
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if model_kind == "resnet":
        model = resnet18(width=width, in_channels=1, num_classes=10).double().train()
        x, y = digits(steps * batch, g)
        x = x.double()
        target = lambda grp: grp.kind == "rescale" and grp.modules[0].startswith("layers.0")  # noqa: E731
    else:
        model = TransformerClassifier(vocab=16, d=16, heads=2, dk=4, dv=4, hidden=32, layers=2, classes=4).double()
        x, y = tokens(steps * batch, 8, 16, 4, g)
        target = lambda grp: grp.kind == "attention"  # noqa: E731
    inventory = find_laws(model)
    group = next(i for i, grp in enumerate(inventory.groups) if target(grp))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    monitor = LawMonitor(model, inventory, optimizer=opt)
    for k in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[k * batch:(k + 1) * batch]), y[k * batch:(k + 1) * batch]).backward()
        monitor.before_step()
        opt.step()
        monitor.after_step()
    m = torch.stack(monitor.traces[group].measured)
    first = m[:, 0]  # the first unit's law (resnet) / the first head's (1,1) entry (transformer)
    return (first - first[0]).abs(), monitor.prediction_error(group)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=("resnet", "transformer"), default="resnet")
    ap.add_argument("--lrs", type=float, nargs="+", default=[0.005, 0.01, 0.02, 0.04])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--out", default="sgd_drift.png")
    args = ap.parse_args()
    t0 = time.perf_counter()
    curves, worst_prediction = {}, 0.0
    for lr in args.lrs:
        runs = [run(args.model, lr, s, args.steps, args.batch, args.width) for s in range(args.seeds)]
        curves[lr] = torch.stack([r[0] for r in runs]).mean(0)
        worst_prediction = max(worst_prediction, max(r[1] for r in runs))
    print(f"# {args.model}, {args.seeds} seeds, {args.steps} steps, batch {args.batch}, "
          f"{time.perf_counter() - t0:.0f} s on {torch.get_num_threads()} threads")
    early = min(5, args.steps)
    print(f"| learning rate η | error at step {early} | error / η² at step {early} | error at step {args.steps} | error / η² at step {args.steps} |")
    print("|---|---|---|---|---|")
    for lr, c in curves.items():
        print(f"| {lr:g} | {float(c[early]):.3e} | {float(c[early]) / lr ** 2:.3e} | {float(c[-1]):.3e} | {float(c[-1]) / lr ** 2:.3e} |")
    print(f"# largest gap between measured values and the exact one-step prediction, relative to the drift: "
          f"{worst_prediction:.1e}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for lr, c in curves.items():
        steps = range(1, len(c))
        axes[0].semilogy(steps, c[1:].numpy(), label=f"η = {lr:g}")
        axes[1].semilogy(steps, c[1:].numpy() / lr ** 2, label=f"η = {lr:g}")
    axes[0].set_title("|h(θ_k) − h(θ_0)|")
    axes[1].set_title("|h(θ_k) − h(θ_0)| / η²  (collapse: drift ∝ η²)")
    for ax in axes:
        ax.set_xlabel("SGD step")
        ax.legend()
    what = "first residual block's rescale law" if args.model == "resnet" else "first head's (Q^T Q - K^T K)[1,1]"
    fig.suptitle(f"{args.model}: {what}")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"# figure written to {args.out}")


if __name__ == "__main__":
    main()
