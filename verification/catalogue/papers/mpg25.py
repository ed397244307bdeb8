"""The catalogue entries of Marcotte, Peyré, Gribonval (2025) — Intrinsic training dynamics of deep neural networks."""
from __future__ import annotations

from ..formulas import intrinsic_expected
from ..schema import Instance, Result

RESULTS: tuple[Result, ...] = (
    Result(
        "mpg25:linear-relaxed-balanced", "mpg25", "Linear networks: relaxed balanced initialisations give an "
        "intrinsic dynamic",
        r"\ker\begin{bmatrix}\partial\varphi(\theta)\\ \partial h(\theta)\end{bmatrix} \subset \ker "
        r"\partial M(\theta),\ M = \partial\varphi\,\partial\varphi^\top,\ \text{ exactly where } "
        r"U_1U_1^\top - U_2^\top U_2 = \lambda I",
        r"\varphi = U_2U_1,\ U_1 \in \mathbb{R}^{r \times n},\ U_2 \in \mathbb{R}^{m\times r},\ "
        r"r \le \min(n, m),\ h \text{ the laws } U_1U_1^\top - U_2^\top U_2",
        "intrinsic", "exact ranks over QQ of [∂φ; ∂h] and [∂φ; ∂h; ∂M] at rational points: a seeded generic one, a "
                     "balanced one and a relaxed balanced one (λ = ±1, built with rational Cayley rotations)",
        "the criterion failing at a (relaxed) balanced point, or holding at a generic one with r ≥ 2; the witness "
        "direction that keeps z and the laws but moves M is shown",
        instances=(Instance("linear", (4, 2, 2)), Instance("linear", (2, 2, 4)), Instance("linear", (5, 2, 3)),
                   Instance("linear", (3, 1, 2)), Instance("linear", (2, 2, 2)),
                   Instance("linear", (6, 3, 3), grid="full")),
        depends=("tc25:prop-3.5-linear",), formula=intrinsic_expected,
    ),
    Result(
        "mpg25:relu-path-lifting", "mpg25", "ReLU networks: the path lifting gives an intrinsic dynamic for any "
        "initialisation",
        r"\ker\begin{bmatrix}\partial\varphi(\theta)\\ \partial h(\theta)\end{bmatrix} \subset \ker "
        r"\partial M(\theta),\ M = \partial\varphi\,\partial\varphi^\top \text{ at every generic } \theta",
        r"\varphi \text{ the path lifting of a ReLU network},\ h \text{ its laws } "
        r"\|\text{in}_j\|^2 - \|\text{out}_j\|^2",
        "intrinsic", "exact ranks over QQ of [∂φ; ∂h] and [∂φ; ∂h; ∂M] at a seeded generic rational point",
        "a kernel direction that keeps z and the laws but moves M (shown)",
        instances=(Instance("relu", (2, 2, 1)), Instance("relu", (2, 3, 2), True), Instance("relu", (1, 2, 2, 1)),
                   Instance("relu", (2, 2, 2, 2), True, grid="full")),
        depends=("abide23:relu-two-layer",), formula=intrinsic_expected,
    ),
)
