"""Neural Mechanics' symmetries found in a VGG-style network with batch norm, and Kunin's continuous-time closed
forms of their broken dynamics (weight decay, finite learning rate) against real SGD training."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.module_laws import find_laws  # noqa: E402
from conslaw.verification.neural_mechanics import (continuous_theory, symmetries, train_and_compare,  # noqa: E402
                                                   vgg_bn)


def small_vgg() -> nn.Module:
    return vgg_bn(width=4, classes=5, hidden=16)


def test_the_three_symmetries_are_found_with_their_conserved_quantities():
    found = symmetries(find_laws(small_vgg()))
    kinds = {s["symmetry"] for s in found}
    assert kinds == {"translation", "scale", "rescale"}
    scale = [s for s in found if s["symmetry"] == "scale"]
    assert [s["modules"] for s in scale] == [["0"], ["4"]] and [s["laws"] for s in scale] == [4, 8]
    assert next(s for s in found if s["symmetry"] == "translation")["modules"] == ["11"]


def test_continuous_theory_follows_training_with_weight_decay():
    """SGD, η = 0.05, λ = 0.02, 120 steps: every quantity moves by more than 2 % of its size, and Kunin's closed form
    stays within 3e-3 of it (relative to its size: the continuous form is O(ηλ) off the discrete steps, and batch
    norm's eps adds to the scale laws); the translation laws decay exactly as e^{−λt} in the theory."""
    torch.manual_seed(0)
    model = small_vgg()
    x, y = torch.randn(48, 1, 8, 8, dtype=torch.float64), torch.randint(0, 5, (48,))
    compared, monitor = train_and_compare(model, x, y, lr=0.05, weight_decay=0.02, steps=120, batch=12)
    assert {s["symmetry"] for s, _, _ in compared} == {"translation", "scale", "rescale"}
    for s, moved, gap in compared:
        assert moved > 0.02 and gap < 3e-3, (s, moved, gap)
    translation = next(s for s, _, _ in compared if s["symmetry"] == "translation")
    theory = continuous_theory(monitor, translation["group"], 0.05, 0.02)
    assert torch.allclose(theory[-1], torch.exp(torch.tensor(-0.02 * 0.05 * 120)) * theory[0])
