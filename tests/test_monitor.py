"""The training monitor: measured law values follow the exact one-step SGD prediction; drift ∝ η²."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.module_laws import find_laws  # noqa: E402
from conslaw.verification.monitor import LawMonitor  # noqa: E402


def train(lr, weight_decay=0.0, steps=15, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 3)).double()
    data = [(torch.randn(16, 3, dtype=torch.float64), torch.randint(0, 3, (16,))) for _ in range(steps)]
    monitor = LawMonitor(model, find_laws(model))
    opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    for x, y in data:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        monitor.before_step(lr, weight_decay)
        opt.step()
        monitor.after_step()
    return monitor


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_one_step_prediction_is_exact(weight_decay):
    """h(θ⁺) = (1 − ηλ)² h(θ) + η² h(g) for quadratic laws, (1 − ηλ) h(θ) for the column sums."""
    monitor = train(0.1, weight_decay)
    for i, _ in enumerate(monitor.inventory.groups):
        assert monitor.prediction_error(i) < 1e-12


def test_drift_grows_like_lr_squared():
    """Same data, step 0.01 vs 0.02: the rescale laws' drift is about 4 times larger (Prop. 5.1)."""
    small, large = train(0.01), train(0.02)
    i = next(k for k, g in enumerate(small.inventory.groups) if g.kind == "rescale")
    ratio = float(large.drift(i)[-1] / small.drift(i)[-1])
    assert 3.0 < ratio < 5.0
    j = next(k for k, g in enumerate(small.inventory.groups) if g.kind == "column_sum")
    assert float(small.drift(j)[-1]) < 1e-12  # exactly conserved by SGD


def test_weight_decay_shrinks_the_laws():
    monitor = train(0.1, weight_decay=0.5, steps=10)
    j = next(k for k, g in enumerate(monitor.inventory.groups) if g.kind == "column_sum")
    first, last = monitor.traces[j].measured[0], monitor.traces[j].measured[-1]
    assert torch.allclose(last, (1 - 0.1 * 0.5) ** 10 * first, rtol=1e-10, atol=1e-14)


def test_plot_draws_measured_and_predicted(tmp_path):
    pytest.importorskip("matplotlib")
    monitor = train(0.1, steps=5)
    assert monitor.predicted_drift(0).shape == monitor.drift(0).shape
    path = tmp_path / "drift.png"
    monitor.plot(str(path))
    assert path.stat().st_size > 1000
