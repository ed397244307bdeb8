"""The training monitor: measured law values follow the exact one-step SGD prediction; drift ∝ η²."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.nn.laws import find_laws  # noqa: E402
from conslaw.verification.nn.monitor import LawMonitor  # noqa: E402


def train(lr, weight_decay=0.0, steps=15, seed=0, make_optimizer=None, give_optimizer=False, tell=True):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 3)).double()
    data = [(torch.randn(16, 3, dtype=torch.float64), torch.randint(0, 3, (16,))) for _ in range(steps)]
    opt = (make_optimizer or (lambda m: torch.optim.SGD(m.parameters(), lr=lr, weight_decay=weight_decay)))(model)
    monitor = LawMonitor(model, find_laws(model), optimizer=opt if tell and (give_optimizer or make_optimizer) else None)
    for x, y in data:
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        if monitor.optimizer is None:
            monitor.before_step(lr, weight_decay)
        else:
            monitor.before_step()
        opt.step()
        monitor.after_step()
    return monitor


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_one_step_prediction_is_exact(weight_decay):
    """h(θ⁺) = (1 − ηλ)² h(θ) + η² h(g) for quadratic laws, (1 − ηλ) h(θ) for the column sums."""
    for monitor in (train(0.1, weight_decay), train(0.1, weight_decay, give_optimizer=True)):
        for i, g in enumerate(monitor.inventory.groups):
            if g.kind == "column_sum" and weight_decay == 0:
                assert monitor.prediction_error(i) < 1  # conserved: no drift beyond rounding, error within it
            else:
                assert monitor.prediction_error(i) < 1e-9  # relative to the drift, not to |h|


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


@pytest.mark.parametrize("options", [
    dict(momentum=0.9), dict(momentum=0.9, weight_decay=0.05), dict(momentum=0.5, dampening=0.3),
    dict(momentum=0.5, dampening=0.3, weight_decay=0.02), dict(momentum=0.5, dampening=1.0, weight_decay=0.02),
    dict(momentum=0.9, nesterov=True, weight_decay=0.01), dict(momentum=0.9, nesterov=True),
])
def test_momentum_sgd_prediction_is_exact(options):
    """h(θ⁺) = h(θ) − 2η B(θ, r) + η² h(u) with u = c g + r (momentum buffer and weight decay in r)."""
    monitor = train(0.05, steps=12, make_optimizer=lambda m: torch.optim.SGD(m.parameters(), lr=0.05, **options))
    assert monitor.warnings == []
    for i, g in enumerate(monitor.inventory.groups):
        assert len(monitor.traces[i].predicted) == 12
        if g.kind == "column_sum" and not options.get("weight_decay"):
            assert monitor.prediction_error(i) < 1
        else:
            assert monitor.prediction_error(i) < 1e-9, (options, g.kind, monitor.prediction_error(i))


def test_the_plain_sgd_formula_is_wrong_under_momentum():
    """The test above can fail: the same momentum run, predicted with the plain-SGD formula, is far off."""
    momentum = lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)  # noqa: E731
    told, blind = train(0.05, steps=12, make_optimizer=momentum), train(0.05, steps=12, make_optimizer=momentum, tell=False)
    i = next(k for k, g in enumerate(told.inventory.groups) if g.kind == "rescale")
    assert told.prediction_error(i) < 1e-9 and blind.prediction_error(i) > 1e-3


def test_parameter_groups_with_different_weight_decay_are_exact():
    def opt(m):
        return torch.optim.SGD([{"params": m[0].parameters(), "weight_decay": 0.1},
                                {"params": m[2].parameters(), "weight_decay": 0.0}], lr=0.05, momentum=0.5)
    monitor = train(0.05, steps=10, make_optimizer=opt)
    assert monitor.warnings == []
    i = next(k for k, g in enumerate(monitor.inventory.groups) if g.kind == "rescale")
    assert monitor.prediction_error(i) < 1e-9


def test_no_exact_prediction_is_said_not_made():
    def opt(m):
        return torch.optim.SGD([{"params": m[0].parameters(), "lr": 0.05},
                                {"params": m[2].parameters(), "lr": 0.01}], lr=0.05)
    monitor = train(0.05, steps=5, make_optimizer=opt)
    i = next(k for k, g in enumerate(monitor.inventory.groups) if g.kind == "rescale")
    assert monitor.traces[i].predicted == [] and any("different sizes" in w for w in monitor.warnings)
    for cls in (torch.optim.Adam, torch.optim.AdamW):
        monitor = train(0.01, steps=5, make_optimizer=lambda m: cls(m.parameters(), lr=0.01))
        assert all(t.predicted == [] for t in monitor.traces.values())
        assert any("rescales each coordinate" in w for w in monitor.warnings)


def test_plot_series_starts_at_step_one_without_fake_zeros():
    monitor = train(0.1, steps=5)
    for i, _ in enumerate(monitor.inventory.groups):
        steps, drift, pred = monitor.plot_series(i)
        assert steps[0] == 1 and len(drift) == 5
        assert all(v != v or v > 1e-200 for v in drift + pred)  # nan (not drawn) or a real value, never 1e-300
