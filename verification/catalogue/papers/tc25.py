"""The catalogue entries of Marcotte, Gribonval, Peyré — Transformative or Conservative? Conservation laws for ResNets and Transformers."""
from __future__ import annotations

from ..formulas import (
    attention_head,
    block_laws,
    conv_channels,
    multihead_per_head,
    relu_hyperplanes,
    residual_relu,
    resnet_block_sum,
    sign_flow_count,
    softmax_columns,
    two_layer_linear,
    two_layer_relu,
)
from ..schema import Instance, Result

#: sections 2–3 (shallow models, flows, attention)
SHALLOW: tuple[Result, ...] = (
    Result(
        "tc25:prop-2.3", "tc25", "A function is conserved iff its gradient is orthogonal to every field (Prop. 2.3, "
        "Prop. 2.9)",
        r"h \text{ is conserved by every flow } \dot\theta = -\nabla L \iff "
        r"\langle \nabla h(\theta), \nabla \varphi_k(\theta) \rangle = 0 \ \forall k, \theta \iff "
        r"\nabla h(\theta) \perp \mathrm{Lie}(V_\varphi)(\theta)",
        r"L(\theta) = \ell(\varphi(\theta)),\ \varphi \text{ polynomial (Assumption 2.6)}",
        "laws_hold", "exact polynomial identity (⟨∇h, ∇φ_k⟩ ≡ 0 over QQ); ∇h ⊥ every bracket-graph field at a "
                     "seeded rational point, exactly",
        "a stated law with ⟨∇h, ∇φ_k⟩ ≢ 0 (the polynomial is shown) or not orthogonal to a bracket (the field and "
        "the point), or a perturbed function found conserved",
        instances=(Instance("relu", (3, 2, 3), True), Instance("linear", (2, 3, 2)), Instance("relu", (1, 1, 1)),
                   Instance("softmax", (3, 4), True),
                   Instance("relu", (2, 2, 2, 2), True)),  # stated laws of a second hidden layer too
    ),
    Result(
        "tc25:thm-2.11", "tc25", "Where the trace has constant dimension r, there are exactly D − r laws",
        r"\dim \mathrm{Lie}(V_\varphi)(\theta) = r \text{ near } \theta \implies \text{exactly } D - r "
        r"\text{ independent conservation laws near } \theta",
        r"\dim \mathrm{Lie}(V_\varphi) \text{ locally constant at } \theta",
        "counting", "exact certificate (the trace rank r at a seeded rational point, and D − r independent "
                    "polynomial laws found and verified as identities); the rank compared at three points",
        "a certificate whose laws do not reach D − r (only bounds), or ranks that differ between the points",
        instances=(Instance("relu", (3, 2, 3), True), Instance("linear", (2, 3, 2)),
                   Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))), Instance("softmax", (2, 3)),
                   # traces that need brackets of depth 2 (their results record the depth reached)
                   Instance("linear", (2, 3, 3, 2)), Instance("linear", (2, 4, 4, 2), grid="full")),
        depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:thm-2.1", "tc25", "Weight decay: the laws become ψ(e^{λt}θ)",
        r"\dot\theta = -\nabla L(\theta) - \lambda\theta: \text{ the conserved functions are } (t, \theta) "
        r"\mapsto \psi(e^{\lambda t}\theta),\ \psi \text{ a law of } \dot\theta = -\nabla L; \text{ for } h "
        r"\text{ homogeneous of degree } k,\ h(\theta(t)) = e^{-k\lambda t} h(\theta(0))",
        r"\psi \text{ a conservation law of the flow without weight decay}",
        "weight_decay", "exact polynomial identities over QQ (⟨∇h, ∇φ_j⟩ ≡ 0 and Euler's ⟨∇h, θ⟩ ≡ k h), and the "
                        "flow of ½‖φ(θ) − y‖² with λ = 1/2 integrated by RK4 in float64 (relative error < 1e-8)",
        "a law that is not homogeneous or not conserved (the polynomial is shown), or h(θ(t)) off e^{−kλt} h(θ(0))",
        instances=(Instance("relu", (3, 2, 3), True), Instance("linear", (2, 3, 2)), Instance("softmax", (3, 4), True),
                   Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))), Instance("relu", (1, 1, 1)),
                   Instance("conv", options=(("channels", (1, 2, 1)), ("length", 3), ("filters", (2, 2)))),
                   Instance("relu", (2, 3, 2), residual=True), Instance("linear", (2, 3, 4, 2), grid="full")),
        depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:thm-3.4", "tc25", "Linear and two-layer ReLU networks: the model's gradients span range ∂φ(θ)ᵀ",
        r"W_\theta = \mathrm{span}\{\partial_\theta g(\theta, x)^\top w\} = "
        r"\mathrm{range}\, \partial\varphi(\theta)^\top = \mathrm{span}\{\nabla\varphi_k(\theta)\}",
        r"\text{linear: any } \theta;\ \text{ReLU: hidden neurons on pairwise distinct hyperplanes}",
        "model_span", "exact at a seeded rational point: the rank over QQ of the model's own gradients ∇⟨w, g(θ, x)⟩ "
                      "(3D seeded rational inputs, each on its activation pattern) against that of the ∇φ_k",
        "a rank of the model's gradients other than that of the ∇φ_k at a point where the hyperplanes are distinct",
        instances=(Instance("linear", (2, 3, 2)), Instance("linear", (1, 3, 1)), Instance("relu", (3, 2, 3)),
                   Instance("relu", (3, 2, 3), True), Instance("relu", (1, 1, 1)), Instance("relu", (1, 2, 1)),
                   Instance("relu", (2, 4, 2), True, grid="full")),
        formula=relu_hyperplanes, depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:app-r", "tc25", "The sign (simplified Adam) flow keeps no law, but in one degenerate shape",
        r"\dot\theta = -\mathrm{sign}(\nabla L(\theta)): \text{no conservation law for two-layer linear networks "
        r"and attention layers, except } n = r = m = 1,\ \text{which keeps exactly one: } \lvert u \rvert - "
        r"\lvert v \rvert",
        r"\text{linear: } n, m \ge 2 \text{ or } n = r = m = 1;\ \text{attention: } d \ge 2;\ \text{generic } \theta",
        "sign_flow", "exact at a seeded rational point: the signs of ∂φ(θ)ᵀw for seeded integer w and their rank over "
                     "QQ (a rank of D proves no law; for d = 1 both patterns are all); the laws Σ a_i |θ_i| checked in "
                     "other orthants",
        "a sign-vector rank that leaves laws where none is claimed (the point, the rank, D), or none in the "
        "degenerate shape",
        instances=(Instance("linear", (1, 1, 1)), Instance("linear", (2, 2, 2)), Instance("linear", (2, 3, 2)),
                   Instance("linear", (3, 1, 2)), Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))),
                   Instance("attention", options=(("d", 2), ("dk", 2), ("dv", 1))), Instance("linear", (1, 2, 1)),
                   Instance("linear", (3, 3, 3), grid="full"),
                   Instance("attention", options=(("d", 2), ("dk", 2), ("dv", 2)), grid="full")),
        formula=sign_flow_count, depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:thm-3.8", "tc25", "Attention's reparametrisation (Q Kᵀ, V Oᵀ) carries all its laws",
        r"\text{the laws of the attention model are those of } \varphi = (QK^\top, VO^\top)",
        r"N \ge 2 \text{ tokens},\ d \ge 2",
        "model_rank",
        "two certificates: phi's count N_phi exact (trace rank over QQ, laws of degree 2); the model's own fields "
        "and brackets (softmax included) of rank >= D - N_phi at a seeded rational point, from a minor whose "
        "determinant in ball arithmetic (FLINT arb) excludes 0; the model's rank is <= D - N_phi because its fields "
        "are combinations of the grad phi_k with smooth coefficients (the same fields compared in floats, at the "
        "numeric scale: `conslaw count attention --numeric --model`)",
        "a model rank proven below D - N_phi would only leave the instance not proven; a failure is a certificate "
        "the independent checker rejects",
        instances=(Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))),
                   Instance("attention", options=(("d", 3), ("dk", 2), ("dv", 1))),
                   Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 2), ("tokens", 3))),
                   Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1), ("tokens", 1))),
                   Instance("attention", options=(("d", 1), ("dk", 1), ("dv", 1))),
                   Instance("attention", options=(("d", 3), ("dk", 3), ("dv", 2)), grid="full")),
        depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:prop-3.5-linear", "tc25", "Two-layer linear networks: the entries of UᵀU − VᵀV, and no others",
        r"x \mapsto V U^\top x,\ U \in \mathbb{R}^{n\times r},\ V \in \mathbb{R}^{m\times r}: "
        r"\text{exactly } r(r+1)/2 \text{ independent laws, the entries of } U^\top U - V^\top V",
        r"[U; V] \text{ of full rank } r \ (\text{generically: } r \le n + m)",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from r(r+1)/2, with the point, the rank and D",
        instances=(Instance("linear", (2, 2, 2)), Instance("linear", (1, 1, 1)), Instance("linear", (3, 2, 1)),
                   Instance("linear", (1, 3, 1)), Instance("linear", (2, 3, 3), grid="full")),
        formula=two_layer_linear, depends=("tc25:prop-2.3", "tc25:thm-3.4"),
    ),
    Result(
        "tc25:prop-3.5-relu", "tc25", "Two-layer ReLU networks: one law per hidden neuron, and no others",
        r"x \mapsto \sum_j v_j \sigma(\langle u_j, x\rangle + b_j): \text{exactly } r \text{ independent laws } "
        r"\|u_j\|^2 + b_j^2 - \|v_j\|^2",
        r"\text{two layers, generic } \theta",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from r, with the point, the rank and D",
        instances=(Instance("relu", (3, 2, 3)), Instance("relu", (3, 2, 3), True), Instance("relu", (1, 1, 1)),
                   Instance("relu", (1, 3, 1), True), Instance("relu", (2, 4, 2), grid="full")),
        formula=two_layer_relu, depends=("tc25:prop-2.3", "tc25:thm-3.4"),
    ),
    Result(
        "tc25:prop-3.11", "tc25", "Cross-entropy layer: the column sums are the laws",
        r"z \mapsto \mathrm{softmax}(W z + b): \text{exactly } n \,(+1) \text{ laws } \textstyle\sum_k W_{k,j}"
        r"\ (\text{and } \sum_k b_k)",
        r"K \ge 2 \text{ classes}",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from n (+1), with the point, the rank and D",
        instances=(Instance("softmax", (3, 4)), Instance("softmax", (2, 3), True), Instance("softmax", (1, 2)),
                   Instance("softmax", (4, 2), True), Instance("softmax", (2, 5)),  # K >= 5 too
                   Instance("softmax", (1, 6), True, grid="full")),
        formula=softmax_columns, depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:prop-3.11-model", "tc25",
        "Cross-entropy layer: its own loss gradients, softmax included, carry exactly the column-sum laws",
        r"\nabla_\theta \mathrm{CE}(\mathrm{softmax}(W z + b), y) \text{ over samples } (z, y): \text{exactly } "
        r"n\,(+1) \text{ laws, those of } \varphi = (W_k - W_K)_{k<K}",
        r"K \ge 2 \text{ classes},\ y \text{ a label distribution}",
        "model_rank",
        "two certificates: phi's count N_phi exact (trace rank over QQ, laws of degree 2); the model's own per-sample "
        "cross-entropy gradients and their brackets of rank >= D - N_phi at a seeded rational point and rational "
        "samples, from a minor whose determinant in ball arithmetic (FLINT arb) excludes 0; the rank is <= D - N_phi "
        "because every gradient (p - y) z^T has zero column sums (sum p = sum y = 1), as the grad phi_k",
        "a model rank proven below D - N_phi would only leave the instance not proven; a failure is a certificate "
        "the independent checker rejects",
        instances=(Instance("softmax", (3, 4)), Instance("softmax", (2, 3), True), Instance("softmax", (1, 2)),
                   Instance("softmax", (4, 2), True), Instance("softmax", (3, 5), True, grid="full")),
        formula=softmax_columns, depends=("tc25:prop-3.11",),
    ),
    Result(
        "tc25:thm-3.6", "tc25", "Two-layer convolutional ReLU blocks: one law per hidden channel",
        r"\text{channels } (C, J, K): \text{exactly } J \text{ laws } \textstyle\sum_c \|u_{j,c}\|^2 - \sum_k "
        r"\|v_{k,j}\|^2",
        r"\text{circular convolutions, filter taps distinct modulo } N",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from J, with the point, the rank and D",
        instances=(Instance("conv", options=(("channels", (1, 2, 1)), ("length", 3), ("filters", (2, 2)))),
                   Instance("conv", options=(("channels", (1, 1, 1)), ("length", 2), ("filters", (1, 1))))),
        formula=conv_channels, depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:prop-3.2", "tc25", "A residual connection keeps the laws of its block",
        r"x \mapsto x + g(\theta, x) \text{ has the same conservation laws as } g",
        r"g \text{ maps } \mathbb{R}^n \text{ to } \mathbb{R}^n",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count of the residual block different from the block's",
        instances=(Instance("relu", (2, 3, 2), residual=True), Instance("relu", (1, 1, 1), True, residual=True),
                   Instance("relu", (2, 5, 2), True, residual=True, grid="full")),
        formula=residual_relu, depends=("tc25:prop-3.5-relu",),
    ),
    Result(
        "tc25:cor-3.9", "tc25", "One attention head: the entries of QᵀQ − KᵀK and VᵀV − OᵀO, and no others",
        r"Y = \mathrm{softmax}(X Q K^\top X^\top) X V O^\top: \text{exactly } \tfrac{d'(d'+1)}{2} + "
        r"\tfrac{d''(d''+1)}{2} \text{ laws}",
        r"N \ge 2 \text{ tokens},\ d \ge 2,\ d', d'' \le d,\ [Q; K], [V; O] \text{ of full rank}",
        "count", "exact certificate (trace rank over QQ at a seeded rational point, laws of degree 2)",
        "a certified count different from the formula, with the point, the rank and D",
        instances=(Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1))),
                   Instance("attention", options=(("d", 2), ("dk", 2), ("dv", 2))),
                   Instance("attention", options=(("d", 3), ("dk", 2), ("dv", 1)), grid="full"),
                   Instance("attention", options=(("d", 3), ("dk", 1), ("dv", 3)))),  # d'' = 3 as well
        formula=attention_head, depends=("tc25:prop-3.5-linear", "tc25:thm-3.8"),
    ),
    Result(
        "tc25:cor-3.10", "tc25", "Several heads: the per-head laws are conserved",
        r"\text{per head } h:\ Q_h^\top Q_h - K_h^\top K_h,\ V_h^\top V_h - O_h^\top O_h \text{ are conserved}",
        r"\text{multi-head attention (19)}",
        "laws_hold", "exact polynomial identity (⟨∇h, ∇φ_k⟩ ≡ 0 over QQ); ∇h ⊥ every bracket-graph field at a "
                     "seeded rational point, exactly",
        "a per-head law with ⟨∇h, ∇φ_k⟩ ≢ 0 (the polynomial is shown) or not orthogonal to a bracket",
        instances=(Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1), ("heads", 2))),
                   Instance("attention", options=(("d", 2), ("dk", 2), ("dv", 1), ("heads", 2)))),
        depends=("tc25:cor-3.9",),
    ),
    Result(
        "tc25:multihead-complete", "tc25",
        "Beyond the paper: several heads have exactly the per-head laws (Cor. 3.10's open question, on instances)",
        r"Y = \sum_h \mathrm{softmax}(X Q_h K_h^\top X^\top) X V_h O_h^\top: \text{the per-head laws } "
        r"Q_h^\top Q_h - K_h^\top K_h,\ V_h^\top V_h - O_h^\top O_h \text{ are all the laws}",
        r"N \ge 2 \text{ tokens},\ d \ge 2 \text{ (the model's own fields, softmax included)}",
        "model_rank",
        "as for Theorem 3.8: phi's count exact, and the model's own fields and brackets of rank >= D - N_phi in ball "
        "arithmetic; the claimed count is H times the per-head count (the two-layer linear counts of [Q_h; K_h] and "
        "[V_h; O_h]); every shape with H in {2, 3} and d, d', d'' <= 3: `python benchmarks/multihead_completeness.py`",
        "a claimed count outside the proven bounds N_phi ≤ laws ≤ D − r, with the point, the rank and D",
        instances=(Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1), ("heads", 2))),
                   Instance("attention", options=(("d", 2), ("dk", 2), ("dv", 1), ("heads", 2))),
                   Instance("attention", options=(("d", 1), ("dk", 2), ("dv", 1), ("heads", 2))),
                   Instance("attention", options=(("d", 3), ("dk", 3), ("dv", 3), ("heads", 3)), grid="full"),
                   Instance("attention", options=(("d", 2), ("dk", 3), ("dv", 1), ("heads", 3)), grid="full")),
        formula=multihead_per_head, depends=("tc25:thm-3.8", "tc25:cor-3.10"),
    ),
    Result(
        "tc25:prop-5.1", "tc25", "One SGD step changes a quadratic law by exactly η² h(g)",
        r"h \text{ quadratic conserved},\ g \in \mathrm{span}\{\nabla\varphi_k(\theta)\}: "
        r"h(\theta - \eta g) = h(\theta) + \eta^2 h(g)",
        r"h \text{ a homogeneous quadratic law; } g \text{ the gradient of any loss } \ell(\varphi(\theta))",
        "one_step", "exact rational arithmetic at a seeded rational point, η = 1/10, g a seeded rational combination "
                    "of the ∇φ_k(θ)",
        "h(θ − ηg) − h(θ) − η² h(g) ≠ 0 (the value is shown), or a law the step leaves unchanged (no drift to show)",
        instances=(Instance("linear", (2, 2, 2)), Instance("relu", (3, 2, 3), True), Instance("relu", (1, 1, 1))),
        depends=("tc25:prop-2.3",),
    ),
)

