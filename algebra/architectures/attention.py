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

from ..errors import ShapeError
from ..parameters import ParameterSpace, matrix_names
from .base import Architecture, positive_int, weight_matrix
from .linear import two_layer_count
from .spec import ArchitectureSpec, ArrayPhi, ExpectedCount, Options, OptionSpec, split_flat


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
    desc, notes = attention_describe([], False, {"d": d, "dk": dk, "dv": dv, "heads": H, "tokens": N})
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


def _attention_options(options: Options) -> tuple[int, int, int, int, int]:
    missing = [k for k in ("d", "dk", "dv") if options.get(k) is None]
    if missing:
        raise ShapeError(f"attention needs --d, --dk and --dv (missing: {', '.join('--' + m for m in missing)})")
    return options["d"], options["dk"], options["dv"], options.get("heads") or 1, options.get("tokens") or 2


def attention_sizes(widths: list[int], bias: bool, options: Options) -> tuple[int, int]:
    """D = 2 H d (d' + d''); φ = (Q_h K_hᵀ, V_h O_hᵀ)_h has 2 H d² components (missing sizes count as 1)."""
    d, dk, dv = (options.get(k) or 1 for k in ("d", "dk", "dv"))
    H = options.get("heads") or 1
    return 2 * d * (dk + dv) * H, 2 * d * d * H


def attention_describe(widths: list[int], bias: bool, options: Options) -> tuple[str, list[str]]:
    d, dk, dv, H, N = check_attention_sizes(*_attention_options(options))
    return f"{attention_description(d, dk, dv, H)} ({N} token{'s' if N != 1 else ''})", attention_notes(d, dk, dv, H, N)


def attention_names(widths: list[int], bias: bool, options: Options) -> list[str]:
    """Q_h, K_h (d × d'), V_h, O_h (d × d''), head after head, each row-major."""
    d, dk, dv, H, _ = check_attention_sizes(*_attention_options(options))
    return [x for h in range(1, H + 1) for stem, inner in (("Q", dk), ("K", dk), ("V", dv), ("O", dv))
            for x in matrix_names(f"{stem}{h}", d, inner)]


def attention_array_phi(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """φ = (Q_h K_hᵀ, V_h O_hᵀ)_h for arrays; θ = (Q_1, K_1, V_1, O_1, Q_2, …) row-major, Q, K ∈ R^{d×d'},
    V, O ∈ R^{d×d''}."""
    d, dk, dv, H, _ = check_attention_sizes(*_attention_options(options))
    shapes = [(d, dk), (d, dk), (d, dv), (d, dv)] * H

    def phi(theta):
        mats = split_flat(theta, shapes)
        return [A @ B.T for A, B in zip(mats[0::2], mats[1::2])]

    return phi


def attention_array_laws(widths: list[int], bias: bool, options: Options) -> ArrayPhi:
    """QᵀQ − KᵀK and VᵀV − OᵀO per head (their upper triangles), in :func:`attention_array_phi`'s layout."""
    d, dk, dv, H, _ = check_attention_sizes(*_attention_options(options))
    shapes = [(d, dk), (d, dk), (d, dv), (d, dv)] * H

    def laws(theta):
        mats = split_flat(theta, shapes)
        out = []
        for A, B in zip(mats[0::2], mats[1::2]):
            M = A.T @ A - B.T @ B
            out.append([M[i, j] for i in range(M.shape[0]) for j in range(i, M.shape[0])])  # upper triangle
        return out

    return laws


def attention_expected_count(widths: list[int], bias: bool, options: Options) -> ExpectedCount:
    """Cor. 3.9: d'(d'+1)/2 + d''(d''+1)/2 laws for one head, under N ≥ 2 tokens, d ≥ 2 and d', d'' ≤ d.  Outside:
    the two-layer linear counts of [Q; K] and [V; O] (:func:`~.linear.two_layer_count`, with n = m = d), which keep
    holding for φ; H heads act on disjoint parameters and φ's components split by head, so φ has H times the
    per-head count (an independent argument; whether the *model* has no other law is open, Cor. 3.10)."""
    d, dk, dv, heads, _ = _attention_options(options)
    if heads == 1 and dk <= d and dv <= d and d >= 2:
        return ExpectedCount(dk * (dk + 1) // 2 + dv * (dv + 1) // 2, True, "d'(d'+1)/2 + d''(d''+1)/2 (Cor. 3.9)")
    qk, vo = two_layer_count(d, dk, d), two_layer_count(d, dv, d)
    per_head = qk.laws + vo.laws
    why = (f"per head {per_head}: the two-layer linear counts of [Q; K] (inner size {dk}) and [V; O] "
           f"(inner size {dv}) with n = m = d = {d}")
    if heads > 1:
        why += f"; {heads} heads on disjoint parameters: {heads} x {per_head}"
    inside = heads == 1 and qk.in_hypotheses and vo.in_hypotheses and d >= 2 and dk <= d and dv <= d
    return ExpectedCount(heads * per_head, inside, why)


SPEC = ArchitectureSpec(
    "attention", "H attention heads of embedding size d, key size d' = dk, value size d'' = dv.",
    build=lambda widths, bias, options: attention_layer(*_attention_options(options)), sizes=attention_sizes,
    takes_widths=False, option_specs=(
        OptionSpec("d", "attention: embedding size d"), OptionSpec("dk", "attention: key/query size d'"),
        OptionSpec("dv", "attention: value/output size d''"),
        OptionSpec("heads", "attention: number of heads (default 1)"),
        OptionSpec("tokens", "attention: number of tokens N (default 2)")), array_phi=attention_array_phi,
    array_laws=attention_array_laws, names_of=attention_names,
    shape_of=lambda widths, bias, options: dict(zip(("d", "dk", "dv", "heads", "tokens"),
                                                   check_attention_sizes(*_attention_options(options)))),
    model_gaps=lambda widths, bias, options: attention_model_gaps(
        *check_attention_sizes(*_attention_options(options))),
    expected_count=attention_expected_count, describe=attention_describe,
    examples=(((), False, (("d", 2), ("dk", 1), ("dv", 1))), ((), False, (("d", 2), ("dk", 2), ("dv", 1), ("heads", 2)))),
)
