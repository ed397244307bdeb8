"""Attention layers (eqs. 18–19, Theorem 3.8, Corollaries 3.9–3.10 of the main paper).

One head: Y = softmax(X Q Kᵀ Xᵀ) X V Oᵀ with Q, K ∈ R^{d×d'} and
V, O ∈ R^{d×d''}; φ = (Q Kᵀ, V Oᵀ).  H heads: parameters ``Q{h}[i,a]`` …,
φ = (Q_h K_hᵀ, V_h O_hᵀ)_h.  Known laws per head: the entries (a ≤ b) of
Q_hᵀ Q_h − K_hᵀ K_h and of V_hᵀ V_h − O_hᵀ O_h; their number
d'(d'+1)/2 + d''(d''+1)/2 per head when [Q; K] and [V; O] have full rank
(generic exactly when d' ≤ 2d and d'' ≤ 2d: the two-layer linear count of
Marcotte et al. 2023).

Theorem 3.8 (W_θ = range ∂φᵀ, so that φ's count is the model's count) needs
N ≥ 2 tokens and d ≥ 2, and Corollary 3.9 is stated for d', d'' ≤ d; for H ≥ 2
heads whether it holds is open (Corollary 3.10 proves the per-head laws
conserved, not complete).  Outside these hypotheses φ's count is exact for φ
and only a lower bound for the model: ``model_gaps`` says why.
"""
from __future__ import annotations

from ..parameters import ParameterSpace, matrix_names
from .base import Architecture, positive_int, weight_matrix


def attention_layer(d: int, dk: int, dv: int, heads: int = 1, tokens: int = 2) -> Architecture:
    """H attention heads of embedding size d, key size d' = dk, value size d'' = dv."""
    d, dk, dv, H, N = check_attention_sizes(d, dk, dv, heads, tokens)
    names = []
    for h in range(1, H + 1):
        names += matrix_names(f"Q{h}", d, dk) + matrix_names(f"K{h}", d, dk)
        names += matrix_names(f"V{h}", d, dv) + matrix_names(f"O{h}", d, dv)
    space = ParameterSpace(names)
    zero = space.ring.zero
    phi, labels, laws, law_labels = [], [], [], []
    for h in range(1, H + 1):
        for left, right, inner in ((f"Q{h}", f"K{h}", dk), (f"V{h}", f"O{h}", dv)):
            A, B = weight_matrix(space, left, d, inner), weight_matrix(space, right, d, inner)
            for i in range(d):
                for k in range(d):
                    phi.append(sum((A[i][a] * B[k][a] for a in range(inner)), zero))
                    labels.append(f"({left} {right}^T)[{i},{k}]")
            for a in range(inner):
                for b in range(a, inner):
                    law = sum((A[i][a] * A[i][b] - B[i][a] * B[i][b] for i in range(d)), zero)
                    laws.append(law)
                    law_labels.append(f"({left}^T {left} - {right}^T {right})[{a},{b}]")
    notes = attention_notes(d, dk, dv, H, N)
    desc = f"{attention_description(d, dk, dv, H)} ({N} token{'s' if N != 1 else ''})"
    shape = {"d": d, "dk": dk, "dv": dv, "heads": H, "tokens": N}
    return Architecture("attention", desc, space, phi, labels, laws, law_labels, shape, notes,
                        attention_model_gaps(d, dk, dv, H, N))


def check_attention_sizes(d: int, dk: int, dv: int, heads: int, tokens: int) -> tuple[int, int, int, int, int]:
    """(d, d', d'', H, N), each refused by name unless an integer ≥ 1."""
    return (positive_int(d, "embedding size d"), positive_int(dk, "key size d'"), positive_int(dv, "value size d''"),
            positive_int(heads, "number of heads"), positive_int(tokens, "number of tokens N"))


def attention_description(d: int, dk: int, dv: int, heads: int) -> str:
    head_s = "one attention head" if heads == 1 else f"multi-head attention with {heads} heads"
    return f"{head_s} with d = {d}, d' = {dk}, d'' = {dv}"


def attention_model_gaps(d: int, dk: int, dv: int, heads: int, tokens: int) -> list[str]:
    """Why φ's count may be only a lower bound for the attention model's (Theorem 3.8 / Corollaries 3.9–3.10)."""
    gaps = []
    if tokens < 2:
        gaps.append("Theorem 3.8 needs N >= 2 tokens: with one token the softmax is constant, the model's gradients "
                    "span less than range dphi^T and the model has more laws (every entry of Q and K is conserved)")
    if d < 2:
        gaps.append("Theorem 3.8 needs d >= 2: for d = 1 the model may have more laws than phi")
    if dk > d or dv > d:
        gaps.append("Corollary 3.9 is stated for d', d'' <= d: for larger key/value sizes that phi's laws are all "
                    "the model's laws is not covered by the paper")
    if heads >= 2:
        gaps.append("several heads: Corollary 3.10 proves the per-head laws conserved; that they are all the model's "
                    "laws is open")
    return gaps


def attention_notes(d: int, dk: int, dv: int, heads: int, tokens: int) -> list[str]:
    """Where an attention instance leaves the hypotheses of Theorem 3.8 / Corollaries 3.9–3.10."""
    notes = [f"{gap}; the count computed is exact for phi and a lower bound for the model"
             for gap in attention_model_gaps(d, dk, dv, heads, tokens)]
    if dk > 2 * d or dv > 2 * d:
        notes.append("[Q;K] or [V;O] cannot have full rank (d' or d'' > 2d): the formula d'(d'+1)/2 + d''(d''+1)/2 "
                     "(two-layer linear count of the 2023 paper) does not apply; the computed count stands")
    elif dk > d or dv > d:
        notes.append("for d < d', d'' <= 2d phi's count is the two-layer linear count d'(d'+1)/2 + d''(d''+1)/2 of the "
                     "2023 paper ([Q;K], [V;O] generically of full rank), not Corollary 3.9")
    return notes
