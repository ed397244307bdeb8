"""Training-time law monitor: record every law along training, with the discrete-time prediction.

For a law h that is a quadratic form (rescale, scale and attention laws), ⟨∇h(θ), g⟩ = 0 for
every mini-batch gradient g, so one SGD step θ⁺ = (1 − ηλ)θ − ηg (weight decay λ) gives
exactly (docs/THEORY.md §4, Prop. 5.1):

    h(θ⁺) = (1 − ηλ)² h(θ) + η² h(g).

For the column sums (linear laws) the gradient itself has zero column sums, so
h(θ⁺) = (1 − ηλ) h(θ).  With λ = 0 the error |h(θ_k) − h(θ_0)| therefore grows like
Σ η² h(g_j): proportional to η² at fixed step count (the paper's Figure 1).
The monitor records measured values after each step and, when told the step's η and λ,
the one-step prediction from the gradient it saw; any optimizer can be monitored, the
prediction holds for plain SGD.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .module_laws import LawInventory


@dataclass
class LawTrace:
    """Per group: measured law values per step (steps × m) and the one-step predictions."""

    measured: list[torch.Tensor] = field(default_factory=list)
    predicted: list[torch.Tensor] = field(default_factory=list)


class LawMonitor:
    """Call :meth:`before_step` after ``backward()`` and before ``optimizer.step()``, then :meth:`after_step`."""

    def __init__(self, model: nn.Module, inventory: LawInventory):
        self.model = model
        self.inventory = inventory
        self.traces = {i: LawTrace() for i in range(len(inventory.groups))}
        self._pending: dict[int, torch.Tensor] = {}
        self._record_measured()

    def _params(self) -> dict[str, torch.Tensor]:
        return {k: v.detach() for k, v in self.model.named_parameters()}

    def _record_measured(self) -> None:
        p = self._params()
        for i, g in enumerate(self.inventory.groups):
            self.traces[i].measured.append(g.values(p).clone())

    @torch.no_grad()
    def before_step(self, lr: float, weight_decay: float = 0.0) -> None:
        """Predict each law after a plain SGD step with this lr and weight decay, from the current gradient."""
        params = dict(self.model.named_parameters())
        grads = {k: (v.grad if v.grad is not None else torch.zeros_like(v)).detach() for k, v in params.items()}
        shrink = 1.0 - lr * weight_decay
        for i, g in enumerate(self.inventory.groups):
            now = self.traces[i].measured[-1]
            if g.kind == "column_sum":
                self._pending[i] = shrink * now
            else:
                self._pending[i] = shrink ** 2 * now + lr ** 2 * g.values(grads)

    def after_step(self) -> None:
        """Record the measured values after the step (and the prediction made before it, if any)."""
        self._record_measured()
        for i in self.traces:
            if i in self._pending:
                self.traces[i].predicted.append(self._pending.pop(i))

    def drift(self, i: int) -> torch.Tensor:
        """max_j |h_j(θ_k) − h_j(θ_0)| for each recorded step k, for law group i."""
        m = torch.stack(self.traces[i].measured)
        return (m - m[0]).abs().max(dim=1).values

    def prediction_error(self, i: int) -> float:
        """Largest |measured − predicted| over the steps, relative to the largest |law value|."""
        t = self.traces[i]
        if not t.predicted:
            return float("nan")
        meas = torch.stack(t.measured[1:len(t.predicted) + 1])
        pred = torch.stack(t.predicted)
        return float((meas - pred).abs().max()) / max(float(meas.abs().max()), 1e-300)

    def predicted_drift(self, i: int) -> torch.Tensor:
        """max_j |ĥ_j(θ_k) − h_j(θ_0)|, ĥ the one-step predictions (step 0: 0)."""
        t = self.traces[i]
        if not t.predicted:
            return torch.zeros(1)
        pred = torch.stack([t.measured[0]] + t.predicted)
        return (pred - t.measured[0]).abs().max(dim=1).values

    def plot(self, path: str, title: str = "law drift") -> None:
        """Measured drift (solid) and predicted drift (dashed) per law group against the step; needs matplotlib."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for i, g in enumerate(self.inventory.groups):
            line, = ax.semilogy(self.drift(i).cpu().numpy() + 1e-300, label=f"{g.kind} {','.join(g.modules)}")
            if self.traces[i].predicted:
                ax.semilogy(self.predicted_drift(i).cpu().numpy() + 1e-300, "--", color=line.get_color())
        ax.set_xlabel("step")
        ax.set_ylabel("max |h(θ_k) − h(θ_0)|  (dashed: SGD prediction)")
        ax.set_title(title)
        if len(self.inventory.groups) <= 8:
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
