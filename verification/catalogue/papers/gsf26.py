"""The catalogue entries of Galley, Shahverdi, Flinth (2026) — Conservation Laws from Data Symmetry in Neural Networks."""
from __future__ import annotations

from ..formulas import c3_square, lightning_so2, no_extra_law
from ..schema import Instance, Result

RESULTS: tuple[Result, ...] = (
    Result(
        "gsf26:c3-linear-square", "gsf26", "Data symmetry: C3 augmentation gives a linear model new laws under the "
        "square loss",
        r"f(W, x) = Wx,\ W \in \mathbb{R}^{c \times 3},\ \text{data augmented by } C_3: \text{ exactly } 2c - 1 "
        r"\text{ laws, the ratios of } \langle W_i, (1, -1, 0)\rangle, \langle W_i, (1, 1, -2)\rangle;\ "
        r"\text{none without augmentation}",
        r"\text{square loss, invariant labels, } C_3 \text{ acting on } \mathbb{R}^3 \text{ by cyclic shifts}",
        "data_symmetry", "exact: the loss gradients over all augmented data sets span the x-coefficients of "
                         "Σ_g ∇½‖f(gx)‖² and Σ_g ∇f_c(gx); trace rank over QQ at a seeded rational point; the rational "
                         "laws verified as identities B·X(A) − A·X(B) ≡ 0 and independent there",
        "a count other than 2c − 1 with augmentation (or a law without), with the point and the rank",
        instances=(Instance("c3-linear", options=(("outputs", 1),)), Instance("c3-linear", options=(("outputs", 2),)),
                   Instance("c3-linear", options=(("outputs", 3),), grid="full")),
        formula=c3_square,
    ),
    Result(
        "gsf26:logistic-no-extra-law", "gsf26", "Data symmetry: with the logistic loss, augmentation adds no law",
        r"\ell(z) = \log(1 + e^{-z}),\ G \text{ finite}: \text{ the laws for } G\text{-augmented data are those "
        r"for all data}",
        r"\text{one output; a law must be orthogonal to } \textstyle\sum_g f(gx)^k \nabla f(gx) \text{ for every } k "
        r"\text{ with } \ell^{(k+1)}(0) \ne 0 \ (k = 0, 1, 3)",
        "data_symmetry", "exact: an upper bound from the Taylor orders k = 0, 1, 3 (trace rank over QQ) against the "
                         "count for all data (a lower bound), proven where they meet",
        "an upper bound above the plain count (a possible extra law), with the point and the ranks",
        instances=(Instance("c3-linear", options=(("outputs", 1),)),
                   Instance("lightning-attention", options=(("tokens", 1), ("d", 2), ("k", 1), ("group", "sign"))),
                   Instance("lightning-attention", options=(("tokens", 1), ("d", 2), ("k", 1), ("group", "c4"))),
                   Instance("lightning-attention", options=(("tokens", 1), ("d", 3), ("k", 1),
                                                            ("group", "c3-shift")), grid="full")),
        formula=no_extra_law,
    ),
    Result(
        "gsf26:lightning-square", "gsf26", "Data symmetry: rotation-augmented data give lightning attention new laws "
        "under the square loss",
        r"f(x) = (x^\top QK^\top x)(x^\top v) \text{ (unnormalised single head, one token), data augmented by } "
        r"SO(2): \text{ exactly } D - 1 \text{ laws, } D - 3 \text{ more than for all data}",
        r"\text{square loss, invariant labels, } SO(2) \text{ turning the token's two features (Haar average); "
        r"our configuration: the paper's is lost in our copy}",
        "data_symmetry", "exact: the Haar-averaged loss gradients (symbolic rotation, exact moments of cos and sin), "
                         "their trace rank over QQ at a seeded rational point (one field: D − 1 laws by the flow-box "
                         "theorem), certified; the count for all data beside it",
        "a count other than D − 1, with the point and the rank",
        instances=(Instance("lightning-attention", options=(("tokens", 1), ("d", 2), ("k", 1), ("group", "so2"))),
                   Instance("lightning-attention", options=(("tokens", 1), ("d", 2), ("k", 2), ("group", "so2")),
                            grid="full")),  # its certificate takes the checker about 15 s
        formula=lightning_so2,
    ),
)
