"""The cross-entropy classification layer's own fields in ball arithmetic (issue 25; eq. (20), Prop. 3.11 of the
main paper): z ↦ p = softmax(W z + b), W ∈ R^{K×n}, trained with the cross-entropy loss.

A field of the model is the gradient of the loss on one sample (z, y), y a label distribution (entries ≥ 0
summing to 1):

    f(θ) = CE(softmax(W z + b), y) = log Σ_k e^{u_k} − Σ_k y_k u_k,   u = W z + b,
    ∂f/∂W_{kj} = (p_k − y_k) z_j,   ∂f/∂b_k = p_k − y_k,

computed over :class:`.ball_jets.Jet` numbers (so at θ + ε·v it also gives H_f(θ) v; :mod:`.ball_fields`).  Its
column sums Σ_k (p_k − y_k) z_j vanish because Σ p = Σ y = 1: every field lies in the constant space of matrices
whose columns sum to zero, as the gradients of φ = (W_k − W_K)_{k<K} do.  θ is ordered as
``algebra.architectures.softmax_layer`` orders it: W row-major, then b.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .ball_fields import draw_rational
from .ball_jets import Jet, jet_sum, rational_ball

LABEL_BOUND = 5  # a label is (a_1, …, a_K)/Σ a with 1 ≤ a_k ≤ 5: a probability vector with no zero entry


@dataclass(frozen=True)
class SoftmaxShape:
    """n inputs, K classes, with or without a bias."""

    n: int
    classes: int
    bias: bool = False

    @property
    def D(self) -> int:
        return self.classes * (self.n + int(self.bias))

    parameter_order = "W (K x n) row-major, then b (K) when there is a bias"
    data_note = f"inputs z likewise, labels (a_1, ..., a_K)/sum(a) with 1 <= a_k <= {LABEL_BOUND}"

    def architecture(self) -> dict:
        return {"name": "softmax", "n": self.n, "classes": self.classes, "bias": self.bias}

    def draw(self, rng) -> tuple:
        """A sample (z, y): an input z ∈ Q^n and a label distribution y ∈ Q^K (positive, summing to 1)."""
        z = [draw_rational(rng) for _ in range(self.n)]
        weights = [int(v) for v in rng.integers(1, LABEL_BOUND + 1, self.classes)]
        return z, [Fraction(w, sum(weights)) for w in weights]

    def gradient(self, theta: list[Jet], data: tuple) -> list[Jet]:
        """∇_θ CE(softmax(W z + b), y) = ((p − y) zᵀ, p − y), as jets."""
        z, y = data
        n, K = self.n, self.classes
        zj = [Jet(rational_ball(v)) for v in z]
        u = []
        for k in range(K):
            total = jet_sum(theta[k * n + j] * zj[j] for j in range(n))
            u.append(total + theta[K * n + k] if self.bias else total)
        e = [x.exp() for x in u]
        denominator = jet_sum(e)
        residual = [x / denominator - rational_ball(label) for x, label in zip(e, y)]  # p − y
        grads = [residual[k] * zj[j] for k in range(K) for j in range(n)]
        return grads + residual if self.bias else grads

    def record(self, data: tuple) -> list:
        """[[z], [y]]: the input and the label as 1 × n and 1 × K rows."""
        return [[[str(v) for v in part]] for part in data]

    def facts(self) -> dict:
        return {}

    def outside_hypotheses(self) -> str:
        """Prop. 3.11 asks only K ≥ 2, which the shape enforces."""
        return ""


__all__ = ["LABEL_BOUND", "SoftmaxShape"]
