"""The theorem catalogue: each paper result as data — statement, hypotheses, instances, method, expected value.

One entry per result, not one function per theorem: an entry names a *check* (``count`` — the exact number
of laws against a formula of the sizes; ``laws_hold`` — the literature's laws are conserved, as polynomial
identities, and a perturbed function is not) and, for counts, a *formula* with the hypothesis under which the
paper proves it.  Instances are chosen at the hypotheses' edges (width 1, more hidden units than inputs plus
outputs, with and without biases); where an instance leaves the hypotheses, the expected value comes from an
independent argument and the instance is reported as outside the hypotheses, never as a failure of the
theorem.  Results conslaw cannot check yet are listed with that status and the reason.

Papers: ``tc25`` — Marcotte, Gribonval, Peyré, "Transformative or Conservative? Conservation laws for ResNets
and Transformers" (the main paper); ``abide23`` — their 2023 "Abide by the Law and Follow the Flow"; ``km24`` —
their 2024 "Keep the Momentum"; ``mpg25`` — Marcotte, Peyré, Gribonval 2025, "Intrinsic training dynamics";
``gsf26`` — Galley, Shahverdi, Flinth, "Conservation Laws from Data Symmetry"; ``kunin21`` — Kunin et al.,
"Neural Mechanics".
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Optional

from conslaw.algebra import ConslawError, build_architecture

PAPERS = {
    "tc25": "Marcotte, Gribonval, Peyré — Transformative or Conservative? Conservation laws for ResNets and "
            "Transformers",
    "abide23": "Marcotte, Gribonval, Peyré (2023) — Abide by the Law and Follow the Flow",
    "km24": "Marcotte, Gribonval, Peyré (2024) — Keep the Momentum: Conservation Laws beyond Euclidean Gradient "
            "Flows",
    "mpg25": "Marcotte, Peyré, Gribonval (2025) — Intrinsic training dynamics of deep neural networks",
    "gsf26": "Galley, Shahverdi, Flinth (2026) — Conservation Laws from Data Symmetry in Neural Networks",
    "kunin21": "Kunin, Sagastuy-Brena, Ganguli, Yamins, Tanaka (2021) — Neural Mechanics: Symmetry and Broken "
               "Conservation Laws in Deep Learning Dynamics",
}


@dataclass(frozen=True)
class Instance:
    """An architecture with its sizes, as ``build_architecture`` takes them."""

    arch: str
    widths: tuple[int, ...] = ()
    bias: bool = False
    options: tuple[tuple[str, object], ...] = ()
    grid: str = "quick"  # "quick": in the default run; "full": only with --grid full
    residual: bool = False  # x ↦ x + g(θ, x)

    def build(self):
        """The architecture (:func:`conslaw.algebra.build_architecture`)."""
        return build_architecture(self.arch, list(self.widths), bias=self.bias, residual=self.residual,
                                  **dict(self.options))

    def __repr__(self) -> str:
        """Constructor syntax with only the fields that differ from their defaults (one line in a falsifying
        example: ``Instance('relu', (1, 2, 1), bias=True)``)."""
        args = [repr(self.arch)] + ([repr(self.widths)] if self.widths else [])
        args += ["bias=True"] if self.bias else []
        args += [f"options={self.options!r}"] if self.options else []
        args += [f"grid={self.grid!r}"] if self.grid != "quick" else []
        args += ["residual=True"] if self.residual else []
        return f"Instance({', '.join(args)})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis' (and IPython's) pretty printer: the same line
        printer.text(repr(self))

    @property
    def label(self) -> str:
        parts = [self.arch] + [str(w) for w in self.widths] + (["bias"] if self.bias else [])
        parts += ["residual"] if self.residual else []
        parts += [f"{k}={'x'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in self.options]
        return " ".join(parts)


@dataclass(frozen=True)
class Expectation:
    """The expected count of an instance: the value, whether the result's hypotheses hold there, and why."""

    laws: int
    in_hypotheses: bool
    argument: str


