"""Laws of real PyTorch modules: found from the graph, conserved by the loss gradient on real batches."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.module_laws import check_laws, find_laws  # noqa: E402
from conslaw.verification.torch_modules import TransformerClassifier, resnet18  # noqa: E402

CE = nn.functional.cross_entropy


def test_mlp_rescale_and_column_sums():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    inv = find_laws(m)
    assert {(g.kind, g.modules, g.count) for g in inv.groups} == {("rescale", ("0", "2"), 4), ("column_sum", ("2",), 5)}
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randint(0, 2, (16,))
    assert all(c.max_relative_error < 1e-12 for c in check_laws(m, inv, CE, [(x, y)]))


def test_resnet18_laws():
    """ResNet-18 layout: conv-before-BN scale laws, BN-ReLU-conv rescale laws inside each block, the head's column sums."""
    torch.manual_seed(0)
    net = resnet18(width=4, in_channels=1, num_classes=10).double().train()
    inv = find_laws(net)
    kinds = {}
    for g in inv.groups:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    convs = sum(isinstance(m, nn.Conv2d) for m in net.modules())
    assert kinds == {"scale": convs, "rescale": 8, "column_sum": 1}  # every conv feeds a BN; 8 blocks
    assert inv.unsupported == []
    x, y = torch.randn(8, 1, 8, 8, dtype=torch.float64), torch.randint(0, 10, (8,))
    for c in check_laws(net, inv, CE, [(x, y)]):
        bound = 1e-3 if c.group.kind == "scale" else 1e-10  # BN's eps breaks scale invariance slightly
        assert c.max_relative_error < bound, (c.group.modules, c.max_relative_error)


def test_scale_law_needs_batch_statistics():
    torch.manual_seed(1)
    net = resnet18(width=4, in_channels=1, num_classes=3).double().eval()
    inv = find_laws(net)
    x, y = torch.randn(8, 1, 8, 8, dtype=torch.float64), torch.randint(0, 3, (8,))
    errors = {c.group.kind: c.max_relative_error for c in check_laws(net, inv, CE, [(x, y)])}
    assert errors["scale"] > 1e-3 and errors["rescale"] < 1e-10
    assert all("training mode" in g.requires for g in inv.groups if g.kind == "scale")


def test_transformer_laws_and_unsupported_layers_are_named():
    torch.manual_seed(0)
    model = TransformerClassifier(vocab=20, d=8, heads=2, dk=2, dv=3, hidden=6, layers=2, classes=3).double()
    inv = find_laws(model)
    att = [g for g in inv.groups if g.kind == "attention"]
    assert len(att) == 2 and all(g.count == 2 * (3 + 6) for g in att)
    assert inv.unsupported == ["embed (Embedding): no law pattern known for this layer type"]
    tokens, y = torch.randint(0, 20, (4, 5)), torch.randint(0, 3, (4,))
    assert all(c.max_relative_error < 1e-10 for c in check_laws(model, inv, CE, [(tokens, y)]))
    norm = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    assert any("LayerNorm" in u for u in find_laws(norm).unsupported)


def test_a_broken_law_is_detected():
    """With mean-squared error instead of cross-entropy the column sums are not conserved."""
    torch.manual_seed(2)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    inv = find_laws(m)
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    errors = {c.group.kind: c.max_relative_error for c in check_laws(m, inv, nn.functional.mse_loss, [(x, y)])}
    assert errors["column_sum"] > 1e-3 and errors["rescale"] < 1e-12
