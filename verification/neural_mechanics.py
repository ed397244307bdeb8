"""Neural Mechanics (Kunin et al. 2021): the symmetries of a model's loss, the quantity each conserves, and how
weight decay λ and a finite learning rate η break it — Kunin's continuous-time closed forms (docs/THEORY.md §4):

* translation θ_A ↦ θ_A + α1 (weights into a softmax):   ⟨θ_A(t), 1⟩ = e^{−λt} ⟨θ_A(0), 1⟩;
* scale θ_A ↦ αθ_A (weights before a batch norm):        ‖θ_A(t)‖² = e^{−2λt}‖θ_A(0)‖² + η∫_0^t e^{−2λ(t−τ)}‖g_A(τ)‖² dτ;
* rescale (θ_1, θ_2) ↦ (αθ_1, θ_2/α) (around a ReLU unit): the same with ‖θ_1‖² − ‖θ_2‖² and ‖g_1‖² − ‖g_2‖².

The symmetries are the law groups :func:`module_laws.find_laws` detects in the model (kinds ``column_sum``,
``scale``, ``rescale``).  :func:`continuous_theory` evaluates the closed forms along a training run recorded by a
:class:`monitor.LawMonitor` (plain SGD, t_k = kη, the integral by the rectangle rule on the steps, with the
gradient term q(g_j) read off the monitor's exact one-step identity h(θ⁺) = (1 − ηλ)² h(θ) + η² q(g)).  The
continuous forms differ from the discrete steps by O(ηλ) relative: what the comparison with training measures.
Momentum (the driven harmonic oscillators of the paper) is not covered here.
"""
from __future__ import annotations

import math

import torch

SYMMETRIES = {
    "column_sum": ("translation", "θ_A ↦ θ_A + α1 (the weights into a softmax)", "⟨θ_A, 1⟩ (column sums)"),
    "scale": ("scale", "θ_A ↦ αθ_A (the weights before a batch norm)", "‖θ_A‖² (per output channel)"),
    "rescale": ("rescale", "(θ_1, θ_2) ↦ (αθ_1, θ_2/α) (around a ReLU unit)", "‖θ_1‖² − ‖θ_2‖² (per unit)"),
}


def symmetries(inventory) -> list[dict]:
    """The Neural Mechanics symmetries among a model's law groups: per group its symmetry, the action, the conserved
    quantity, the modules and the number of laws (plain data)."""
    out = []
    for i, g in enumerate(inventory.groups):
        if g.kind in SYMMETRIES:
            name, action, quantity = SYMMETRIES[g.kind]
            out.append({"group": i, "symmetry": name, "action": action, "conserved": quantity,
                        "modules": list(g.modules), "laws": g.count})
    return out


def continuous_theory(monitor, group: int, lr: float, weight_decay: float) -> torch.Tensor:
    """Kunin's closed form for law group ``group`` at every recorded step (steps + 1 rows, one column per law),
    from the run's initial values and, for the quadratic laws, the gradient terms the monitor saw."""
    g = monitor.inventory.groups[group]
    if g.kind not in SYMMETRIES:
        raise ValueError(f"law group {group} ({g.kind}) is not a Neural Mechanics symmetry")
    trace = monitor.traces[group]
    measured = torch.stack(trace.measured)
    steps = len(trace.predicted)
    if steps == 0:
        raise ValueError("the monitor recorded no prediction: call before_step/after_step around each SGD step")
    times = torch.arange(steps + 1, dtype=measured.dtype) * lr
    h0 = measured[0]
    if g.kind == "column_sum":
        return torch.exp(-weight_decay * times)[:, None] * h0
    shrink = (1 - lr * weight_decay) ** 2
    predicted = torch.stack(trace.predicted)
    q = (predicted - shrink * measured[:steps]) / (lr * lr)  # q(g_j), exact from the one-step identity
    out = [h0]
    for k in range(1, steps + 1):
        decay = torch.exp(-2 * weight_decay * (times[k] - times[:k]))[:, None]
        out.append(math.exp(-2 * weight_decay * float(times[k])) * h0 + lr * lr * (decay * q[:k]).sum(dim=0))
    return torch.stack(out)


def vgg_bn(width: int = 8, classes: int = 10, hidden: int = 64) -> torch.nn.Module:
    """A small VGG-style network for 8 × 8 single-channel images: two conv → batch norm → ReLU → max-pool stages,
    then a ReLU classifier (float64): every Neural Mechanics symmetry occurs in it."""
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * width * 4, hidden), nn.ReLU(),
                         nn.Linear(hidden, classes)).double()


def train_and_compare(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, lr: float, weight_decay: float,
                      steps: int, batch: int, seed: int = 0):
    """SGD with weight decay on (x, y), monitored; per symmetry group: (group, how far the quantity moved, the
    largest gap between Kunin's closed form and the measurement), both relative to the quantity's size; and the
    monitor."""
    from .module_laws import find_laws
    from .monitor import LawMonitor

    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    inventory = find_laws(model)
    monitor = LawMonitor(model, inventory, optimizer=opt)
    for _ in range(steps):
        rows = torch.randint(0, len(y), (batch,), generator=generator)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
        monitor.before_step()
        opt.step()
        monitor.after_step()
    out = []
    for s in symmetries(inventory):
        measured = torch.stack(monitor.traces[s["group"]].measured)
        theory = continuous_theory(monitor, s["group"], lr, weight_decay)
        size = float(measured.abs().max())
        out.append((s, float((measured[-1] - measured[0]).abs().max()) / size,
                    float((theory - measured).abs().max()) / size))
    return out, monitor


__all__ = ["SYMMETRIES", "continuous_theory", "symmetries", "train_and_compare", "vgg_bn"]
