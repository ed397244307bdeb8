"""The attention model's own fields and their brackets in ball arithmetic (issue 25): eq. (18)/(19) of the main
paper, Y(θ, X) = Σ_h softmax(X Q_h K_hᵀ Xᵀ) X V_h O_hᵀ for N tokens X ∈ R^{N×d}, softmax row-wise.

A field of the model is X_{X,W}(θ) = ∇_θ f(θ) with f = ⟨W, Y(θ, X)⟩ (a data point X and an output direction W,
both rational); its value at a rational θ is computed by a hand-written reverse pass over :class:`.ball_jets.Jet`
numbers, so that the same code at θ + ε·v also gives the Hessian-vector product H_f(θ) v (:mod:`.ball_fields`
turns it into field values and brackets).  θ is ordered as
``algebra.architectures.attention_layer`` orders it: per head Q_h, K_h (d × d'), V_h, O_h (d × d''), row-major.

Reverse pass (one head; f = ⟨W, A R⟩ with P = X V, R = P Oᵀ, S = (X Q)(X K)ᵀ, A = softmax(S)):
∂f/∂O = (Aᵀ W)ᵀ P, ∂f/∂V = Xᵀ (Aᵀ W) O, ∂f/∂A = W Rᵀ, ∂f/∂S_ij = A_ij (∂f/∂A_ij − Σ_k A_ik ∂f/∂A_ik),
∂f/∂Q = Xᵀ (∂f/∂S) (X K), ∂f/∂K = Xᵀ (∂f/∂S)ᵀ (X Q).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .ball_fields import draw_matrix, matrix_record
from .ball_jets import Jet, jet_sum, rational_ball

Matrix = list  # a list of rows of Jets


@dataclass(frozen=True)
class AttentionShape:
    """d (token size), d' (query/key), d'' (value/output), H heads, N tokens."""

    d: int
    dk: int
    dv: int
    heads: int
    tokens: int

    @property
    def per_head(self) -> int:
        return 2 * self.d * self.dk + 2 * self.d * self.dv

    @property
    def D(self) -> int:
        return self.heads * self.per_head

    parameter_order = "per head Q, K (d x d'), V, O (d x d''), row-major"
    data_note = "inputs X and output directions W likewise"

    def architecture(self) -> dict:
        return {"name": "attention", "d": self.d, "dk": self.dk, "dv": self.dv, "heads": self.heads,
                "tokens": self.tokens}

    def draw(self, rng) -> tuple:
        """A field's data (X, W): N tokens X ∈ Q^{N×d} and an output direction W ∈ Q^{N×d}."""
        return draw_matrix(rng, self.tokens, self.d), draw_matrix(rng, self.tokens, self.d)

    def gradient(self, theta: list[Jet], data: tuple) -> list[Jet]:
        return gradient_jets(self, theta, *data)

    def record(self, data: tuple) -> list:
        return [matrix_record(m) for m in data]

    def facts(self) -> dict:
        """What a catalogue record states of the instance beside its counts."""
        return {"tokens": self.tokens}

    def outside_hypotheses(self) -> str:
        """Why Theorem 3.8's hypotheses (N ≥ 2 tokens, d ≥ 2) fail here, in words ("" when they hold)."""
        if self.tokens < 2:
            return "one token, softmax of one entry is 1: the model does not see Q, K"
        return "d = 1" if self.d < 2 else ""


def _matmul(A: Matrix, B: Matrix) -> Matrix:
    return [[jet_sum(a[k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for a in A]


def _transpose(A: Matrix) -> Matrix:
    return [list(col) for col in zip(*A)]


def _reshape(flat: list, rows: int, cols: int) -> Matrix:
    return [flat[r * cols:(r + 1) * cols] for r in range(rows)]


def _softmax_rows(S: Matrix) -> Matrix:
    out = []
    for row in S:
        e = [s.exp() for s in row]
        total = jet_sum(e)
        out.append([x / total for x in e])
    return out


def gradient_jets(shape: AttentionShape, theta: list[Jet], X: list[list[Fraction]], W: list[list[Fraction]]) -> list[Jet]:
    """∇_θ ⟨W, Y(θ, X)⟩ as jets, in θ's order (see the module's docstring for the reverse pass)."""
    d, dk, dv = shape.d, shape.dk, shape.dv
    Xj = [[Jet(rational_ball(v)) for v in row] for row in X]
    Wj = [[Jet(rational_ball(v)) for v in row] for row in W]
    Xt = _transpose(Xj)
    grads: list[Jet] = []
    for h in range(shape.heads):
        base = h * shape.per_head
        sizes = [d * dk, d * dk, d * dv, d * dv]
        parts, at = [], base
        for s in sizes:
            parts.append(theta[at:at + s])
            at += s
        Q, K = _reshape(parts[0], d, dk), _reshape(parts[1], d, dk)
        V, O = _reshape(parts[2], d, dv), _reshape(parts[3], d, dv)
        XQ, XK = _matmul(Xj, Q), _matmul(Xj, K)
        A = _softmax_rows(_matmul(XQ, _transpose(XK)))
        P = _matmul(Xj, V)
        R = _matmul(P, _transpose(O))
        dR = _matmul(_transpose(A), Wj)  # N × d
        dO = _matmul(_transpose(dR), P)  # d × d''
        dV = _matmul(Xt, _matmul(dR, O))  # d × d''
        dA = _matmul(Wj, _transpose(R))  # N × N
        dS = []
        for a_row, da_row in zip(A, dA):
            inner = jet_sum(a * da for a, da in zip(a_row, da_row))
            dS.append([a * (da - inner) for a, da in zip(a_row, da_row)])
        dQ = _matmul(Xt, _matmul(dS, XK))
        dK = _matmul(Xt, _matmul(_transpose(dS), XQ))
        for M in (dQ, dK, dV, dO):
            grads += [x for row in M for x in row]
    return grads


__all__ = ["AttentionShape", "gradient_jets"]
