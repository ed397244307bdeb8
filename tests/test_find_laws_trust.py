"""find_laws returns no false law (issue "The kernel in the loop", item 5).

Models written as researchers write them: a LoRA adapter on a frozen base, linear probing on a frozen backbone,
weight tying written functionally (``F.embedding(idx, self.head.weight)`` with ``self.head(...)`` at the output).
Frozen parameters are constants, a parameter read in two places is tied, and with example inputs every group is
verified on them before it is returned; every group returned is checked here with ``check_laws``: its laws'
gradients are orthogonal to ∇L of the cross-entropy on the data.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from conslaw.verification.nn.count import count_module_laws  # noqa: E402
from conslaw.verification.nn.laws import check_laws, find_laws  # noqa: E402


class LoRA(nn.Module):
    """A frozen base layer W0 x + b0 plus the low-rank update B A x, then a head."""

    def __init__(self, n=4, r=2, h=5, k=3):
        super().__init__()
        self.base = nn.Linear(n, h)
        self.A = nn.Linear(n, r, bias=False)
        self.B = nn.Linear(r, h, bias=False)
        self.head = nn.Linear(h, k)
        for p in self.base.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        return self.head(torch.relu(self.base(x) + self.B(self.A(x))))


class Probe(nn.Module):
    """Linear probing: a frozen two-layer backbone, a trained head."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 5), nn.ReLU())
        self.head = nn.Linear(5, 3)
        for p in self.backbone.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        return self.head(self.backbone(x))


class TiedLM(nn.Module):
    """Weight tying written functionally: the embedding reads the head's weight."""

    def __init__(self, vocab=7, d=4):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        return self.head(self.norm(F.embedding(idx, self.head.weight)))


def _no_false_law(model, inputs, targets):
    model.double()
    inv = find_laws(model, example_inputs=(inputs,))
    checks = check_laws(model, inv, nn.functional.cross_entropy, [(inputs, targets)])
    assert all(c.verdict != "fail" for c in checks), [(c.group.kind, c.group.modules, c.max_relative_error)
                                                      for c in checks if c.verdict == "fail"]
    return inv


def test_lora_on_a_frozen_base_claims_nothing_that_moves_the_base():
    torch.manual_seed(0)
    x, y = torch.randn(16, 4, dtype=torch.float64), torch.randint(0, 3, (16,))
    inv = _no_false_law(LoRA(), x, y)
    assert not any("base." in p for g in inv.groups for p in g.params)
    assert any("frozen" in s for s in inv.skipped)


def test_linear_probing_claims_no_rescale_into_the_frozen_backbone():
    torch.manual_seed(0)
    x, y = torch.randn(16, 4, dtype=torch.float64), torch.randint(0, 3, (16,))
    model = Probe()
    inv = _no_false_law(model, x, y)
    assert not any(g.kind == "rescale" for g in inv.groups)
    assert any(g.kind == "column_sum" for g in inv.groups)  # the head's column sums do hold
    r = count_module_laws(model.double(), x)
    assert r["D"] == 5 * 3 + 3 and r["laws"] == 5 + 1  # only the head moves: its column sums are all the laws


def test_functional_weight_tying_is_seen():
    torch.manual_seed(0)
    idx, y = torch.randint(0, 7, (12,)), torch.randint(0, 7, (12,))
    inv = _no_false_law(TiedLM(), idx, y)
    # no pattern claims the tied weight; the symmetry search treats it as one coordinate of the true model, so its
    # laws may involve it (and _no_false_law checked them all on data)
    assert not any("head.weight" in g.params for g in inv.groups if not g.kind.startswith("symmetry search"))
    assert any("read in more than one place" in s for s in inv.skipped)


def test_a_group_the_inputs_refute_is_not_returned(monkeypatch):
    """A pattern bug (here: column sums claimed for a head whose output is squared, so not under the cross-entropy
    symmetry) is caught by the verification on the example inputs and listed with the reason."""
    import conslaw.verification.nn.laws as ml

    class Squared(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)

        def forward(self, x):
            return self.fc(x) ** 2

    model = Squared().double()
    x = torch.randn(8, 3, dtype=torch.float64)
    from conslaw.verification.nn.laws.column_sum import _column_sum_group

    bogus = _column_sum_group("fc", model.fc)
    kept, refuted = ml.refute_on_inputs(model, [bogus], (x,))
    assert kept == [] and "refuted on the example inputs" in refuted[0]


def test_column_sums_are_verified_for_the_loss_and_its_class_axis():
    """Column sums of a head are laws of the cross-entropy along the head's outputs only: a language model's
    (B, T, V) logits keep them with ``class_dim=-1``, lose them on torch's default class axis 1 (the tokens) and
    under the square loss — refuted on the inputs, with the reason."""
    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.head = nn.Embedding(7, 3), nn.Linear(3, 5)

        def forward(self, t):
            return self.head(torch.tanh(self.emb(t)))

    model = Tiny().double()
    tokens = torch.randint(0, 7, (2, 4), generator=torch.Generator().manual_seed(0))

    def column_sums(**kw):
        inv = find_laws(model, example_inputs=(tokens,), search=False, **kw)
        return [g for g in inv.groups if g.kind == "column_sum"], inv.refuted

    kept, refuted = column_sums(class_dim=-1)
    assert len(kept) == 1 and refuted == []
    for kw in ({}, {"class_dim": -1, "loss": "mse"}):
        kept, refuted = column_sums(**kw)
        assert kept == [] and any(r.startswith("column_sum laws of head: refuted") for r in refuted), kw


def test_the_monitor_names_frozen_parameters_as_the_cause():
    from conslaw.verification.nn.laws import rescale_group
    from conslaw.verification.nn.monitor import LawMonitor

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    inv = find_laws(model, groups=[rescale_group(model, "0", "2")])
    model[0].weight.requires_grad_(False)
    warnings = LawMonitor(model, inv).warnings
    assert any("0.weight is frozen" in w and "the cause" in w for w in warnings)
