"""Pattern **torch's attention**: ``nn.MultiheadAttention`` (packed ``in_proj``) per head; ``nn.TransformerEncoder(Layer)``
— its attention, the feed-forward rescale laws under ReLU, with ``norm_first`` each LayerNorm against the Linear
it feeds, and the bias sums along the residual stream."""
from __future__ import annotations

import torch
from torch import nn

from ...report.prose import text_latex as latex_text
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
from .hand_attention import _key_bias_group, _per_head_laws
from .inventory import LawGroup, LawInventory, _bias_sums
from .layer_norm import _layer_norm_group
from .rescale import _rescale_group
from .walk import Reading


def _mha_group(name: str, m: nn.MultiheadAttention) -> LawGroup:
    """Per head h, with A_x = [W_x^h | b_x^h] the head's rows of the packed in_proj (x = q, k, v) and
    W_o^h its columns of out_proj: the entries (a ≤ b) of A_q A_qᵀ − A_k A_kᵀ and A_v A_vᵀ − W_o^hᵀ W_o^h
    (the symmetries (A_q, A_k) ↦ (G A_q, G^{-T} A_k), (A_v, W_o^h) ↦ (G A_v, W_o^h G^{-1}); Cor. 3.9–3.10)."""
    E, H = m.embed_dim, m.num_heads
    hd = E // H
    bias = m.in_proj_bias is not None
    params = (f"{name}.in_proj_weight",) + ((f"{name}.in_proj_bias",) if bias else ()) + (f"{name}.out_proj.weight",)

    def values(p):
        W = p[f"{name}.in_proj_weight"]
        A = torch.cat([W, p[f"{name}.in_proj_bias"][:, None]], 1) if bias else W  # (3E, E [+1])
        return _per_head_laws(A[:E], A[E:2 * E], A[2 * E:], p[f"{name}.out_proj.weight"], H, hd)

    def packed(x: str) -> str:
        return f"[W_{x}|b_{x}]_h" if bias else f"W_{{{x},h}}"

    latex = (rf"{packed('q')}{packed('q')}^\top - {packed('k')}{packed('k')}^\top,\ "
             rf"{packed('v')}{packed('v')}^\top - W_{{o,h}}^\top W_{{o,h}}\ (\text{{{latex_text(name)}}})")
    return LawGroup("attention", (name,), latex, params, values, H * hd * (hd + 1))


def _add_mha(inv: LawInventory, name: str, m: nn.MultiheadAttention) -> None:
    if not m._qkv_same_embed_dim:
        inv.unsupported.append(f"{name} (MultiheadAttention): separate q/k/v projections (kdim or vdim != embed_dim) "
                               "are not analysed")
    elif m.bias_k is not None or m.bias_v is not None:
        inv.unsupported.append(f"{name} (MultiheadAttention): add_bias_kv appends learned key/value tokens that break "
                               "the per-head symmetry; not analysed")
    else:
        inv.groups.append(_mha_group(name, m))
        if m.in_proj_bias is not None and not m.add_zero_attn:  # a zero key carries no bias: q·b_k would not cancel
            E = m.embed_dim
            inv.groups.append(_key_bias_group(name, [list(range(E, 2 * E))], f"{name}.in_proj_bias"))


def _add_encoder_layer(inv: LawInventory, name: str, m: nn.TransformerEncoderLayer) -> None:
    """nn.TransformerEncoderLayer: its attention laws; the feed-forward rescale laws when the activation is ReLU;
    with norm_first, each LayerNorm's affine weights against the Linear it feeds; the output biases' sums."""
    _add_mha(inv, f"{name}.self_attn", m.self_attn)
    act = m.activation
    relu = act is nn.functional.relu or isinstance(act, nn.ReLU) or getattr(m, "activation_relu_or_gelu", 0) == 1
    if relu:
        inv.groups.append(_rescale_group([(f"{name}.linear1", m.linear1)], [(f"{name}.linear2", m.linear2, Reading())]))
    if m.norm_first and m.self_attn._qkv_same_embed_dim:
        inv.groups.append(_layer_norm_group(f"{name}.norm1", m.norm1, f"{name}.self_attn",
                                            f"{name}.self_attn.in_proj_weight"))
        inv.groups.append(_layer_norm_group(f"{name}.norm2", m.norm2, f"{name}.linear1", f"{name}.linear1.weight"))
    # a uniform shift c·1 of the stream is invisible to the LayerNorms: pre-norm, the attention's output bias
    # shifts what norm2 reads and the feed-forward's cancels it; post-norm, each sum is read by its norm alone
    biases = _stream_biases(name, m)
    if biases is not None:
        d = m.linear2.out_features
        if m.norm_first:
            inv.groups.append(_bias_sums(biases[0], biases[1], d))
        else:
            inv.groups += [_bias_sums(biases[0], None, d), _bias_sums(biases[1], None, d)]


def _stream_biases(name: str, m: nn.TransformerEncoderLayer) -> tuple[str, str] | None:
    """The attention's and the feed-forward's output biases of an encoder layer, which write into the stream."""
    if m.self_attn.out_proj.bias is None or m.linear2.bias is None:
        return None
    return f"{name}.self_attn.out_proj.bias", f"{name}.linear2.bias"


def _add_encoder_stream(inv: LawInventory, name: str, m: nn.TransformerEncoder) -> None:
    """Pre-norm layers in a row: the stream between layer k's feed-forward and layer k+1's attention is read only
    by layer k+1's norm1, so Σ b_{linear2,k} − Σ b_{out_proj,k+1} is conserved; with a final norm, the last
    layer's Σ b_{linear2} alone (the final norm is the only reader)."""
    layers = list(m.layers)
    if not all(isinstance(layer, nn.TransformerEncoderLayer) and layer.norm_first for layer in layers):
        return
    biases = [_stream_biases(f"{name}.layers.{k}", layer) for k, layer in enumerate(layers)]
    d = layers[0].linear2.out_features
    for k in range(len(layers) - 1):
        if biases[k] and biases[k + 1]:
            inv.groups.append(_bias_sums(biases[k][1], biases[k + 1][0], d))
    if isinstance(m.norm, nn.LayerNorm) and biases[-1]:
        inv.groups.append(_bias_sums(biases[-1][1], None, d))


def match(node, m, ctx) -> bool:
    """``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` or ``nn.TransformerEncoder``: their laws (nothing
    else is read inside them)."""
    name, inv = node.target, ctx.inventory
    if isinstance(m, nn.MultiheadAttention):
        _add_mha(inv, name, m)
    elif isinstance(m, nn.TransformerEncoderLayer):
        _add_encoder_layer(inv, name, m)
    elif isinstance(m, nn.TransformerEncoder):
        for k, layer in enumerate(m.layers):
            _add_encoder_layer(inv, f"{name}.layers.{k}", layer)
        _add_encoder_stream(inv, name, m)
    else:
        return False
    return True