#: sections 4–5 (deep ResNets and Transformers; listed last in the catalogue)
DEEP: tuple[Result, ...] = (
    Result(
        "tc25:prop-4.3", "tc25", "Laws of a parameter subset: orthogonal to the restricted fields",
        r"h(\theta_T) \text{ is conserved} \iff \nabla h(\theta_T) \perp Y_\beta(\theta_T)\ \forall \beta, "
        r"\text{ where } X_T(\theta) = \textstyle\sum_\beta \theta_{\mathrm{rest}}^\beta Y_\beta(\theta_T)",
        r"L \text{ as in Prop. 2.3 and Assumption 2.4; residual ReLU networks, every activation region}",
        "projection", "exact at a seeded rational point over every activation region: the degree-2 laws of the "
                      "restricted fields against those of the whole network in the subset's variables (two code "
                      "paths), each verified conserved as a polynomial identity",
        "a law of the restricted fields that the network does not conserve (the polynomial is shown), or counts "
        "that differ between the two paths",
        instances=(Instance("resnet", options=(("dim", 2), ("hidden", (2, 2)), ("subset", "block:1"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (2, 2)), ("subset", "straddle:1"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (3, 2)), ("subset", "block:2"))),
                   Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)), ("subset", "block:1"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (2, 2)), ("classes", 2), ("subset", "head")))),
        depends=("tc25:prop-2.3",),
    ),
    Result(
        "tc25:thm-4.6", "tc25", "The laws of one block of a ResNet are the block's own",
        r"\text{a law depending only on } \theta_l \text{ is a law of } x \mapsto x + g_l(\theta_l, x)"
        r"\text{ alone: } r_l \text{ laws for a two-layer ReLU block of width } r_l",
        r"\text{residual blocks; every neuron of block } l \text{ changes sign over the inputs}",
        "resnet_subset", "exact at a seeded rational point over every activation region (exact LP enumeration), "
                         "laws of degree 2 verified on each",
        "a proven count of block l's laws different from r_l, with the point and the rank",
        instances=(Instance("resnet", options=(("dim", 2), ("hidden", (3, 3)), ("subset", "block:2"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (2, 3)), ("subset", "block:1"))),
                   Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)), ("subset", "block:1")))),
        formula=block_laws, depends=("tc25:prop-4.3", "tc25:prop-3.5-relu", "tc25:prop-3.2"),
    ),
    Result(
        "tc25:thm-4.7", "tc25", "No law straddles a skip connection",
        r"\text{a law depending only on } (\theta_l^{(2)}, \theta_{l+1}^{(1)}) \text{ is constant}",
        r"\text{residual blocks } x \mapsto x + g_l(\theta_l, x)",
        "resnet_subset", "exact at a seeded rational point over every activation region (exact LP enumeration)",
        "a proven nonzero count of laws on the straddling parameters, with the point and the rank",
        instances=(Instance("resnet", options=(("dim", 2), ("hidden", (3, 3)), ("subset", "straddle:1"))),
                   Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)), ("subset", "straddle:1")))),
        formula=block_laws, depends=("tc25:prop-4.3",),
    ),
    Result(
        "tc25:sec-4.4", "tc25", "A ResNet has no law beyond its block laws (the Section 4.4 numerical claim)",
        r"x \mapsto (\mathrm{id} + g_L) \circ \cdots \circ (\mathrm{id} + g_1)(x): \text{exactly } "
        r"\textstyle\sum_l r_l \text{ independent laws, the block laws}",
        r"\text{ReLU blocks of widths } r_l \ge 2,\ \text{generic } \theta\ (\text{no dead or always-active "
        r"neuron, distinct hyperplanes})",
        "resnet_subset", "exact at a seeded rational point over every activation region (exact LP enumeration), "
                         "laws of degree 2 verified on each: stronger than the paper's numerical rank",
        "a proven count of the whole network's laws other than the sum of the block laws, with the point and the rank",
        instances=(Instance("resnet", options=(("dim", 2), ("hidden", (2, 2)), ("subset", "all"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (3, 3)), ("subset", "all"))),
                   Instance("resnet", options=(("dim", 3), ("hidden", (2, 2)), ("subset", "all"))),
                   Instance("resnet", (), True, options=(("dim", 2), ("hidden", (2, 2)), ("subset", "all"))),
                   Instance("resnet", options=(("dim", 2), ("hidden", (2, 2, 2)), ("subset", "all")), grid="full")),
        formula=resnet_block_sum, depends=("tc25:thm-4.6", "tc25:thm-4.7"),
    ),
    Result(
        "tc25:ex-4.8", "tc25", "Two residual blocks of width one: three laws on a domain, where the blocks have two",
        r"x \mapsto (\mathrm{id} + g_2) \circ (\mathrm{id} + g_1)(x),\ g_l(x) = v_l \sigma(u_l x),\ d = r = 1: "
        r"\text{exactly 3 laws on } \{u_1 u_2 > 0,\ 1 + u_1 v_1 > 0\}",
        r"\theta \text{ in the domain (there } W_\theta = \mathrm{span}\,\nabla_\theta[(1 + u_1v_1)(1 + u_2v_2)]\text{)}",
        "example_4_8", "exact trace rank over every activation region at three seeded rational points of the domain; "
                       "each block's own count there; a control point outside the domain",
        "a trace rank other than 1 in the domain (so not 3 laws), block counts other than 1, or 3 laws outside",
        instances=(Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)))),),
        depends=("tc25:thm-4.6", "tc25:thm-2.11"),
    ),
)
