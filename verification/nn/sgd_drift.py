"""SGD drift of conserved quantities against the learning rate (main paper, Prop. 5.1; Figures 1 and 5).

One SGD step θ⁺ = θ − ηg changes a quadratic law h by exactly η² h(g) (⟨∇h, g⟩ = 0), so at a fixed step count the
drift |h(θ_k) − h(θ_0)| grows like η²: divided by η² the curves of several learning rates collapse while the
gradients stay those of the start.  :func:`drift_run` trains one model and tracks one law group with
:class:`~conslaw.verification.nn.monitor.LawMonitor` (which also measures the one-step identity at every step);
:func:`drift_curves` averages over seeds for several learning rates; :func:`plot_drift` draws both panels.

* ``"resnet"``: the ResNet-18 layout (``width`` channels in the first stage) on scikit-learn's handwritten
  digits upsampled to 32×32 (shipped with scikit-learn, no download); the first residual block's rescale law
  (its BN → ReLU → conv pair), as in Figure 1;
* ``"transformer"``: a small :class:`~conslaw.verification.nn.zoo.TransformerClassifier` on synthetic
  token sequences (label: the sum of the tokens mod the number of classes); the first head's
  (Q_1ᵀQ_1 − K_1ᵀK_1)[1, 1], as in Figure 5.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch
from torch import nn

from ..report.extras import missing_extra
from .laws import find_laws
from .monitor import LawMonitor
from .zoo import TransformerClassifier, resnet18

MODELS = ("resnet", "transformer")


def digits(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` of scikit-learn's 8×8 digits, scaled to [0, 1] and upsampled to 32×32 (bilinear), with labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(missing_extra("sklearn", "the digits data set")) from None
    data = load_digits()
    x = torch.tensor(data.images, dtype=torch.float32)[:, None] / 16.0
    x = nn.functional.interpolate(x, size=32, mode="bilinear", align_corners=False)
    y = torch.tensor(data.target)
    idx = torch.randperm(len(y), generator=generator)[:n]
    return x[idx], y[idx]


def token_sequences(n: int, length: int, vocab: int, classes: int,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random token sequences labelled by the sum of their tokens mod ``classes``."""
    x = torch.randint(0, vocab, (n, length), generator=generator)
    return x, x.sum(1) % classes


@dataclass
class DriftRun:
    """One training run: |h(θ_k) − h(θ_0)| for k = 0 … steps, and the one-step identity's largest relative gap."""

    drift: torch.Tensor
    prediction_error: float


def drift_run(model: str, lr: float, seed: int, *, steps: int = 50, batch: int = 32, width: int = 16) -> DriftRun:
    """Train with plain SGD (float64, cross-entropy) and track the model's first law of the kind Figure 1 / 5 use."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if model == "resnet":
        net = resnet18(width=width, in_channels=1, num_classes=10).double().train()
        x, y = digits(steps * batch, g)
        x = x.double()
        target = lambda grp: grp.kind == "rescale" and grp.modules[0].startswith("layers.0")  # noqa: E731
    else:
        net = TransformerClassifier(vocab=16, d=16, heads=2, dk=4, dv=4, hidden=32, layers=2, classes=4).double()
        x, y = token_sequences(steps * batch, 8, 16, 4, g)
        target = lambda grp: grp.kind == "attention"  # noqa: E731
    inventory = find_laws(net)
    group = next(i for i, grp in enumerate(inventory.groups) if target(grp))
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    monitor = LawMonitor(net, inventory, optimizer=opt)
    for k in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x[k * batch:(k + 1) * batch]), y[k * batch:(k + 1) * batch]).backward()
        monitor.before_step()
        opt.step()
        monitor.after_step()
    measured = torch.stack(monitor.traces[group].measured)
    first = measured[:, 0]  # the first unit's law (resnet) / the first head's (1,1) entry (transformer)
    return DriftRun((first - first[0]).abs(), monitor.prediction_error(group))


def drift_curves(model: str, lrs: Sequence[float], seeds: int, *, steps: int = 50, batch: int = 32,
                 width: int = 16, progress: Optional[Callable[[float, int], None]] = None
                 ) -> tuple[dict[float, torch.Tensor], float]:
    """({η: mean drift over ``seeds`` runs}, the largest one-step prediction gap over all runs)."""
    curves, worst = {}, 0.0
    for lr in lrs:
        runs = []
        for s in range(seeds):
            if progress:
                progress(lr, s)
            runs.append(drift_run(model, lr, s, steps=steps, batch=batch, width=width))
        curves[lr] = torch.stack([r.drift for r in runs]).mean(0)
        worst = max(worst, max(r.prediction_error for r in runs))
    return curves, worst


def drift_table(curves: dict[float, torch.Tensor], early: int = 5) -> list[str]:
    """Markdown rows: η, the error and error/η² at step ``early`` and at the last step."""
    last = len(next(iter(curves.values()))) - 1
    early = min(early, last)
    rows = [f"| learning rate η | error at step {early} | error / η² at step {early} | error at step {last} | "
            f"error / η² at step {last} |", "|---|---|---|---|---|"]
    for lr, c in curves.items():
        rows.append(f"| {lr:g} | {float(c[early]):.3e} | {float(c[early]) / lr ** 2:.3e} | {float(c[-1]):.3e} | "
                    f"{float(c[-1]) / lr ** 2:.3e} |")
    return rows


def plot_drift(curves: dict[float, torch.Tensor], title: str):
    """Two panels: |h(θ_k) − h(θ_0)| and the same divided by η² (the curves collapse when the drift is ∝ η²)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(missing_extra("matplotlib", "plot_drift")) from None

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
    fig.suptitle(title)
    fig.tight_layout()
    return fig


TITLES = {"resnet": "resnet: first residual block's rescale law",
          "transformer": "transformer: first head's (Q^T Q - K^T K)[1,1]"}

__all__ = ["DriftRun", "MODELS", "TITLES", "digits", "drift_curves", "drift_run", "drift_table", "plot_drift",
           "token_sequences"]
