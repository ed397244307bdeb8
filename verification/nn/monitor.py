"""Training-time law monitor: record every law along training, with the discrete-time prediction.

For a law h that is a quadratic form (rescale, scale and attention laws), ⟨∇h(θ), g⟩ = 0 for
every mini-batch gradient g, so one SGD step θ⁺ = (1 − ηλ)θ − ηg (weight decay λ) gives
exactly (docs/THEORY.md §4, Prop. 5.1):

    h(θ⁺) = (1 − ηλ)² h(θ) + η² h(g).

For the linear laws (column sums, key biases, bias differences and sums, biases before a batch norm)
h(g) = 0 for the gradient itself, so
h(θ⁺) = (1 − ηλ) h(θ).  With λ = 0 the error |h(θ_k) − h(θ_0)| therefore grows like
Σ η² h(g_j): proportional to η² at fixed step count (the paper's Figure 1).
The monitor records measured values after each step and the one-step prediction from the
gradient it saw.  Given the optimizer, it reads η, λ and the momentum buffer itself: for
``torch.optim.SGD`` with momentum μ, dampening τ or Nesterov, the step is θ⁺ = θ − η u with
u = c g + r (c a number, r the part that does not involve this step's gradient: weight
decay and the momentum buffer), and for a quadratic law (bilinear form B, so
h(θ − ηu) = h(θ) − 2η B(θ, u) + η² h(u)) the conservation ⟨∇h(θ), g⟩ = 2B(θ, g) = 0 gives
exactly

    h(θ⁺) = h(θ) − 2η B(θ, r) + η² h(u),   2B(θ, ηr) = h(θ + ηr) − h(θ) − h(ηr),

(h(θ⁺) = h(θ) − η h(r) for the linear column sums), which is the formula above when μ = 0.
Parameter groups may differ in weight decay; where η·c differs inside one law group
(different learning rates across a rescale pair), or the optimizer scales each coordinate
(Adam, AdamW, RMSprop, …), no exact prediction exists: the monitor records the measured
values only and says why in :attr:`LawMonitor.warnings`.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch
from torch import nn

from ..report.extras import missing_extra
from .laws import LawInventory, values_only

# laws linear in θ (h(θ − u) = h(θ) − h(u)); the others are quadratic forms
LINEAR_KINDS = {"column_sum", "key_bias", "bias_difference", "bias_sum", "bias_before_norm"}


@dataclass
class LawTrace:
    """Per group: measured law values per step (steps × m) and the one-step predictions."""

    measured: list[torch.Tensor] = field(default_factory=list)
    predicted: list[torch.Tensor] = field(default_factory=list)


def _plus(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    """a + b where None stands for zero."""
    if a is None:
        return b
    return a if b is None else a + b


class LawMonitor:
    """Call :meth:`before_step` after ``backward()`` and before ``optimizer.step()``, then :meth:`after_step`.

    ``optimizer``: the optimizer that will take the step; with it, :meth:`before_step` needs no
    arguments and handles momentum, Nesterov, dampening and per-group learning rates and weight
    decay (module docstring).  Without it, ``before_step(lr, weight_decay)`` predicts a plain
    SGD step.
    """

    def __init__(self, model: nn.Module, inventory: LawInventory, optimizer: torch.optim.Optimizer | None = None):
        self.model = model
        self.inventory = inventory
        self.optimizer = optimizer
        self.traces = {i: LawTrace() for i in range(len(inventory.groups))}
        self.warnings: list[str] = []
        self._pending: dict[int, torch.Tensor] = {}
        self._law_params = {p for g in inventory.groups for p in g.params}
        named = dict(model.named_parameters())
        for g in inventory.groups:
            frozen = [p for p in g.params if p in named and not named[p].requires_grad]
            if frozen:
                self._warn(f"{g.kind} laws of {', '.join(g.modules)}: {', '.join(frozen)} is frozen "
                           "(requires_grad=False), so training cannot move it as the symmetry needs: these laws "
                           "are expected to drift at first order, and the frozen parameters are the cause")
        if optimizer is not None and not isinstance(optimizer, torch.optim.SGD):
            self._warn(f"{type(optimizer).__name__} rescales each coordinate of the gradient, so the update is not "
                       "orthogonal to the laws' gradients and no exact one-step prediction exists: measured values only")
        self._record_measured()

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def _params(self) -> dict[str, torch.Tensor]:
        return {k: v.detach() for k, v in self.model.named_parameters()}

    @torch.no_grad()
    def _record_measured(self) -> None:
        p = self._params()
        with values_only():
            for i, g in enumerate(self.inventory.groups):
                self.traces[i].measured.append(g.values(p).clone())

    def _sgd_steps(self, lr: float | None, weight_decay: float,
                   names: set[str]) -> dict[str, tuple[float, torch.Tensor | None]]:
        """Per parameter name in ``names``: (η·c, η·r or None when r = 0) for the coming step θ⁺ = θ − η (c g + r)."""
        params = dict(self.model.named_parameters())
        settings: dict[int, dict] = {}
        if self.optimizer is not None:
            for group in self.optimizer.param_groups:
                for p in group["params"]:
                    settings[id(p)] = group
        out = {}
        for name in names:
            p = params[name]
            theta = p.detach()
            if self.optimizer is None:
                eta, wd, mu, tau, nesterov, state = lr, weight_decay, 0.0, 0.0, False, {}
            else:
                group = settings.get(id(p))
                if group is None:  # not trained by this optimizer: it does not move
                    out[name] = (0.0, None)
                    continue
                eta, wd = float(group["lr"]), float(group.get("weight_decay", 0.0))
                mu, tau, nesterov = float(group.get("momentum", 0.0)), float(group.get("dampening", 0.0)), \
                    bool(group.get("nesterov", False))
                state = self.optimizer.state.get(p, {})
            # η·r built in one scaled copy: η·wd·θ (+ η·μ·buf); the optimizer's buffers are never written
            r = theta * (eta * wd) if wd else None
            c = 1.0
            if mu:
                buf = state.get("momentum_buffer")
                if buf is None:  # first step: the buffer starts as the (decayed) gradient, undamped
                    c_buf, r_buf = 1.0, r
                else:
                    c_buf = 1.0 - tau
                    if r is None:
                        r_buf = buf * (eta * mu)
                    else:  # η(μ buf + (1 − τ) wd θ)
                        r_buf = torch.add(r if tau == 0 else r * (1.0 - tau), buf, alpha=eta * mu)
                if nesterov:  # u = d + μ buf
                    c = 1.0 + mu * c_buf
                    r = _plus(r, r_buf * mu if r_buf is not None else None)
                else:
                    c, r = c_buf, r_buf
            out[name] = (eta * c, r)
        return out

    @torch.no_grad()
    def before_step(self, lr: float | None = None, weight_decay: float = 0.0) -> None:
        """Predict each law after the coming step, from the current gradient (module docstring).

        Cost: one evaluation of each law group for plain SGD (h(g)); three with momentum or weight decay
        (h(θ + ηr), h(ηr), h(ηu)), the shifted parameters built once per parameter and shared by the groups."""
        if self.optimizer is None and lr is None:
            raise ValueError("before_step needs lr (and weight_decay) when the monitor was not given the optimizer")
        if self.optimizer is not None and not isinstance(self.optimizer, torch.optim.SGD):
            return
        if self.optimizer is not None and any(g.get("maximize") for g in self.optimizer.param_groups):
            self._warn("maximize=True: the optimizer ascends the loss; no prediction is made")
            return
        with values_only():
            self._predict(self._sgd_steps(lr, weight_decay, self._law_params))

    def _predict(self, steps: dict[str, tuple[float, torch.Tensor | None]]) -> None:
        """The one-step predictions of every law group (before_step's body)."""
        named = dict(self.model.named_parameters())
        grads = {p: named[p].grad if named[p].grad is not None else torch.zeros_like(named[p]) for p in steps}
        shifted: dict[str, torch.Tensor] = {}  # θ + ηr
        moved: dict[str, torch.Tensor] = {}  # ηu = ηc g + ηr
        zero: dict[str, torch.Tensor] = {}

        def r_of(p: str) -> torch.Tensor:
            if steps[p][1] is not None:
                return steps[p][1]
            if p not in zero:
                zero[p] = torch.zeros_like(grads[p])
            return zero[p]

        for i, g in enumerate(self.inventory.groups):
            scales = {steps[p][0] for p in g.params}
            if max(scales) - min(scales) > 1e-12 * max(abs(v) for v in scales):
                self._warn(f"{g.kind} laws of {', '.join(g.modules)}: their parameters take steps of different sizes "
                           "(learning rate or momentum settings differ), so no exact prediction exists for them")
                continue
            c = scales.pop()
            now = self.traces[i].measured[-1]
            if all(steps[p][1] is None for p in g.params):  # plain SGD: h(θ − c g) = h(θ) + c² h(g) (linear: h(θ))
                self._pending[i] = now.clone() if g.kind in LINEAR_KINDS else \
                    now + c * c * g.values({p: grads[p] for p in g.params})
                continue
            r = {p: r_of(p) for p in g.params}
            if g.kind in LINEAR_KINDS:  # linear: h(θ − u) = h(θ) − c h(g) − h(r), and h(g) = 0
                self._pending[i] = now - g.values(r)
                continue
            for p in g.params:
                if p not in shifted:
                    shifted[p] = named[p].detach() + r[p]
                    moved[p] = torch.add(r[p], grads[p], alpha=steps[p][0])
            # quadratic: h(θ − u) = h(θ) − 2B(θ, r) + h(u), B(θ, g) = 0, 2B(θ, r) = h(θ + r) − h(θ) − h(r)
            two_b = g.values({p: shifted[p] for p in g.params}) - now - g.values(r)
            self._pending[i] = now - two_b + g.values({p: moved[p] for p in g.params})

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
        """Largest |measured − predicted| over the predicted steps, relative to the largest drift |h(θ_k) − h(θ_0)|
        over the same steps; a drift below the rounding floor (1000 ulp of the largest |h|) counts as the floor,
        so a law that did not move reports its error in units of that floor.  nan without predictions."""
        t = self.traces[i]
        if not t.predicted:
            return float("nan")
        meas = torch.stack(t.measured[1:len(t.predicted) + 1])
        pred = torch.stack(t.predicted)
        error = float((meas - pred).abs().max())
        drift = float((meas - t.measured[0]).abs().max())
        floor = 1000 * torch.finfo(meas.dtype).eps * max(float(meas.abs().max()), float(t.measured[0].abs().max()))
        return error / max(drift, floor, 1e-300)

    def predicted_drift(self, i: int) -> torch.Tensor:
        """max_j |ĥ_j(θ_k) − h_j(θ_0)|, ĥ the one-step predictions (step 0: 0)."""
        t = self.traces[i]
        if not t.predicted:
            return torch.zeros(1)
        pred = torch.stack([t.measured[0]] + t.predicted)
        return (pred - t.measured[0]).abs().max(dim=1).values

    def plot_series(self, i: int) -> tuple[list[int], list[float], list[float]]:
        """(steps, measured drift, predicted drift) from step 1 on, exact zeros as nan (a log axis cannot show 0)."""
        drift = self.drift(i).tolist()[1:]
        pred = self.predicted_drift(i).tolist()[1:] if self.traces[i].predicted else []
        nan = float("nan")
        return (list(range(1, len(drift) + 1)), [v if v > 0 else nan for v in drift],
                [v if v > 0 else nan for v in pred])

    def plot(self, path: str, title: str = "law drift") -> bool:
        """Measured drift (solid) and predicted drift (dashed) per law group against the step, saved to ``path``;
        True when drawn.  It needs matplotlib (the ``figures`` extra); without it one line on stderr says so and
        nothing is drawn (False): a training run does not end in a traceback for want of a plot."""
        try:
            import matplotlib
        except ImportError:
            print(missing_extra("matplotlib", "LawMonitor.plot"), file=sys.stderr)
            return False

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for i, g in enumerate(self.inventory.groups):
            steps, drift, pred = self.plot_series(i)
            line, = ax.semilogy(steps, drift, label=f"{g.kind} {','.join(g.modules)}")
            if pred:
                ax.semilogy(steps[:len(pred)], pred, "--", color=line.get_color())
        ax.set_xlabel("step")
        ax.set_ylabel("max |h(θ_k) − h(θ_0)|  (dashed: one-step prediction)")
        ax.set_title(title)
        if len(self.inventory.groups) <= 8:
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        return True
