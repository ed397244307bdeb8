"""Neural Mechanics on real images: a VGG-style network with batch norm trained on scikit-learn's digits with SGD
and weight decay; Kunin's continuous-time closed forms of the broken conservation laws against the measurements.

    pip install scikit-learn matplotlib      # the digits data set ships with scikit-learn: no download
    python benchmarks/neural_mechanics_vgg.py --out docs/neural_mechanics.png
    python benchmarks/neural_mechanics_vgg.py --momentum 0.98 --lr 0.02 --weight-decay 0.05 --steps 600 \
        --out docs/neural_mechanics_momentum.png

With ``--momentum β`` the run is heavy-ball SGD and the theory is Kunin's harmonic oscillators (a damped one in
closed form for the translation laws, one driven by the measured kinetic term for scale and rescale).

For one group of each symmetry (translation: the classifier's column sums; scale: a conv layer's channel norms
before its batch norm; rescale: a ReLU unit's incoming minus outgoing norms), the plot shows the measured values
of a few laws along training (solid), Kunin's closed form (dashed) and the initial value (dotted: what a true
conservation law would keep).  Prints, per group, how much the quantity moved and the largest gap between theory
and measurement, both relative to the quantity's size.
"""
from __future__ import annotations

import argparse
import time

import torch

from conslaw.verification.nn.neural_mechanics import (
    continuous_theory,
    train_and_compare,
    train_momentum_and_compare,
    vgg_bn,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--momentum", type=float, default=0.0, help="heavy-ball momentum beta (0: plain SGD)")
    ap.add_argument("--out", default="neural_mechanics.png")
    args = ap.parse_args()
    from sklearn.datasets import load_digits

    t0 = time.perf_counter()
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float64)[:, None] / 16.0
    y = torch.tensor(digits.target)
    torch.manual_seed(args.seed)
    model = vgg_bn()
    if args.momentum:
        runs = train_momentum_and_compare(model, x, y, lr=args.lr, momentum=args.momentum,
                                          weight_decay=args.weight_decay, steps=args.steps, batch=args.batch,
                                          seed=args.seed)
    else:
        compared, monitor = train_and_compare(model, x, y, lr=args.lr, weight_decay=args.weight_decay,
                                              steps=args.steps, batch=args.batch, seed=args.seed)
        runs = [(s, moved, gap, torch.stack(monitor.traces[s["group"]].measured),
                 continuous_theory(monitor, s["group"], args.lr, args.weight_decay)) for s, moved, gap in compared]
    with torch.no_grad():
        accuracy = float((model(x).argmax(1) == y).double().mean())
    optimizer = f"heavy-ball momentum {args.momentum}" if args.momentum else "plain"
    print(f"# digits {tuple(x.shape)}, {args.steps} SGD steps ({optimizer}), lr {args.lr}, weight decay "
          f"{args.weight_decay}, batch {args.batch}, seed {args.seed}: training accuracy {accuracy:.3f}, "
          f"{time.perf_counter() - t0:.1f} s")
    print("| symmetry | modules | laws | moved (rel.) | theory − measured (rel.) |")
    print("|---|---|---|---|---|")
    shown = {}
    for s, moved, gap, measured, theory in runs:
        print(f"| {s['symmetry']} | {', '.join(s['modules'])} | {s['laws']} | {moved:.3f} | {gap:.1e} |")
        shown.setdefault(s["symmetry"], (s, measured, theory))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(shown), figsize=(5 * len(shown), 3.8))
    steps = torch.arange(args.steps + 1)
    for ax, (name, (s, measured, theory)) in zip(axes, shown.items()):
        for j in range(min(3, measured.shape[1])):
            line, = ax.plot(steps, measured[:, j], lw=1.6)
            ax.plot(steps, theory[:, j], "--", color="black", lw=1)
            ax.axhline(float(measured[0, j]), ls=":", color=line.get_color(), lw=1)
        ax.set_title(f"{name}: {s['conserved']}\nmodules {', '.join(s['modules'])}", fontsize=9)
        ax.set_xlabel("SGD step")
    axes[0].set_ylabel("law value (solid: measured, dashed: Kunin's theory)")
    fig.suptitle(f"Broken conservation laws, digits, {optimizer} SGD, lr {args.lr}, weight decay "
                 f"{args.weight_decay}", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"plot: {args.out}")


if __name__ == "__main__":
    main()
