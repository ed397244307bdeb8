"""The catalogue entries of Marcotte, Gribonval, Peyré (2024) — Keep the Momentum: Conservation Laws beyond Euclidean Gradient Flows."""
from __future__ import annotations

from ..formulas import (
    mirror_icnn,
    mirror_momentum_nmf,
    mirror_nmf,
    momentum_linear,
    momentum_relu,
)
from ..schema import Instance, Result

RESULTS: tuple[Result, ...] = (
    Result(
        "km24:linear-conservation-loss", "km24", "Momentum: two-layer linear networks keep fewer laws, but when "
        "over-parameterised",
        r"\ddot\theta + \tau\dot\theta = -\nabla L(\theta): \text{ fewer laws than the gradient flow, except "
        r"over-parameterised; here the } \tfrac{r(r-1)}{2} \text{ laws } e^{\tau t}\left(U^\top\dot U - "
        r"\dot U^\top U + V^\top \dot V - \dot V^\top V\right)_{i,j},\ i < j",
        r"\text{two-layer linear } x \mapsto VU^\top x,\ (n, m) \ne (1, 1);\ \text{phase space } (s = e^{\tau t}, "
        r"\theta, \dot\theta),\ \tau = 1",
        "momentum", "exact certificate on phase space (witness brackets of Lie(V_0, W_1, …, W_d) of exact rank over "
                    "QQ at a seeded rational point; the laws of degree ≤ 3 in (s, θ, v) verified as identities); the "
                    "gradient flow's count beside it",
        "a certified momentum count other than the Noether count, with the point and the ranks",
        instances=(Instance("linear", (2, 2, 2)), Instance("linear", (1, 2, 2)), Instance("linear", (2, 3, 2)),
                   Instance("linear", (3, 1, 3)), Instance("linear", (1, 4, 2)), Instance("linear", (1, 1, 1)),
                   Instance("linear", (1, 2, 1)), Instance("linear", (1, 3, 1)),
                   Instance("linear", (3, 3, 3), grid="full")),
        formula=momentum_linear, depends=("tc25:prop-3.5-linear",),
    ),
    Result(
        "km24:relu-no-law", "km24", "Momentum: ReLU networks keep no conservation law",
        r"\ddot\theta + \tau\dot\theta = -\nabla L(\theta): \text{ no conservation law } h(t, \theta, \dot\theta)",
        r"\text{ReLU networks (path lifting)},\ \text{generic } (\theta, \dot\theta),\ \tau = 1",
        "momentum", "exact certificate on phase space (witness brackets of Lie(V_0, W_1, …, W_d) of full rank 2D + 1 "
                    "over QQ at a seeded rational point: no law exists near it)",
        "a phase-space rank below 2D + 1 with laws found, with the point and the rank",
        instances=(Instance("relu", (1, 1, 1)), Instance("relu", (2, 2, 2)), Instance("relu", (2, 1, 2), True),
                   Instance("relu", (3, 2, 3), True), Instance("relu", (2, 2, 2, 2), grid="full")),
        formula=momentum_relu, depends=("abide23:relu-two-layer",),
    ),
    Result(
        "km24:nmf-mirror", "km24", "Non-Euclidean metric (NMF): the mirror flow keeps one law per hidden neuron",
        r"\dot\theta = -\theta \odot \nabla L(\theta) \text{ on } \theta > 0: \text{ exactly } r \text{ laws } "
        r"\textstyle\sum_i (U_1)_{k,i} - \sum_j (U_2)_{j,k},\ k = 1, \dots, r",
        r"\varphi(\theta) = U_2 U_1 \text{ (NMF / two-layer linear)},\ (n, m) \ne (1, 1),\ \text{generic } "
        r"\theta > 0",
        "mirror", "exact certificate (trace rank of Lie(θ ⊙ ∇φ_k) over QQ at a seeded positive rational point, laws "
                  "of degree ≤ 2 verified as identities); the Euclidean gradient flow's count beside it",
        "a certified count other than r, with the point and the rank",
        instances=(Instance("linear", (2, 2, 2)), Instance("linear", (1, 2, 2)), Instance("linear", (2, 1, 2)),
                   Instance("linear", (1, 3, 2)), Instance("linear", (2, 5, 2)),
                   Instance("linear", (3, 3, 3), grid="full")),
        formula=mirror_nmf, depends=("tc25:prop-3.5-linear",),
    ),
    Result(
        "km24:icnn-mirror", "km24", "Non-Euclidean metric (ICNN): the mirror flow keeps one law per hidden neuron",
        r"\dot\theta = -K(\theta)\nabla L,\ K = \mathrm{diag}(\theta) \text{ on the non-negative weights}: "
        r"\text{ one law per hidden neuron, e.g. } \tfrac12(\|a_j\|^2 + b_j^2) - \textstyle\sum_k w_{kj}",
        r"\text{ReLU network, weights after the first layer } \ge 0 \text{ (input-convex), entropic metric on them, "
        r"Euclidean on the others; generic } \theta",
        "mirror", "exact certificate (trace rank of Lie(K(θ)∇φ_k) over QQ at a seeded positive rational point, laws "
                  "of degree ≤ 2 verified as identities); the Euclidean gradient flow's count beside it",
        "a certified count other than the number of hidden neurons, with the point and the rank",
        instances=(Instance("relu", (2, 2, 1), True), Instance("relu", (2, 3, 1), True), Instance("relu", (3, 2, 1)),
                   Instance("relu", (2, 2, 2, 1), True), Instance("relu", (2, 3, 2, 1), True, grid="full")),
        formula=mirror_icnn, depends=("abide23:relu-two-layer",),
    ),
    Result(
        "km24:icnn-momentum-no-law", "km24", "Non-Euclidean metric (ICNN) with momentum: no law persists",
        r"\tfrac{d}{dt}p + \tau p = -\nabla L,\ \dot\theta = K(\theta)p: \text{ no conservation law } "
        r"h(t, \theta, \dot\theta)",
        r"\text{ReLU ICNN as above, phase space } (s = e^{\tau t}, \theta, p),\ \tau = 1",
        "mirror_momentum", "exact certificate on phase space (witness brackets of Lie(V_0, W_1, …, W_d) of full rank "
                           "2D + 1 over QQ at a seeded positive rational point: no law exists near it)",
        "a phase-space rank below 2D + 1, with the point and the rank",
        instances=(Instance("relu", (1, 1, 1), True), Instance("relu", (2, 2, 1), True),
                   Instance("relu", (2, 2, 2, 1), True, grid="full")),
        formula=mirror_momentum_nmf, depends=("km24:icnn-mirror",),
    ),
    Result(
        "km24:nmf-momentum-no-law", "km24", "Non-Euclidean metric (NMF) with momentum: no law persists",
        r"\tfrac{d^2}{dt^2}\log\theta + \tau\tfrac{d}{dt}\log\theta = -\nabla L(\theta): \text{ no "
        r"conservation law } h(t, \theta, \dot\theta)",
        r"\varphi(\theta) = U_2 U_1,\ \text{phase space } (s = e^{\tau t}, \theta, p = \dot\theta/\theta),\ "
        r"\tau = 1,\ \text{generic } \theta > 0",
        "mirror_momentum", "exact certificate on phase space (witness brackets of Lie(V_0, W_1, …, W_d) of full rank "
                           "2D + 1 over QQ at a seeded positive rational point: no law exists near it)",
        "a phase-space rank below 2D + 1, with the point and the rank",
        instances=(Instance("linear", (1, 1, 1)), Instance("linear", (1, 2, 1)), Instance("linear", (2, 2, 2)),
                   Instance("linear", (2, 3, 2)), Instance("linear", (3, 2, 3), grid="full")),
        formula=mirror_momentum_nmf, depends=("km24:nmf-mirror",),
    ),
)
