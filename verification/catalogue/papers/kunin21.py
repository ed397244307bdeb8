"""The catalogue entries of Kunin, Sagastuy-Brena, Ganguli, Yamins, Tanaka (2021) — Neural Mechanics."""
from __future__ import annotations

from ..schema import Evidence, Instance, Result

RESULTS: tuple[Result, ...] = (
    Result(
        "kunin21:broken-dynamics", "kunin21", "Weight decay and a finite learning rate break the symmetries' laws, "
        "as the closed forms say",
        r"\langle\theta_A(t), 1\rangle = e^{-\lambda t}\langle\theta_A(0), 1\rangle,\quad \|\theta_A(t)\|^2 = "
        r"e^{-2\lambda t}\|\theta_A(0)\|^2 + \eta\int_0^t e^{-2\lambda(t-\tau)}\|g_A(\tau)\|^2 d\tau "
        r"\ (\text{and the same for } \|\theta_1\|^2 - \|\theta_2\|^2)",
        r"\text{translation, scale and rescale symmetries; SGD with weight decay } \lambda, \text{ step } \eta",
        "neural_mechanics", "numerical evidence: a VGG-style network with batch norm trained by SGD in float64 "
                            "(η = 0.05, λ = 0.02, 120 steps, seeded synthetic 8 × 8 images); the closed forms against "
                            "the measured laws, within 3e-3 of their size while each moves by more than 2 %",
        "a symmetry group whose measured laws leave the closed form (the gap and how far they moved are shown), or "
        "a symmetry not found",
        instances=(Instance("vgg-bn", options=(("width", 4),)), Instance("vgg-bn", options=(("width", 8),),
                                                                          grid="full")),
        depends=("tc25:prop-5.1",), evidence=Evidence.NUMERICAL,
    ),
    Result(
        "kunin21:momentum-oscillators", "kunin21", "With momentum the broken laws follow harmonic oscillators",
        r"m\,\ddot x + (1 - \beta)\dot x + \lambda x = 0 \text{ for } x = \langle\theta_A, 1\rangle,\quad "
        r"m\,\ddot u + (1 - \beta)\dot u + 2\lambda u = 2m\,q(\dot\theta) \text{ for } u = \|\theta_A\|^2 "
        r"\text{ (or } \|\theta_1\|^2 - \|\theta_2\|^2),\ m = \tfrac{\eta(1 + \beta)}{2}",
        r"\text{translation, scale and rescale symmetries; heavy-ball SGD, momentum } \beta, \text{ weight decay } "
        r"\lambda, \text{ step } \eta \text{ (Kunin's modified equation)}",
        "neural_mechanics", "numerical evidence: the VGG-style network with batch norm trained by heavy-ball SGD in "
                            "float64 (η = 0.02, β = 0.98: under-damped translation, λ = 0.05, 300 steps, seeded "
                            "synthetic 8 × 8 images); the damped oscillator in closed form, the driven one integrated "
                            "with the measured kinetic term, within 2e-2 of the quantities' size while each moves by "
                            "more than 2 %",
        "a symmetry group whose measured laws leave the oscillator (the gap and how far they moved are shown)",
        instances=(Instance("vgg-bn", options=(("width", 4), ("optimizer", "momentum"))),),
        depends=("kunin21:broken-dynamics",), evidence=Evidence.NUMERICAL,
    ),
)
