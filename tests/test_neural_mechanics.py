"""Neural Mechanics' symmetries found in a VGG-style network with batch norm, and Kunin's continuous-time closed
forms of their broken dynamics (weight decay, finite learning rate) against real SGD training."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.nn.laws import find_laws  # noqa: E402
from conslaw.verification.nn.neural_mechanics import continuous_theory, symmetries, train_and_compare, vgg_bn  # noqa: E402


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


@pytest.mark.parametrize("friction", [0.02, 0.2, 2 * (0.02 * 0.05) ** 0.5])  # under-, over- and critically damped
def test_damped_oscillator_closed_form_against_integration(friction):
    """The closed form against the RK4 integrator with no drive (an independent path), in the three regimes."""
    from conslaw.verification.nn.neural_mechanics import damped_oscillator, driven_oscillator

    mass, stiffness, dt, steps = 0.02, 0.05, 0.02, 300
    times = torch.arange(steps + 1, dtype=torch.float64) * dt
    closed = damped_oscillator(0.7, -0.3, mass, friction, stiffness, times)
    integrated = driven_oscillator(torch.tensor([0.7], dtype=torch.float64), torch.tensor([-0.3], dtype=torch.float64),
                                   mass, friction, stiffness, torch.zeros(steps, 1, dtype=torch.float64), dt)
    assert torch.allclose(closed, integrated[:, 0], atol=1e-9)


def test_driven_oscillator_settles_at_the_static_response():
    """A constant drive f: u → f/k (the static deflection), from any start."""
    from conslaw.verification.nn.neural_mechanics import driven_oscillator

    u = driven_oscillator(torch.tensor([1.0], dtype=torch.float64), torch.tensor([0.0], dtype=torch.float64), 0.02, 0.5,
                          0.1, torch.full((4000, 1), 0.3, dtype=torch.float64), 0.05)
    assert abs(float(u[-1, 0]) - 3.0) < 1e-6


def test_momentum_oscillators_follow_training():
    """Heavy-ball SGD, η = 0.02, β = 0.98, λ = 0.05, 300 steps: the translation laws obey the exact discrete recursion
    x_{k+1} = (1 + β − ηλ)x_k − βx_{k−1} (their gradient part vanishes), oscillate (under-damped: they change sign),
    and Kunin's oscillators stay within 2e-2 of every quantity while each moves by more than 2 %."""
    from conslaw.verification.nn.neural_mechanics import train_momentum_and_compare

    torch.manual_seed(0)
    model = small_vgg()
    x, y = torch.randn(48, 1, 8, 8, dtype=torch.float64), torch.randint(0, 5, (48,))
    lr, beta, wd = 0.02, 0.98, 0.05
    compared = train_momentum_and_compare(model, x, y, lr=lr, momentum=beta, weight_decay=wd, steps=300, batch=12)
    assert {c[0]["symmetry"] for c in compared} == {"translation", "scale", "rescale"}
    for s, moved, gap, _, _ in compared:
        assert moved > 0.02 and gap < 2e-2, (s, moved, gap)
    _, _, _, measured, theory = next(c for c in compared if c[0]["symmetry"] == "translation")
    recursion = (1 + beta - lr * wd) * measured[1:-1] - beta * measured[:-2]
    assert torch.allclose(measured[2:], recursion, atol=1e-12)
    assert (measured.sign() != measured[0].sign()).any() and (theory.sign() != theory[0].sign()).any()
