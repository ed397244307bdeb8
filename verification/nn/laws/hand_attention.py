"""Pattern **hand-written attention** (found by :mod:`..attention_graph` on a graph with shapes): per head, the
q/k and v/o pairings' Gram differences, and the key-bias laws where the softmax runs over the keys."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ...report.prose import text_latex as latex_text
from ..attention_graph import find_attention
from ..graph import (  # noqa: F401
    AFFINE_NORM_TYPES,
    LEAF_TYPES,
    LINEAR_TYPES,
    NORM_TYPES,
    ModuleTracingError,
    node_shape,
    op_name,
    trace_module,
)
from .inventory import LawGroup, _named, _tex


def _paired_laws(A: torch.Tensor, rows_a: torch.Tensor, B: torch.Tensor, rows_b: torch.Tensor,
                 b_columns: bool = False) -> torch.Tensor:
    """Per head h, the upper triangle of A_h A_hᵀ − B_h B_hᵀ with A_h = A[rows_a[h]] and B_h = B[rows_b[h]]
    (or, with ``b_columns``, B_h = B[:, rows_b[h]]ᵀ: the output matrix's columns of the head)."""
    hd = rows_a.shape[1]
    iu = torch.triu_indices(hd, hd, device=A.device)
    a = A[rows_a]  # (H, hd, cols)
    b = B[:, rows_b].permute(1, 2, 0) if b_columns else B[rows_b]
    gram = a @ a.transpose(1, 2) - b @ b.transpose(1, 2)
    return gram[:, iu[0], iu[1]].reshape(-1)


def _per_head_laws(Aq, Ak, Av, O, H: int, hd: int) -> torch.Tensor:
    """Per head h (rows h·hd … (h+1)·hd − 1 of the augmented q, k, v maps, columns of O): the upper triangles of
    A_q A_qᵀ − A_k A_kᵀ and A_v A_vᵀ − O_hᵀ O_h."""
    rows = torch.arange(H * hd, device=Aq.device).reshape(H, hd)
    return torch.cat([_paired_laws(Aq, rows, Ak, rows), _paired_laws(Av, rows, O, rows, b_columns=True)])


def _augmented(p: dict, name: str, bias: bool) -> torch.Tensor:
    """[W | b] of a Linear layer (W alone without bias)."""
    return torch.cat([p[f"{name}.weight"], p[f"{name}.bias"][:, None]], 1) if bias else p[f"{name}.weight"]


def _head_pair_group(mods: dict, match) -> LawGroup:
    """The laws of a hand-written attention pairing found in the graph (:func:`attention_patterns.find_attention`):
    q/k — per head, the entries of [W_q|b_q]_h[W_q|b_q]_hᵀ − [W_k|b_k]_h[W_k|b_k]_hᵀ (rows of the head);
    v/o — per head, the entries of [W_v|b_v]_h[W_v|b_v]_hᵀ − W_{o,h}ᵀW_{o,h} (W_{o,h}: o's columns of the head)."""
    a, b = match.a, match.b
    bias_a = mods[a].bias is not None
    bias_b = match.kind == "qk" and mods[b].bias is not None
    rows_a = torch.tensor(match.rows_a)
    rows_b = torch.tensor(match.rows_b)
    params = tuple(dict.fromkeys((f"{a}.weight",) + ((f"{a}.bias",) if bias_a else ()) + (f"{b}.weight",)
                                 + ((f"{b}.bias",) if bias_b else ())))
    H, hd = rows_a.shape

    def values(p):
        A, B = _augmented(p, a, bias_a), _augmented(p, b, bias_b)
        return _paired_laws(A, rows_a.to(A.device), B, rows_b.to(B.device), b_columns=match.kind == "vo")

    def aug(name: str, bias: bool) -> str:
        t = latex_text(name)
        return rf"[W_{{\text{{{t}}}}}|b_{{\text{{{t}}}}}]_h" if bias else rf"W_{{\text{{{t}}},h}}"

    heads = rf"\ (\text{{{H} heads of {hd} rows}})"
    if match.kind == "qk":
        latex = rf"{aug(a, bias_a)}{aug(a, bias_a)}^\top - {aug(b, bias_b)}{aug(b, bias_b)}^\top" + heads
    else:
        o = latex_text(b)
        latex = rf"{aug(a, bias_a)}{aug(a, bias_a)}^\top - W_{{\text{{{o}}},h}}^\top W_{{\text{{{o}}},h}}" + heads
    return LawGroup("attention", (a, b) if a != b else (a,), latex, params, values, H * hd * (hd + 1) // 2)


def _key_bias_group(bias_of: str, rows: Sequence[Sequence[int]], bias: str | None = None) -> LawGroup:
    """Each entry of the key bias b_k (rows ``rows`` of ``bias``, default ``{bias_of}.bias``): the scores
    q_i·(W_k x_j + b_k) = q_i·W_k x_j + q_i·b_k differ by the same q_i·b_k for every key j, which the softmax over
    the keys cancels; so ∂L/∂b_k = 0 and b_k never moves."""
    name = bias or f"{bias_of}.bias"
    index = torch.tensor([r for head in rows for r in head])

    def values(p):
        return p[name][index.to(p[name].device)]

    return LawGroup("key_bias", (bias_of,), rf"{_tex(name)}_i\ (\text{{key rows}})", (name,), values, len(index),
                    gradient_norms=lambda p: torch.ones(len(index), dtype=p[name].dtype, device=p[name].device))


def attention_group(model: nn.Module, q: str, k: str, v: str, o: str, heads: int) -> LawGroup:
    """The per-head attention laws of hand-written q, k, v, o Linear layers (with or without biases), declared
    by hand for ``find_laws(model, groups=[...])``: per head, [W_q|b_q][W_q|b_q]ᵀ − [W_k|b_k][W_k|b_k]ᵀ and
    [W_v|b_v][W_v|b_v]ᵀ − W_{o,h}ᵀW_{o,h} (the scores q_h·k_h and the output Σ_h W_{o,h} v_h are unchanged by
    (A_q, A_k) ↦ (G A_q, G^{-T} A_k) and (A_v, W_{o,h}) ↦ (G A_v, W_{o,h} G^{-1})).  Valid when the model uses
    them as attention does: scores from q·k per head, a softmax over them, values mixed and fed to o."""
    lq, lk, lv, lo = (_named(model, n, (nn.Linear,), "a Linear layer") for n in (q, k, v, o))
    if lq.out_features != lk.out_features or lq.out_features % heads or lv.out_features % heads:
        raise ConslawError(f"q and k need equal sizes divisible by {heads} heads (and v by {heads} too), got "
                           f"{lq.out_features}, {lk.out_features}, {lv.out_features}")
    hd_k, hd_v = lq.out_features // heads, lv.out_features // heads
    if hd_k != hd_v:
        raise ConslawError("this helper needs equal key and value head sizes")
    with_bias = [m.bias is not None for m in (lq, lk, lv)]
    params = tuple(f"{n}.weight" for n in (q, k, v)) + tuple(f"{n}.bias" for n, b in zip((q, k, v), with_bias) if b)
    params += (f"{o}.weight",)

    def augmented(p, n, b):
        return torch.cat([p[f"{n}.weight"], p[f"{n}.bias"][:, None]], 1) if b else p[f"{n}.weight"]

    def values(p):
        Aq, Ak, Av = (augmented(p, n, b) for n, b in zip((q, k, v), with_bias))
        return _per_head_laws(Aq, Ak, Av, p[f"{o}.weight"], heads, hd_k)

    latex = (r"[W_q|b_q]_h[W_q|b_q]_h^\top - [W_k|b_k]_h[W_k|b_k]_h^\top,\ [W_v|b_v]_h[W_v|b_v]_h^\top - "
             rf"W_{{o,h}}^\top W_{{o,h}}\ (\text{{{latex_text(q)}, {latex_text(k)}, {latex_text(v)}, {latex_text(o)}}})")
    return LawGroup("attention", (q, k, v, o), latex, params, values, heads * hd_k * (hd_k + 1))


def match_graph(graph, mods: dict, parameters: set[str], inventory) -> None:
    """Hand-written attention in a graph with shapes (:func:`~..attention_graph.find_attention`): per head the
    q/k and v/o pairings, the key-bias laws where the softmax runs over the keys, and the near misses as notes."""
    matches, near = find_attention(graph, mods, parameters)
    inventory.groups += [_head_pair_group(mods, match) for match in matches]
    inventory.groups += [_key_bias_group(match.b, match.rows_b) for match in matches
                         if match.kind == "qk" and match.softmax_over_keys and mods[match.b].bias is not None]
    inventory.notes += near

