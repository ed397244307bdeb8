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

With momentum β (heavy ball, ``torch.optim.SGD(momentum=β)``: θ_{k+1} − θ_k = β(θ_k − θ_{k−1}) − η(g_k + λθ_k)),
Kunin's modified equation is m θ'' + (1 − β) θ' = −g − λθ with mass m = η(1 + β)/2 (Taylor expansion of both
differences to second order, t = kη).  Projected on the symmetries it gives harmonic oscillators:

* translation: m x'' + (1 − β) x' + λ x = 0 for x = ⟨θ_A, 1⟩ (⟨g_A, 1⟩ = 0): a damped oscillator, solved in
  closed form (:func:`damped_oscillator`), x(0) = x_0, x'(0) = −λx_0 (the first step);
* scale and rescale: m u'' + (1 − β) u' + 2λ u = 2m q(θ') for u = ‖θ_A‖² (or the rescale difference): an
  oscillator driven by the kinetic term q(θ'), which :func:`train_momentum_and_compare` reads off the steps
  (θ' ≈ Δθ/η) and :func:`driven_oscillator` integrates (u'(0) = −2λu_0).
"""
from __future__ import annotations

import math

import torch

from .laws import values_only

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
    from .laws import find_laws
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


def damped_oscillator(x0: float, v0: float, mass: float, friction: float, stiffness: float,
                      times: torch.Tensor) -> torch.Tensor:
    """The solution of m x'' + c x' + k x = 0, x(0) = x0, x'(0) = v0, at ``times`` (closed form: the roots of
    m r² + c r + k; under-, critically or over-damped)."""
    a, disc = -friction / (2 * mass), friction * friction - 4 * mass * stiffness
    t = times.to(torch.float64)
    if disc < 0:  # x = e^{at}(x0 cos ωt + (v0 − a x0)/ω sin ωt)
        w = math.sqrt(-disc) / (2 * mass)
        return torch.exp(a * t) * (x0 * torch.cos(w * t) + (v0 - a * x0) / w * torch.sin(w * t))
    if disc == 0:
        return torch.exp(a * t) * (x0 + (v0 - a * x0) * t)
    r1, r2 = a + math.sqrt(disc) / (2 * mass), a - math.sqrt(disc) / (2 * mass)
    c1 = (v0 - r2 * x0) / (r1 - r2)
    return c1 * torch.exp(r1 * t) + (x0 - c1) * torch.exp(r2 * t)


def driven_oscillator(u0: torch.Tensor, v0: torch.Tensor, mass: float, friction: float, stiffness: float,
                      drive: torch.Tensor, dt: float, substeps: int = 8) -> torch.Tensor:
    """m u'' + c u' + k u = f(t) with f constant on each step [t_j, t_j + dt) (``drive``: steps × laws), by RK4
    with ``substeps`` per step; u at every step boundary (steps + 1 rows)."""
    u, v, h = u0.clone(), v0.clone(), dt / substeps
    out = [u.clone()]

    def accel(u, v, f):
        return (f - friction * v - stiffness * u) / mass

    for f in drive:
        for _ in range(substeps):
            k1u, k1v = v, accel(u, v, f)
            k2u, k2v = v + h / 2 * k1v, accel(u + h / 2 * k1u, v + h / 2 * k1v, f)
            k3u, k3v = v + h / 2 * k2v, accel(u + h / 2 * k2u, v + h / 2 * k2v, f)
            k4u, k4v = v + h * k3v, accel(u + h * k3u, v + h * k3v, f)
            u = u + h / 6 * (k1u + 2 * k2u + 2 * k3u + k4u)
            v = v + h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v)
        out.append(u.clone())
    return torch.stack(out)


def train_momentum_and_compare(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, lr: float,
                               momentum: float, weight_decay: float, steps: int, batch: int, seed: int = 0):
    """SGD with heavy-ball momentum and weight decay on (x, y); per symmetry group: (group, how far the quantity
    moved, the largest gap between Kunin's oscillator and the measurement — both relative to the quantity's size —,
    the measured values and the theory, steps + 1 rows each)."""
    from .laws import find_laws

    generator = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    groups = symmetries(find_laws(model))
    inventory = find_laws(model)
    measured = {s["group"]: [] for s in groups}
    kinetic = {s["group"]: [] for s in groups}

    def params():
        return {k: v.detach().clone() for k, v in model.named_parameters()}

    with torch.no_grad(), values_only():
        p = params()
        for s in groups:
            measured[s["group"]].append(inventory.groups[s["group"]].values(p))
    for _ in range(steps):
        rows = torch.randint(0, len(y), (batch,), generator=generator)
        before = params()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
        opt.step()
        after = params()
        with torch.no_grad(), values_only():
            step = {k: (after[k] - before[k]) / lr for k in after}  # θ' ≈ Δθ/η
            for s in groups:
                g = inventory.groups[s["group"]]
                measured[s["group"]].append(g.values(after))
                kinetic[s["group"]].append(g.values(step))
    mass, friction = lr * (1 + momentum) / 2, 1 - momentum
    times = torch.arange(steps + 1, dtype=torch.float64) * lr
    out = []
    for s in groups:
        m = torch.stack(measured[s["group"]])
        if s["symmetry"] == "translation":
            theory = torch.stack([damped_oscillator(float(h0), -weight_decay * float(h0), mass, friction, weight_decay,
                                                    times) for h0 in m[0]], dim=1)
        else:
            theory = driven_oscillator(m[0], -2 * weight_decay * m[0], mass, friction, 2 * weight_decay,
                                       2 * mass * torch.stack(kinetic[s["group"]]), lr)
        size = float(m.abs().max())
        out.append((s, float((m[-1] - m[0]).abs().max()) / size, float((theory - m).abs().max()) / size, m, theory))
    return out


__all__ = ["SYMMETRIES", "continuous_theory", "damped_oscillator", "driven_oscillator", "symmetries",
           "train_and_compare", "train_momentum_and_compare", "vgg_bn"]