@dataclass(frozen=True)
class Result:
    """One result of a paper, checkable (``check`` is "count" or "laws_hold") or listed as not checkable yet."""

    id: str
    paper: str
    title: str
    statement: str  # LaTeX
    hypotheses: str  # LaTeX
    check: str  # "count", "counting", "laws_hold", "one_step", "resnet_subset" or "not checkable yet"
    method: str
    failure: str  # what a failure looks like
    instances: tuple[Instance, ...] = ()
    formula: Optional[Callable[[Instance], Expectation]] = None
    depends: tuple[str, ...] = ()
    reason: str = ""  # for results not checkable yet


def two_layer_linear(inst: Instance) -> Expectation:
    """Prop. 3.5 (linear): r(r+1)/2 laws when [U; V] has full rank, generically iff r ≤ n + m.  Beyond, the laws
    are the functions of Z ↦ ZᵀJZ (Z = [U; V], J = diag(I_n, −I_m)), whose image, the symmetric r×r matrices of
    rank ≤ k = n + m, has dimension r k − k(k − 1)/2."""
    n, r, m = inst.widths
    if r <= n + m:
        return Expectation(r * (r + 1) // 2, True, "r(r+1)/2 with r ≤ n + m (Prop. 3.5)")
    k = n + m
    return Expectation(r * k - k * (k - 1) // 2, False,
                       f"r = {r} > n + m = {k}: [U; V] cannot have full rank; r k − k(k−1)/2 from the image of "
                       "Z ↦ ZᵀJZ (independent argument)")


def two_layer_relu(inst: Instance) -> Expectation:
    """Prop. 3.5 (ReLU): one law per hidden neuron, with or without biases."""
    return Expectation(inst.widths[1], True, "r, one law per hidden neuron (Prop. 3.5)")


def softmax_columns(inst: Instance) -> Expectation:
    """Prop. 3.11: the column sums of W (and the sum of the biases), n (+ 1) laws (K ≥ 2: conslaw refuses K = 1,
    whose softmax is constant)."""
    n, K = inst.widths
    return Expectation(n + int(inst.bias), True, "n column sums (+ the bias sum) (Prop. 3.11)")


def attention_head(inst: Instance) -> Expectation:
    """Cor. 3.9: d'(d'+1)/2 + d''(d''+1)/2 laws for one head, under N ≥ 2 tokens, d ≥ 2 and d', d'' ≤ d."""
    o = dict(inst.options)
    dk, dv = o["dk"], o["dv"]
    return Expectation(dk * (dk + 1) // 2 + dv * (dv + 1) // 2, True, "d'(d'+1)/2 + d''(d''+1)/2 (Cor. 3.9)")


def residual_relu(inst: Instance) -> Expectation:
    """Prop. 3.2: x ↦ x + g(θ, x) has the laws of g — for a two-layer ReLU g, one per hidden neuron."""
    return Expectation(inst.widths[1], True, "the laws of g: r, one per hidden neuron (Prop. 3.2 with Prop. 3.5)")


def block_laws(inst: Instance, report: dict) -> Expectation:
    """Theorem 4.6 with Prop. 3.5: the laws that depend only on block l of a residual ReLU network are the block's
    own, one per hidden neuron — r_l — when every neuron of the block changes sign over the inputs (an always-dead
    or always-active neuron makes the block partly linear, outside the hypotheses).  Theorem 4.7: none depends
    only on the parameters that straddle a skip connection.  ``report``: :func:`deep_report.count_resnet`'s."""
    o = dict(inst.options)
    kind, _, index = o["subset"].partition(":")
    if kind == "straddle":
        return Expectation(0, True, "no law straddles a skip connection (Theorem 4.7)")
    l = int(index)
    bits = [p.split()[l - 1] for p in report.get("patterns", [])]
    width = o["hidden"][l - 1]
    switching = all({b[i] for b in bits} == {"0", "1"} for i in range(width)) if bits else True
    if switching:
        return Expectation(width, True, f"r_{l} = {width}, one law per hidden neuron of block {l} (Theorem 4.6)")
    return Expectation(width, False, f"a neuron of block {l} keeps one sign on every input region at this point: "
                                     "the block is partly linear there, outside the hypotheses")


_DEGENERATE = ("is dead", "is active for every input", "define the same hyperplane")


def resnet_block_sum(inst: Instance, report: dict) -> Expectation:
    """Section 4.4: a residual ReLU network with blocks of widths r_l ≥ 2 has no law beyond its block laws, Σ_l r_l
    (the paper checks it numerically).  Outside the hypotheses where :func:`deep_report.count_resnet` notes a dead
    or always-active neuron, or two neurons of a block on one hyperplane (Theorem 3.4 and Lemma 4.4 exclude
    them): extra local laws may appear there."""
    hidden = dict(inst.options)["hidden"]
    degenerate = [n for n in report.get("notes", []) if any(d in n for d in _DEGENERATE)]
    if degenerate:
        return Expectation(sum(hidden), False, "; ".join(degenerate))
    return Expectation(sum(hidden), True, f"the block laws only: {' + '.join(map(str, hidden))} (Section 4.4)")


def relu_hyperplanes(inst: Instance, point) -> Expectation:
    """Theorem 3.4's hypothesis at a point: for ReLU nets, the hidden neurons' hyperplanes pairwise distinct
    (:func:`coinciding_hyperplanes`); linear nets need nothing.  The expected value is 0: no rank deficit."""
    if inst.arch != "relu":
        return Expectation(0, True, "linear: no hypothesis on θ")
    from conslaw.algebra.architectures.relu import coinciding_hyperplanes

    clash = coinciding_hyperplanes(inst.build(), point)
    if clash:
        return Expectation(0, False, "; ".join(clash))
    return Expectation(0, True, "hidden neurons on pairwise distinct hyperplanes at this point")


def sign_flow_count(inst: Instance) -> Expectation:
    """Appendix R (as THEORY.md §4 reports it): the sign flow keeps no law for two-layer linear networks and
    attention, except one degenerate shape that keeps exactly one — found here: n = r = m = 1, the law |u| − |v|.
    Outside the statement (one input and one output, r ≥ 2: φ is a scalar, d = 1), the sign vectors are ±sign ∇φ,
    one direction, so D − 1 = 2r − 1 local laws (independent argument)."""
    if inst.arch == "linear":
        n, r, m = inst.widths
        if (n, r, m) == (1, 1, 1):
            return Expectation(1, True, "the degenerate shape n = r = m = 1: one law, |u| − |v|")
        if n == m == 1:
            return Expectation(2 * r - 1, False, f"n = m = 1: φ is a scalar, the sign vectors are ±sign ∇φ (one "
                                                 f"direction), so D − 1 = {2 * r - 1} local laws")
    return Expectation(0, True, "no law: the sign vectors span R^D")


def momentum_linear(inst: Instance) -> Expectation:
    """Keep the Momentum, two-layer linear networks: momentum keeps fewer laws than the gradient flow, except when
    over-parameterised.  Expected here by Noether's theorem: the O(r) symmetry U ↦ UO, V ↦ VO preserves φ and the
    kinetic energy, and its r(r − 1)/2 generators give the angular momenta s(UᵀU̇ − U̇ᵀU + VᵀV̇ − V̇ᵀV)_{ij}, i < j —
    fewer than the gradient flow's r(r + 1)/2.  With one input and one output (φ = ⟨u, v⟩) the symmetry is larger,
    O(r) × O(r) in x = u + v, y = u − v: r(r − 1) charges, which for r = 3 exceed the gradient flow's 5 laws (the
    over-parameterised exception), outside the Noether count of the general case."""
    n, r, m = inst.widths
    if n == m == 1 and r >= 2:
        return Expectation(r * (r - 1), False, f"n = m = 1: the O(r) × O(r) symmetry of ⟨u, v⟩, r(r − 1) = "
                                               f"{r * (r - 1)} Noether charges")
    return Expectation(r * (r - 1) // 2, True, f"r(r − 1)/2 = {r * (r - 1) // 2} angular momenta (Noether, O(r))")


def momentum_relu(inst: Instance) -> Expectation:
    """Keep the Momentum: ReLU networks keep no conservation law under momentum."""
    return Expectation(0, True, "no law with momentum (ReLU)")


def mirror_nmf(inst: Instance) -> Expectation:
    """Keep the Momentum, NMF geometry: the entropic mirror flow θ̇ = −θ ⊙ ∇L of φ = U₂U₁ keeps one law per hidden
    neuron, Σ_i (U₁)_{ki} − Σ_j (U₂)_{jk} (its incoming minus its outgoing weights: both sums contract θ ⊙ ∇φ to
    the same rank-one term), and no other.  The paper says the gradient flow's laws can all be determined; its
    formulas are lost in our copy, so this count is our derivation, stated as such.  With one input and one output
    (n = m = 1) φ is a single function: one field, a Lie algebra of dimension 1, D − 1 = 2r − 1 laws (not all
    polynomial), so those shapes are left to the tests."""
    n, r, m = inst.widths
    return Expectation(r, (n, m) != (1, 1), f"one law per hidden neuron: r = {r}")


def mirror_icnn(inst: Instance) -> Expectation:
    """Keep the Momentum, ICNN: the weights after the first layer are kept non-negative (entropic metric on them,
    Euclidean on the rest); the rescaling of each hidden neuron still gives one law, e.g.
    ½(‖a_j‖² + b_j²) − Σ_k w_kj for a first-layer neuron (our derivation in :mod:`conslaw.algebra.metric_flows`)."""
    hidden = inst.widths[1:-1]
    return Expectation(sum(hidden), True, f"one law per hidden neuron: {' + '.join(map(str, hidden))}")


def mirror_momentum_nmf(inst: Instance) -> Expectation:
    """Keep the Momentum, NMF geometry with momentum: no conservation law persists."""
    return Expectation(0, True, "no law with momentum (entropic metric)")


def intrinsic_expected(inst: Instance) -> dict[str, tuple[bool, str]]:
    """Where the kernel-inclusion criterion must hold, per kind of point (:mod:`conslaw.algebra.intrinsic`).
    ReLU, φ the path lifting: at generic points (any initialisation), the paper's theorem.  Two-layer linear,
    r ≤ min(n, m): at balanced and relaxed balanced points (the paper), and at a generic point exactly when r = 1
    (our argument in the module docstring: H = U₁U₁ᵀ − U₂ᵀU₂ must be scalar, which it is when r = 1)."""
    if inst.arch == "relu":
        return {"generic": (True, "path lifting: intrinsic for any initialisation")}
    n, r, m = inst.widths
    expected = {"generic": (r == 1, "r = 1: H is a scalar, so every point is relaxed balanced" if r == 1 else
                            "H = U1U1^T - U2^T U2 is not scalar at a generic point: the criterion fails"),
                "balanced": (True, "balanced: U1U1^T = U2^T U2")}
    if n >= m + r or m >= n + r:  # where balanced_linear_point can build a relaxed balanced rational point
        expected["relaxed balanced"] = (True, "relaxed balanced: U1U1^T - U2^T U2 = lambda I")
    return expected


def c3_square(inst: Instance) -> Expectation:
    """Galley et al.'s C3 example with c outputs: 2c − 1 laws with augmentation (the ratios of the plane part of
    W, which only scales: our derivation in :func:`conslaw.algebra.data_symmetry.c3_plane_laws`); none without."""
    c = dict(inst.options).get("outputs", 1)
    return Expectation(2 * c - 1, True, f"2c - 1 = {2 * c - 1} ratios of the plane part of W (c = {c})")


def lightning_so2(inst: Instance) -> Expectation:
    """Lightning attention on one token, data augmented by every rotation of its two features (SO(2), Haar):
    the linear term averages to 0 (odd degree) and E_R[f(Rx)²] = c(θ)‖x‖⁶, so every augmented loss is α c(θ) + β —
    one field ∇c, hence D − 1 laws (flow-box theorem), D − 3 more than the model's own two balancedness laws.
    An independent argument, not the paper's (its configuration is lost in our copy)."""
    options = dict(inst.options)
    d, k = options.get("d", 2), options.get("k", 1)
    D = 2 * d * k + d
    return Expectation(D - 1, True, f"one token, SO(2): every loss is a multiple of one function c(theta): D - 1 = "
                                    f"{D - 1} laws")


def no_extra_law(inst: Instance) -> Expectation:
    """Theorem 3 of Galley et al.: with an analytic non-polynomial margin loss (logistic) and a finite group,
    augmentation adds no law — the augmented count equals the plain one (``laws`` = 0 extra)."""
    return Expectation(0, True, "no extra law with the logistic loss (Theorem 3)")


def hidden_neurons(inst: Instance) -> Expectation:
    """The 2023 paper's ReLU results: one law per hidden neuron of the path lifting, and no other — Σ of the hidden
    widths.  The same number comes independently from the rank of the stated laws' gradients, which
    :func:`verify.check_count` reports beside the count."""
    hidden = inst.widths[1:-1]
    return Expectation(sum(hidden), True, f"one law per hidden neuron: {' + '.join(map(str, hidden))}")


def conv_channels(inst: Instance) -> Expectation:
    """Theorem 3.6: one law per hidden channel J of the two-layer convolutional ReLU block."""
    options = dict(inst.options)
    return Expectation(options["channels"][1], True, "J, one law per hidden channel (Theorem 3.6)")


PAPER23_SEED = 2023  # fixed: the validation architectures are the same in every run; --seed moves the points


def relu_dim(widths: tuple[int, ...], bias: bool) -> int:
    """D of a fully connected ReLU net: Σ n_i n_{i+1} weights, plus one bias per hidden neuron."""
    return sum(a * b for a, b in zip(widths, widths[1:])) + (sum(widths[1:-1]) if bias else 0)


def paper23_linear(count: int = 50, max_dim: int = 100, seed: int = PAPER23_SEED) -> tuple[Instance, ...]:
    """The 2023 paper's linear validation set, as we draw it: ``count`` distinct two-layer linear nets
    (n, r, m ∈ [1, 8] × [1, 12] × [1, 8], uniform) with D = r(n + m) ≤ ``max_dim``; draws with r > n + m (outside
    Prop. 3.5's hypothesis) are kept and checked against the independent argument."""
    rng, seen = random.Random(seed), {}
    while len(seen) < count:
        n, r, m = rng.randint(1, 8), rng.randint(1, 12), rng.randint(1, 8)
        if r * (n + m) <= max_dim:
            seen.setdefault((n, r, m), Instance("linear", (n, r, m), grid="paper23"))
    return tuple(seen.values())


def paper23_relu(count: int = 50, max_dim: int = 330, seed: int = PAPER23_SEED) -> tuple[Instance, ...]:
    """The 2023 paper's ReLU validation set, as we draw it: ``count`` distinct ReLU nets with one or two hidden
    layers (even odds), widths uniform in [1, 12], biases with probability 1/2, D ≤ ``max_dim``."""
    rng, seen = random.Random(seed), {}
    while len(seen) < count:
        widths = tuple(rng.randint(1, 12) for _ in range(rng.choice((3, 4))))
        bias = rng.random() < 0.5
        if relu_dim(widths, bias) <= max_dim:
            seen.setdefault((widths, bias), Instance("relu", widths, bias, grid="paper23"))
    return tuple(seen.values())


CATALOGUE: tuple[Result, ...] = (
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
        "not checkable yet", "—", "—",
        reason="a statement about the model's own fields: `conslaw count attention --numeric --model` compares them "
               "numerically, not exactly; the catalogue has no exact check for it yet",
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
        depends=("tc25:prop-5.1",),
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
        depends=("kunin21:broken-dynamics",),
    ),
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


def select(paper: str | None = None, only: Optional[list[str]] = None,
           catalogue: tuple[Result, ...] = CATALOGUE) -> list[Result]:
    """The entries of ``paper`` (all papers if None), or exactly those named in ``only``; unknown ids are refused."""
    if paper is not None and paper not in PAPERS:
        raise ConslawError(f"unknown paper {paper!r}; known: {', '.join(sorted(PAPERS))}")
    if only:
        known = {r.id: r for r in catalogue}
        missing = [i for i in only if i not in known]
        if missing:
            raise ConslawError(f"unknown result id {', '.join(missing)}; see 'conslaw verify --list'")
        return [known[i] for i in only]
    return [r for r in catalogue if paper is None or r.paper == paper]


__all__ = ["CATALOGUE", "Expectation", "Instance", "PAPERS", "Result", "select"]
