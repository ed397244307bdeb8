"""Hand-written attention and concatenations found in the traced graph (with example inputs), and torch.export
as the fallback of torch.fx.  Every law found is checked twice: orthogonal to the loss gradient in float64, and
changed by exactly lr² h(g) by one SGD step; every refusal is checked by showing that the would-be law fails."""
from __future__ import annotations

import math
import os
import sys

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from conslaw.verification.nn.laws import attention_group, check_laws, find_laws  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from gpt_block import GPT  # noqa: E402
from test_module_laws import _one_step_identity  # noqa: E402

CE = nn.functional.cross_entropy


def _all_pass(model, inv, x, y):
    for c in check_laws(model, inv, CE, [(x, y)]):
        assert c.verdict == "pass" and c.max_relative_error < 1e-11, (c.group.kind, c.group.modules, c.max_relative_error)
    for g in inv.groups:
        if g.kind != "column_sum":
            assert _one_step_identity(model, g, lambda: CE(model(x), y)) < 1e-9, (g.kind, g.modules)


class _Attention(nn.Module):
    """Self-attention written by hand in the usual variants: separate or packed q/k/v, matmul or SDPA, heads laid
    out contiguously or interleaved, and the ways of breaking the symmetry (rotary-like mixing, dropout on the
    mixed values, one key head shared by all query heads)."""

    def __init__(self, d=6, heads=2, packed=False, sdpa=False, interleaved=False, rotary=False, value_dropout=False,
                 shared_key=False):
        super().__init__()
        self.d, self.h, self.hd = d, heads, d // heads
        self.packed, self.sdpa, self.interleaved = packed, sdpa, interleaved
        self.rotary, self.value_dropout, self.shared_key = rotary, value_dropout, shared_key
        if packed:
            self.qkv = nn.Linear(d, 3 * d)
        else:
            self.q, self.v = nn.Linear(d, d), nn.Linear(d, d)
            self.k = nn.Linear(d, self.hd if shared_key else d, bias=False)
        self.o = nn.Linear(d, d)
        self.emb, self.head = nn.Linear(3, d), nn.Linear(d, 4)
        self.register_buffer("angle", torch.linspace(0.1, 1.0, 5)[:, None])

    def _heads(self, t, b, n):
        if self.interleaved:  # feature f = j·H + h: head h is every H-th feature
            return t.view(b, n, self.hd, self.h).permute(0, 3, 1, 2)
        return t.view(b, n, self.h, self.hd).transpose(1, 2)

    def forward(self, x):
        e = self.emb(x)
        b, n = x.size(0), x.size(1)
        if self.packed:
            q, k, v = self.qkv(e).split(self.d, dim=2)
        else:
            q, k, v = self.q(e), self.k(e), self.v(e)
        q, v = self._heads(q, b, n), self._heads(v, b, n)
        k = k.view(b, n, 1, self.hd).transpose(1, 2) if self.shared_key else self._heads(k, b, n)
        if self.rotary:  # position-dependent mixing of q's features: breaks the G ∈ GL(hd) symmetry
            q = q * torch.cos(self.angle[:n]) + q.flip(-1) * torch.sin(self.angle[:n])
        if self.sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))
            y = torch.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous()
        y = y.transpose(2, 3).reshape(b, n, self.d) if self.interleaved else y.view(b, n, self.d)
        if self.value_dropout:
            y = F.dropout(y, 0.1, training=True)
        return self.head((e + self.o(y)).mean(1))


