"""Neural Mechanics' symmetries found in a VGG-style network with batch norm, and Kunin's continuous-time closed
forms of their broken dynamics (weight decay, finite learning rate) against real SGD training."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.module_laws import find_laws  # noqa: E402
from conslaw.verification.monitor import LawMonitor  # noqa: E402
from conslaw.verification.neural_mechanics import continuous_theory, symmetries  # noqa: E402


def small_vgg(width: int = 4, classes: int = 5) -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * width * 4, 16), nn.ReLU(),
                         nn.Linear(16, classes)).double()


def test_the_three_symmetries_are_found_with_their_conserved_quantities():
    found = symmetries(find_laws(small_vgg()))
    kinds = {s["symmetry"] for s in found}
    assert kinds == {"translation", "scale", "rescale"}
    scale = [s for s in found if s["symmetry"] == "scale"]
    assert [s["modules"] for s in scale] == [["0"], ["4"]] and [s["laws"] for s in scale] == [4, 8]
    assert next(s for s in found if s["symmetry"] == "translation")["modules"] == ["11"]


def test_continuous_theory_follows_training_with_weight_decay():
    """SGD, η = 0.05, λ = 0.02, 120 steps: every quantity moves by several percent, and Kunin's closed form stays
    within 3e-3 of it (relative to its size: the continuous form is O(ηλ) off the discrete steps, and batch norm's
    eps adds to the scale laws)."""
    torch.manual_seed(0)
    model = small_vgg()
    lr, wd = 0.05, 0.02
    opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=wd)
    inventory = find_laws(model)
    monitor = LawMonitor(model, inventory, optimizer=opt)
    x, y = torch.randn(48, 1, 8, 8, dtype=torch.float64), torch.randint(0, 5, (48,))
    for _ in range(120):
        batch = torch.randint(0, 48, (12,))
        opt.zero_grad()
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        monitor.before_step()
        opt.step()
        monitor.after_step()
    for s in symmetries(inventory):
        measured = torch.stack(monitor.traces[s["group"]].measured)
        theory = continuous_theory(monitor, s["group"], lr, wd)
        size = float(measured.abs().max())
        assert float((measured[-1] - measured[0]).abs().max()) > 0.02 * size, s  # the quantity is really broken
        assert float((theory - measured).abs().max()) < 3e-3 * size, s  # O(ηλ), and batch norm's eps for scale
    translation = next(s for s in symmetries(inventory) if s["symmetry"] == "translation")
    theory = continuous_theory(monitor, translation["group"], lr, wd)
    assert torch.allclose(theory[-1], torch.exp(torch.tensor(-wd * lr * 120)) * theory[0])
