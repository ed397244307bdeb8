"""The catalogue entries of Marcotte, Gribonval, Peyré (2023) — Abide by the Law and Follow the Flow."""
from __future__ import annotations

from ..formulas import hidden_neurons, leaky_relu_neurons, paper23_linear, paper23_relu, two_layer_linear
from ..schema import Instance, Result

RESULTS: tuple[Result, ...] = (
    Result(
        "abide23:linear-two-layer", "abide23", "Two-layer linear networks: UᵀU − VᵀV, and no other law",
        r"x \mapsto V U^\top x: \text{the } r(r+1)/2 \text{ entries of } U^\top U - V^\top V \text{ are "
        r"independent laws, and there is no other}",
        r"[U; V] \text{ of full rank } r \ (r \le n + m)",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from r(r+1)/2 (or, for r > n + m, from the independent argument)",
        instances=(Instance("linear", (2, 2, 2)), Instance("linear", (1, 2, 1)), Instance("linear", (3, 3, 1)))
        + paper23_linear(),
        formula=two_layer_linear, depends=("tc25:prop-2.3",),
    ),
    Result(
        "abide23:linear-deep-laws", "abide23", "Deep linear networks: consecutive layers' Gram differences are conserved",
        r"x \mapsto U_q \cdots U_1 x: \text{ the entries of } U_l U_l^\top - U_{l+1}^\top U_{l+1},\ "
        r"1 \le l < q, \text{ are conserved}",
        r"q \ge 2 \text{ layers, any widths}",
        "laws_hold", "exact polynomial identity (⟨∇h, ∇φ_k⟩ ≡ 0 over QQ); ∇h ⊥ every bracket-graph field at a "
                     "seeded rational point, exactly",
        "a stated law with ⟨∇h, ∇φ_k⟩ ≢ 0 (the polynomial is shown) or not orthogonal to a bracket",
        instances=(Instance("linear", (2, 3, 4, 2)), Instance("linear", (1, 2, 2, 1)), Instance("linear", (3, 1, 3, 2)),
                   Instance("linear", (2, 2, 2, 2, 2), grid="full")),
        depends=("tc25:prop-2.3",),
    ),
    Result(
        "abide23:relu-two-layer", "abide23", "Two-layer ReLU networks: one law per hidden neuron, and no other",
        r"x \mapsto \sum_j v_j \sigma(\langle u_j, x\rangle + b_j): \text{the } r \text{ laws } "
        r"\|u_j\|^2 + b_j^2 - \|v_j\|^2 \text{ are independent, and there is no other}",
        r"\text{path lifting } \varphi,\ \text{generic } \theta",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from r, with the point, the rank and D",
        instances=(Instance("relu", (2, 3, 2), True), Instance("relu", (1, 2, 1)), Instance("relu", (4, 1, 4), True)),
        formula=hidden_neurons, depends=("tc25:prop-2.3",),
    ),
    Result(
        "abide23:leaky-relu-two-layer", "abide23", "Two-layer leaky-ReLU networks: one law per hidden neuron for "
        "every slope but 1",
        r"x \mapsto \sum_j v_j \sigma_\alpha(\langle u_j, x\rangle + b_j),\ \sigma_\alpha(t) = \max(t, \alpha t): "
        r"\text{exactly the } r \text{ laws } \|u_j\|^2 + b_j^2 - \|v_j\|^2 \text{ for } \alpha \neq 1",
        r"\alpha \neq 1 \ (\sigma_\alpha \text{ positively homogeneous with two pieces: } \varphi \text{ is the ReLU path "
        r"lifting}),\ \text{generic } \theta",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from r for a slope other than 1, or from the linear count r(r+1)/2 of V[U b] at "
        "slope 1 (outside the hypotheses), with the point, the rank and D",
        instances=(Instance("leaky-relu", (2, 3, 2), True, options=(("slope", "1/10"),)),
                   Instance("leaky-relu", (1, 2, 1), options=(("slope", "-1/2"),)),
                   Instance("leaky-relu", (2, 3, 2), True, options=(("slope", "1"),)),
                   Instance("leaky-relu", (1, 3, 1), options=(("slope", "1"),))),
        formula=leaky_relu_neurons, depends=("abide23:relu-two-layer",),
    ),
    Result(
        "abide23:relu-no-other-laws", "abide23", "Deep ReLU networks: the known laws, and no other",
        r"x \mapsto U_q \sigma(\cdots \sigma(U_1 x + b_1) \cdots): \text{exactly one law per hidden neuron, }"
        r"\|\text{incoming weights and bias}\|^2 - \|\text{outgoing weights}\|^2",
        r"\text{path lifting } \varphi,\ \text{generic } \theta",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from the number of hidden neurons (laws the literature does not state, or "
        "fewer)",
        instances=(Instance("relu", (2, 2, 2, 2), True), Instance("relu", (1, 2, 2, 1), True),
                   Instance("relu", (3, 2, 2, 3)), Instance("relu", (1, 1, 1, 1)),
                   Instance("relu", (2, 3, 2, 2), True, grid="full")) + paper23_relu(),
        formula=hidden_neurons, depends=("abide23:relu-two-layer",),
    ),
)
