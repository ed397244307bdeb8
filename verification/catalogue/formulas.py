"""The papers' formulas: each maps an instance to its expected count (:class:`~.schema.Expectation`), with
whether the paper's hypotheses hold there and the argument behind the value, and the instance generators of the
2023 paper's validation grid."""
from __future__ import annotations

import random
from fractions import Fraction

from conslaw.algebra.architectures import expected_count, spec_of
from conslaw.algebra.architectures.attention import attention_expected_count
from conslaw.algebra.architectures.conv import conv_expected_count
from conslaw.algebra.architectures.linear import two_layer_count
from conslaw.algebra.architectures.relu import relu_expected_count
from conslaw.algebra.architectures.softmax import softmax_expected_count
from conslaw.algebra.notes import DEGENERATE, kind_of

from .schema import Expectation, Instance


def two_layer_linear(inst: Instance) -> Expectation:
    """Prop. 3.5 (linear): r(r+1)/2 laws when [U; V] has full rank, generically iff r ≤ n + m.  Beyond, the laws
are the functions of Z ↦ ZᵀJZ (Z = [U; V], J = diag(I_n, −I_m)), whose image, the symmetric r×r matrices of
rank ≤ k = n + m, has dimension r k − k(k − 1)/2."""
    return Expectation(*two_layer_count(*inst.widths))


def two_layer_relu(inst: Instance) -> Expectation:
    """Prop. 3.5 (ReLU): one law per hidden neuron, with or without biases."""
    return Expectation(inst.widths[1], True, "r, one law per hidden neuron (Prop. 3.5)")


def leaky_relu_neurons(inst: Instance) -> Expectation:
    """Two-layer leaky-ReLU networks: for a slope α ≠ 1, φ is the ReLU path lifting, so one law per hidden neuron;
    at α = 1 the network is linear and the count is that of V [U b] (Prop. 3.5 with the input augmented by 1; an
    instance outside this result's hypothesis, its value from the independent linear argument).  The counts come
    from the registry (:func:`~conslaw.algebra.architectures.expected_count`)."""
    count = expected_count(inst.arch, inst.widths, inst.bias, **dict(inst.options))
    slope_one = Fraction(dict(inst.options).get("slope", "1/10")) == 1
    return Expectation(count.laws, count.in_hypotheses and not slope_one, count.argument)


def softmax_columns(inst: Instance) -> Expectation:
    """Prop. 3.11: the column sums of W (and the sum of the biases), n (+ 1) laws (K ≥ 2: conslaw refuses K = 1,
whose softmax is constant)."""
    return Expectation(*softmax_expected_count(list(inst.widths), inst.bias, dict(inst.options)))


def attention_head(inst: Instance) -> Expectation:
    """Cor. 3.9: d'(d'+1)/2 + d''(d''+1)/2 laws for one head, under N ≥ 2 tokens, d ≥ 2 and d', d'' ≤ d."""
    return Expectation(*attention_expected_count([], False, dict(inst.options)))


def multihead_per_head(inst: Instance) -> Expectation:
    """Beyond the paper (Cor. 3.10 leaves it open): the multi-head model has exactly the per-head laws — H times
    the per-head count of φ (:func:`attention_head`'s argument) — claimed where Theorem 3.8's hypotheses hold for
    each head (N ≥ 2 tokens, d ≥ 2)."""
    o = dict(inst.options)
    per_head = attention_expected_count([], False, o)
    inside = o.get("tokens", 2) >= 2 and o["d"] >= 2
    return Expectation(per_head.laws, inside, f"the per-head laws of phi: {per_head.argument}")


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




def resnet_block_sum(inst: Instance, report: dict) -> Expectation:
    """Section 4.4: a residual ReLU network with blocks of widths r_l ≥ 2 has no law beyond its block laws, Σ_l r_l
    (the paper checks it numerically).  Outside the hypotheses where :func:`deep_report.count_resnet` notes a dead
    or always-active neuron, or two neurons of a block on one hyperplane (Theorem 3.4 and Lemma 4.4 exclude
    them): extra local laws may appear there."""
    hidden = dict(inst.options)["hidden"]
    degenerate = [n for n in report.get("notes", []) if kind_of(n) in DEGENERATE]
    if degenerate:
        return Expectation(sum(hidden), False, "; ".join(degenerate))
    return Expectation(sum(hidden), True, f"the block laws only: {' + '.join(map(str, hidden))} (Section 4.4)")


def relu_hyperplanes(inst: Instance, point) -> Expectation:
    """Theorem 3.4's hypothesis at a point: for ReLU nets, the hidden neurons' hyperplanes pairwise distinct
    (:func:`coinciding_hyperplanes`); linear nets need nothing.  The expected value is 0: no rank deficit."""
    if not spec_of(inst.arch).piecewise_linear:
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
    return Expectation(*relu_expected_count(list(inst.widths), inst.bias, {}))


def conv_channels(inst: Instance) -> Expectation:
    """Theorem 3.6: one law per hidden channel J of the two-layer convolutional ReLU block."""
    return Expectation(*conv_expected_count([], False, dict(inst.options)))


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