def _data(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(4, 5, 3, generator=g, dtype=torch.float64), torch.randint(0, 4, (4,), generator=g)


def _attention_groups(inv):
    return {(g.modules, g.count) for g in inv.groups if g.kind == "attention"}


def test_gpt_block_found_through_torch_export():
    """fx cannot trace the causal mask sliced by x.shape: with example inputs the model is read through
    torch.export and every law the hand declaration gives is found, with the same values."""
    torch.manual_seed(7)
    model = GPT().double()
    tokens, y = torch.randint(0, 20, (6, 7)), torch.randint(0, 3, (6,))
    inv = find_laws(model, example_inputs=(tokens,), search=False)  # the patterns
    assert inv.traced_by == "torch.export" and not inv.skipped
    assert _attention_groups(inv) == {(("block.q", "block.k"), 2 * 4 * 5 // 2), (("block.v", "block.o"), 2 * 4 * 5 // 2)}
    assert {g.kind for g in inv.groups} == {"attention", "norm_rescale", "column_sum", "key_bias", "bias_difference"}
    # Gram laws, norms, column sums, the 8 entries of the key bias, and Σ b_o − Σ b_proj: a shift c·1 of the
    # residual stream by o's bias is invisible to ln2 and cancelled by proj's bias
    assert inv.count == 20 + 20 + 8 + 8 + 9 + 8 + 1
    assert [(g.modules, g.count) for g in inv.groups if g.kind == "bias_difference"] == [(("block.o", "block.proj"), 1)]
    assert [u.split(" ")[0] for u in inv.unsupported] == ["emb"]  # the embedding: no pattern known, named
    params = {k: v.detach() for k, v in model.named_parameters()}
    declared = attention_group(model, "block.q", "block.k", "block.v", "block.o", heads=2).values(params)
    found = torch.cat([g.values(params) for g in inv.groups if g.kind == "attention"])
    assert torch.allclose(declared.sort().values, found.sort().values, rtol=0, atol=1e-12)
    _all_pass(model, inv, tokens, y)


@pytest.mark.parametrize("options", [
    {}, {"sdpa": True}, {"packed": True}, {"packed": True, "sdpa": True}, {"interleaved": True},
    {"heads": 3}, {"heads": 1},
])
def test_hand_written_attention_variants(options):
    """Separate or packed q/k/v (one Linear split in three), matmul or scaled_dot_product_attention, heads of
    contiguous or interleaved features: per head, hd(hd+1)/2 q/k laws and hd(hd+1)/2 v/o laws, all exact."""
    torch.manual_seed(3)
    model = _Attention(**options).double()
    x, y = _data()
    inv = find_laws(model, example_inputs=(x,))
    H = options.get("heads", 2)
    hd = 6 // H
    groups = [g for g in inv.groups if g.kind == "attention"]
    assert sorted(g.count for g in groups) == [H * hd * (hd + 1) // 2] * 2, [(g.modules, g.count) for g in groups]
    _all_pass(model, inv, x, y)


@pytest.mark.parametrize("option, kept", [("rotary", "vo"), ("value_dropout", "qk"), ("shared_key", "vo")])
def test_broken_attention_symmetries_are_not_claimed(option, kept):
    """A rotary-like mixing of q, a dropout on the mixed values, or one key head shared by every query head breaks
    the per-head symmetry: that law is not claimed, and the would-be law, declared by hand, indeed fails."""
    torch.manual_seed(4)
    model = _Attention(**{option: True}).double()
    x, y = _data(1)
    inv = find_laws(model, example_inputs=(x,))
    found = {g.modules for g in inv.groups if g.kind == "attention"}
    assert found == ({("q", "k")} if kept == "qk" else {("v", "o")})
    if option != "shared_key":  # the hand helper needs k of q's size
        if option == "value_dropout":
            torch.manual_seed(0)
        declared = find_laws(model, groups=[attention_group(model, "q", "k", "v", "o", heads=2)])
        torch.manual_seed(0)
        worst = check_laws(model, declared, CE, [(x, y)])[0].max_relative_error
        assert worst > 1e-6, worst
    _all_pass(model, inv, x, y)  # what is claimed holds, dropout or not


def test_attention_needs_shapes_and_says_so():
    model = _Attention().double()
    inv = find_laws(model)  # torch.fx traces it, but without shapes the heads cannot be read: no attention laws
    assert not _attention_groups(inv)
    assert any("example_inputs" in n for n in inv.notes)
    x, _ = _data()
    assert _attention_groups(find_laws(model, example_inputs=x))  # a single tensor is accepted too


class _Inception(nn.Module):
    """Two conv branches concatenated along the channels, then a conv; and a concatenation flattened into a Linear."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(2, 3, 3, padding=1), nn.Conv2d(2, 2, 1)
        self.mix = nn.Conv2d(5, 4, 3, padding=1)
        self.c = nn.Conv2d(4, 2, 1)
        self.fc = nn.Linear((4 + 2) * 2 * 2, 3)

    def forward(self, x):
        h = self.mix(torch.cat([F.relu(self.a(x)), F.relu(self.b(x))], dim=1))
        h = F.max_pool2d(F.relu(h), 2)
        both = torch.cat([h, F.relu(self.c(h))], 1)
        return self.fc(torch.flatten(both, 1))


def test_concatenation_along_channels():
    """Channel j of a branch is channel base + j of the concatenation (base: the channels before it), and after a
    flatten the Linear's columns (base + j)·S …; the laws of every branch are found with shapes, and hold."""
    torch.manual_seed(8)
    model = _Inception().double()
    x, y = torch.randn(5, 2, 4, 4, dtype=torch.float64), torch.randint(0, 3, (5,))
    without = find_laws(model)
    assert not [g for g in without.groups if g.kind == "rescale"]
    inv = find_laws(model, example_inputs=(x,))
    rescale = {g.modules: g.count for g in inv.groups if g.kind == "rescale"}
    # mix's channels reach fc directly (columns 0..15) and through c (which absorbs them): both consumers
    assert rescale == {("a", "mix"): 3, ("b", "mix"): 2, ("mix", "c", "fc"): 4, ("c", "fc"): 2}
    _all_pass(model, inv, x, y)


@pytest.mark.parametrize("options, expected", [({}, 0), ({"sdpa": True}, 0), ({"packed": True}, 6),
                                               ({"packed": True, "sdpa": True}, 6)])
def test_key_bias_is_conserved_when_the_softmax_runs_over_the_keys(options, expected):
    """q_i·b_k is the same for every key j: the softmax over the keys cancels it, ∂L/∂b_k = 0 (the separate k of
    _Attention has no bias: no such law; the packed one has, on its key rows d … 2d − 1)."""
    torch.manual_seed(9)
    model = _Attention(**options).double()
    x, y = _data(2)
    inv = find_laws(model, example_inputs=(x,))
    groups = [g for g in inv.groups if g.kind == "key_bias"]
    assert sum(g.count for g in groups) == expected
    CE(model(x), y).backward()
    if expected:
        assert float(model.qkv.bias.grad[6:12].abs().max()) < 1e-15 < float(model.qkv.bias.grad[:6].abs().max())
    _all_pass(model, inv, x, y)


def test_no_key_bias_law_when_the_scores_are_not_only_softmaxed():
    """Scores also used elsewhere (here added to the output) or softmaxed over the queries: the bias does not cancel."""

    class Leaky(nn.Module):
        def __init__(self, over_queries):
            super().__init__()
            self.q, self.k, self.head = nn.Linear(3, 4), nn.Linear(3, 4), nn.Linear(5, 2)
            self.over_queries = over_queries

        def forward(self, x):
            s = self.q(x) @ self.k(x).transpose(-2, -1)
            p = torch.softmax(s, dim=-2 if self.over_queries else -1)
            return self.head(p.mean(2) if self.over_queries else (p + s).mean(1))

    for over_queries in (False, True):
        torch.manual_seed(1)
        model = Leaky(over_queries).double()
        x = torch.randn(3, 5, 3, dtype=torch.float64)
        inv = find_laws(model, example_inputs=(x,))
        assert not [g for g in inv.groups if g.kind == "key_bias"]
        CE(model(x), torch.tensor([0, 1, 0])).backward()
        assert float(model.k.bias.grad.abs().max()) > 1e-6


class _UnpacksShape(nn.Module):
    """fx cannot trace it (the causal mask is built from x.shape); inside, torch's attention and encoder layer."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Linear(3, 8)
        self.mha = nn.MultiheadAttention(8, 2, batch_first=True)
        self.enc = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dropout=0.0)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        b, n, _ = x.shape
        h = self.emb(x)
        a, _ = self.mha(h, h, h, attn_mask=torch.triu(torch.ones(n, n, dtype=torch.bool), 1))
        return self.head(self.enc(a).mean(1))


def test_torch_export_keeps_torch_attention_as_units():
    """Through torch.export the ops of nn.MultiheadAttention and nn.TransformerEncoderLayer are gathered back into
    one call each, so their laws (per head, key bias, ReLU feed-forward) are found as under fx, and hold."""
    torch.manual_seed(5)
    model = _UnpacksShape().double()
    with torch.no_grad():  # torch starts the attention's biases at zero: move them to a generic point
        for name, p in model.named_parameters():
            if name.endswith(("in_proj_bias", "out_proj.bias")):
                p.normal_()
    x, y = torch.randn(4, 5, 3, dtype=torch.float64), torch.randint(0, 3, (4,))
    from conslaw.algebra import ConslawError
    with pytest.raises(ConslawError, match="example_inputs"):
        find_laws(model)  # no inputs: fx fails on the whole forward, and the way out is named
    inv = find_laws(model, example_inputs=(x,), search=False)  # the patterns
    assert inv.traced_by == "torch.export"
    kinds = sorted((g.kind, g.modules) for g in inv.groups)
    assert kinds == [("attention", ("enc.self_attn",)), ("attention", ("mha",)),
                     ("bias_sum", ("enc.linear2",)), ("bias_sum", ("enc.self_attn.out_proj",)), ("column_sum", ("head",)),
                     ("key_bias", ("enc.self_attn",)), ("key_bias", ("mha",)), ("rescale", ("enc.linear1", "enc.linear2"))]
    _all_pass(model, inv, x, y)
