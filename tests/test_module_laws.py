"""Laws of real PyTorch modules: found from the graph, conserved by the loss gradient on real batches."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.nn.laws import check_laws, find_laws  # noqa: E402
from conslaw.verification.nn.zoo import TransformerClassifier, resnet18  # noqa: E402

CE = nn.functional.cross_entropy


def test_mlp_rescale_and_column_sums():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    inv = find_laws(m)
    assert {(g.kind, g.modules, g.count) for g in inv.groups} == {("rescale", ("0", "2"), 4), ("column_sum", ("2",), 5)}
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randint(0, 2, (16,))
    assert all(c.max_relative_error < 1e-12 for c in check_laws(m, inv, CE, [(x, y)]))


def test_resnet18_laws():
    """ResNet-18 layout: conv-before-BN scale laws, BN-ReLU-conv rescale laws inside each block, the head's column
    sums, and in the three downsampling blocks the difference of the two biases added into the sum (bn2 + the
    shortcut's BN)."""
    torch.manual_seed(0)
    net = resnet18(width=4, in_channels=1, num_classes=10).double().train()
    with torch.no_grad():  # torch starts the batch norms' biases at zero: move them to a generic point
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.bias.normal_()
    inv = find_laws(net)
    kinds = {}
    for g in inv.groups:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    convs = sum(isinstance(m, nn.Conv2d) for m in net.modules())
    # every conv feeds a BN; 8 blocks (bn1 → ReLU → conv2); one residual stream per stage
    assert kinds == {"scale": convs, "rescale": 8 + 4, "column_sum": 1, "bias_difference": 3}
    assert inv.unsupported == [] and inv.without_laws == []
    pairs = {g.modules for g in inv.groups if g.kind == "bias_difference"}
    assert pairs == {(f"layers.{b}.bn2", f"layers.{b}.shortcut.1") for b in (2, 4, 6)}
    # the stream of stage s (width 4·2^s): written by the batch norms that end its blocks (and the stem's, or the
    # downsampling shortcut's), read by the next convs (conv1 of each block, the next stage's shortcut) or the head
    streams = {g.modules[0]: g for g in inv.groups if g.kind == "rescale" and len(g.modules) > 2}
    assert {k: g.count for k, g in streams.items()} == {"bn1": 4, "layers.2.bn2": 8, "layers.4.bn2": 16,
                                                         "layers.6.bn2": 32}
    assert streams["bn1"].modules == ("bn1", "layers.0.bn2", "layers.1.bn2", "layers.0.conv1", "layers.1.conv1",
                                      "layers.2.conv1", "layers.2.shortcut.0")
    assert streams["layers.6.bn2"].modules[-1] == "fc"
    x, y = torch.randn(8, 1, 8, 8, dtype=torch.float64), torch.randint(0, 10, (8,))
    for c in check_laws(net, inv, CE, [(x, y)]):
        bound = 1e-3 if c.group.kind == "scale" else 1e-10  # BN's eps breaks scale invariance slightly
        assert c.max_relative_error < bound, (c.group.modules, c.max_relative_error)
    for g in inv.groups:
        if g.kind == "bias_difference":  # linear laws with zero h(g): one SGD step leaves them exactly unchanged
            assert _one_step_identity(net, g, lambda: CE(net(x), y)) < 1e-12


def test_bias_difference_needs_a_sum_of_two_layers_and_nothing_else():
    """Linear + Linear into one sum: b_1 − b_2 conserved; once a branch output is also used elsewhere, or a
    branch has no bias, no law."""

    class TwoBranch(nn.Module):
        def __init__(self, leak=False, bias=True):
            super().__init__()
            self.a, self.b, self.head = nn.Linear(3, 4), nn.Linear(2, 4, bias=bias), nn.Linear(4, 2)
            self.leak = leak

        def forward(self, x):
            u = self.a(x)
            s = torch.relu(u + self.b(x[:, :2]))
            return self.head(s + u if self.leak else s)

    torch.manual_seed(3)
    x, y = torch.randn(9, 3, dtype=torch.float64), torch.randint(0, 2, (9,))
    model = TwoBranch().double()
    inv = find_laws(model)
    assert [g.modules for g in inv.groups if g.kind == "bias_difference"] == [("a", "b")]
    assert {c.verdict for c in check_laws(model, inv, CE, [(x, y)])} == {"pass"}
    for options in ({"leak": True}, {"bias": False}):
        assert not [g for g in find_laws(TwoBranch(**options).double()).groups if g.kind == "bias_difference"]


def test_scale_law_needs_batch_statistics():
    torch.manual_seed(1)
    net = resnet18(width=4, in_channels=1, num_classes=3).double().eval()
    inv = find_laws(net)
    x, y = torch.randn(8, 1, 8, 8, dtype=torch.float64), torch.randint(0, 3, (8,))
    checks = check_laws(net, inv, CE, [(x, y)])
    errors = {c.group.kind: c.max_relative_error for c in checks}
    assert errors["scale"] > 1e-5 and errors["rescale"] < 1e-10  # the tolerance in float64 is 1e-9
    assert {c.verdict for c in checks if c.group.kind == "scale"} == {"fail"}
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
    assert [g.modules for g in find_laws(norm).groups if g.kind == "norm_rescale"] == [("1", "2")]
    assert any("0 (Linear)" in u for u in find_laws(norm).without_laws)  # the Linear before the norm: named


def test_a_broken_law_is_detected():
    """With mean-squared error instead of cross-entropy the column sums are not conserved."""
    torch.manual_seed(2)
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    inv = find_laws(m)
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 2, dtype=torch.float64)
    errors = {c.group.kind: c.max_relative_error for c in check_laws(m, inv, nn.functional.mse_loss, [(x, y)])}
    assert errors["column_sum"] > 1e-3 and errors["rescale"] < 1e-12


# ----------------------------------------------- grouped convolutions, tied weights, verdicts
def _one_step_identity(model, group, loss, lr=0.1):
    """Quadratic law h: one SGD step changes it by exactly lr² h(g) (docs/THEORY.md §4, Prop. 5.1)."""
    named = dict(model.named_parameters())
    model.zero_grad()
    loss().backward()
    before = group.values({k: v.detach().clone() for k, v in named.items()})
    grads = {k: (v.grad if v.grad is not None else torch.zeros_like(v)).detach().clone() for k, v in named.items()}
    with torch.no_grad():
        for v in named.values():
            if v.grad is not None:
                v -= lr * v.grad
    after = group.values({k: v.detach() for k, v in named.items()})
    return (after - before - lr ** 2 * group.values(grads)).abs().max() / before.abs().max()


def _mobile_block():
    """A MobileNet-like stack: conv → BN → ReLU → grouped conv (2 groups) → ReLU → depthwise conv → ReLU → 1×1 conv."""
    return nn.Sequential(
        nn.Conv2d(2, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 6, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(6, 6, 3, padding=1, groups=6, bias=False), nn.ReLU(),
        nn.Conv2d(6, 4, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)).double().train()


def test_grouped_and_depthwise_convolutions_give_right_laws():
    torch.manual_seed(3)
    net = _mobile_block()
    inv = find_laws(net)
    rescale = {g.modules: g for g in inv.groups if g.kind == "rescale"}
    assert set(rescale) == {("1", "3"), ("3", "5"), ("5", "7"), ("7", "10")}  # the last: linear, through pool + flatten
    x, y = torch.randn(6, 2, 5, 5, dtype=torch.float64), torch.randint(0, 3, (6,))
    for c in check_laws(net, inv, CE, [(x, y)]):
        if c.group.kind == "rescale":
            assert c.max_relative_error < 1e-12 and c.verdict == "pass", (c.group.modules, c.max_relative_error)
    for key in (("3", "5"), ("5", "7")):  # the second layer grouped / depthwise: the exact one-step identity
        assert _one_step_identity(net, rescale[key], lambda: CE(net(x), y)) < 1e-10


def test_tied_weights_are_not_claimed_and_do_not_crash():
    emb, lin = nn.Embedding(10, 4), nn.Linear(4, 10)
    lin.weight = emb.weight
    model = nn.Sequential(emb, lin).double()
    inv = find_laws(model)
    assert not any(g.kind == "column_sum" for g in inv.groups)
    assert any("tied" in s and "1.weight" in s for s in inv.skipped)
    tokens, y = torch.randint(0, 10, (8,)), torch.randint(0, 10, (8,))
    assert check_laws(model, inv, CE, [(tokens, y)]) == []
    from conslaw.verification.nn.monitor import LawMonitor
    LawMonitor(model, inv)  # no KeyError on the tied name


def test_check_laws_verdicts():
    torch.manual_seed(1)
    net = resnet18(width=4, in_channels=1, num_classes=3).double().train()
    inv = find_laws(net)
    x, y = torch.randn(8, 1, 8, 8, dtype=torch.float64), torch.randint(0, 3, (8,))
    checks = check_laws(net, inv, CE, [(x, y)])
    assert {c.verdict for c in checks if c.group.kind != "scale"} == {"pass"}
    assert all(c.verdict in ("pass", "broken by eps") and c.eps_bound is not None for c in checks if c.group.kind == "scale")
    net.eval()
    checks = check_laws(net, inv, CE, [(x, y)])
    assert {c.verdict for c in checks if c.group.kind == "scale"} == {"fail"}  # running statistics: no scale law


def test_batched_dots_and_norms_equal_the_per_law_gradients():
    """law_dots_and_norms (one jvp, vmapped vjps in chunks) against one autograd.grad per law."""
    from conslaw.verification.nn.laws import law_dots_and_norms

    torch.manual_seed(2)
    model = TransformerClassifier(vocab=11, d=6, heads=2, dk=2, dv=3, hidden=5, layers=1, classes=3).double()
    net = _mobile_block()
    encoder = _Encoded(_encoder(norm_first=True)).double()
    for m in (model, net, encoder):
        inv = find_laws(m)
        named = dict(m.named_parameters())
        for g in inv.groups:
            tensors = [named[p].detach().clone().requires_grad_(True) for p in g.params]
            direction = [torch.randn_like(t) for t in tensors]
            h = g.values(dict(zip(g.params, tensors)))
            for chunk in (2**28, 64):  # one chunk, and many small ones
                dots, norms = law_dots_and_norms(g, [t.detach() for t in tensors], direction, chunk_bytes=chunk)
                for i in range(g.count):
                    grads = torch.autograd.grad(h[i], tensors, retain_graph=True)
                    assert torch.allclose(dots[i], sum((a * b).sum() for a, b in zip(grads, direction)), atol=1e-12)
                    assert torch.allclose(norms[i], torch.sqrt(sum(a.pow(2).sum() for a in grads)), atol=1e-12)


# ----------------------------------------------- torch's attention and encoder layers, tracing failures
class _Encoded(nn.Module):
    def __init__(self, body, d=8, classes=3):
        super().__init__()
        self.body, self.head = body, nn.Linear(d, classes)

    def forward(self, x):
        out = self.body(x, x, x)[0] if isinstance(self.body, nn.MultiheadAttention) else self.body(x)
        return self.head(out.mean(1))


def _encoder(**options):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, **options)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


@pytest.mark.parametrize("body, kinds", [
    (lambda: nn.MultiheadAttention(8, 2, batch_first=True), {"attention": 1, "key_bias": 1}),
    (lambda: nn.MultiheadAttention(8, 2, batch_first=True, bias=False), {"attention": 1}),
    (lambda: _encoder(norm_first=True), {"attention": 2, "rescale": 2, "norm_rescale": 4, "key_bias": 2,
                                         "bias_difference": 2 + 1}),  # within each layer, and between them
    (lambda: _encoder(activation="gelu"), {"attention": 2, "key_bias": 2, "bias_sum": 2 * 2}),  # post-norm
    (lambda: nn.MultiheadAttention(8, 2, batch_first=True, add_zero_attn=True), {"attention": 1}),
])
def test_torch_attention_and_encoder_laws(body, kinds):
    """Packed in_proj per head ([W|b] Gram differences), the key bias (cancelled by the softmax over the keys, but
    not with add_zero_attn, whose zero key has no bias), ReLU feed-forward rescale, pre-norm LayerNorm → Linear,
    and the output biases' sums (a uniform shift of the stream that only LayerNorms read): each law orthogonal
    to the loss gradient and changed by exactly lr² h(g) by one SGD step."""
    torch.manual_seed(4)
    model = _Encoded(body()).double().train()
    with torch.no_grad():  # torch starts the attention's biases at zero: move them to a generic point
        for name, p in model.named_parameters():
            if name.endswith(("in_proj_bias", "out_proj.bias")):
                p.normal_()
    inv = find_laws(model)
    found = {}
    for g in inv.groups:
        found[g.kind] = found.get(g.kind, 0) + 1
    assert found == {**kinds, "column_sum": 1}
    attention = [g for g in inv.groups if g.kind == "attention"]
    assert all(g.count == 2 * 2 * (4 * 5 // 2) for g in attention)  # 2 heads of size 4: two 4×4 symmetric laws each
    x, y = torch.randn(6, 5, 8, dtype=torch.float64), torch.randint(0, 3, (6,))
    for c in check_laws(model, inv, CE, [(x, y)]):
        assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.kind, c.max_relative_error)
    for g in inv.groups:
        if g.kind != "column_sum":
            assert _one_step_identity(model, g, lambda: CE(model(x), y)) < 1e-9, g.kind
    if "bias_sum" in kinds:  # post-norm GELU: LayerNorms feed the residual stream, no law; all are named
        assert any("norm1 (LayerNorm)" in u for u in inv.without_laws)
        assert any("linear1 (Linear)" in u for u in inv.without_laws)


def test_tracing_failure_is_one_readable_error_with_the_way_out():
    from conslaw.algebra import ConslawError
    from conslaw.verification.nn.laws import rescale_group

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 2)

        def forward(self, x):
            if x.sum() > 0:  # data-dependent control flow: torch.fx cannot trace it
                x = -x
            return self.fc2(torch.relu(self.fc1(x)))

    model = Branchy().double()
    with pytest.raises(ConslawError, match="could not trace Branchy.*groups="):
        find_laws(model)
    inv = find_laws(model, groups=[rescale_group(model, "fc1", "fc2")])
    assert [g.kind for g in inv.groups] == ["rescale"]
    x, y = torch.randn(8, 3, dtype=torch.float64), torch.randint(0, 2, (8,))
    assert check_laws(model, inv, CE, [(x, y)])[0].verdict == "pass"
    with pytest.raises(ConslawError, match="no module named 'fc3'"):
        rescale_group(model, "fc1", "fc3")


# ----------------------------------------------- homogeneous activations and channel-wise maps
class _FunctionalFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(2, 3, 3, padding=1), nn.Linear(3 * 2 * 2, 4)

    def forward(self, x):
        x = nn.functional.max_pool2d(nn.functional.leaky_relu(self.conv(x), 0.2), 2)
        return self.fc(torch.flatten(x, 1))


@pytest.mark.parametrize("make, pairs", [
    (lambda: nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.1), nn.Linear(5, 3)), {("0", "2")}),
    (lambda: nn.Sequential(nn.Linear(3, 5), nn.PReLU(5), nn.Linear(5, 3)), {("0", "2")}),
    (lambda: nn.Sequential(nn.Linear(3, 5), nn.Dropout(0.3), nn.ReLU(), nn.Identity(), nn.Linear(5, 3)), {("0", "4")}),
    (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 3, 3, padding=1),
                           nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3 * 1 * 1, 3)), {("0", "3"), ("3", "7")}),
    (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                           nn.Flatten(), nn.Linear(4 * 4, 3)), {("1", "5")}),
    (_FunctionalFlatten, {("conv", "fc")}),
])
def test_positively_homogeneous_channelwise_paths(make, pairs):
    """LeakyReLU, PReLU, dropout, identity, pools and a flatten into a Linear (the Linear's columns grouped per
    channel): each rescale law orthogonal to the loss gradient and changed by exactly lr² h(g) by one SGD step."""
    torch.manual_seed(5)
    model = make().double().train()
    inv = find_laws(model)
    rescale = {g.modules: g for g in inv.groups if g.kind == "rescale"}
    assert set(rescale) == pairs
    x = torch.randn(6, 3, dtype=torch.float64) if isinstance(model[0] if isinstance(model, nn.Sequential) else None,
                                                            nn.Linear) else torch.randn(6, 2, 4, 4, dtype=torch.float64)
    y = torch.randint(0, 3, (6,))
    for c in check_laws(model, inv, CE, [(x, y)]):
        if c.group.kind == "rescale":
            assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.modules, c.max_relative_error)
    for g in rescale.values():
        assert _one_step_identity(model, g, lambda: CE(model(x), y)) < 1e-9


class _PreNormQKV(nn.Module):
    """LayerNorm (or RMSNorm) feeding three Linear layers q, k, v (a hand-written pre-norm attention input)."""

    def __init__(self, norm):
        super().__init__()
        self.norm = norm
        self.q, self.k, self.v = nn.Linear(6, 4), nn.Linear(6, 4), nn.Linear(6, 4)
        self.head = nn.Linear(4, 3)

    def forward(self, x):
        h = self.norm(x)
        att = torch.softmax(self.q(h) @ self.k(h).transpose(-1, -2), dim=-1)
        return self.head((att @ self.v(h)).mean(1))


@pytest.mark.parametrize("norm", [lambda: nn.LayerNorm(6), lambda: nn.RMSNorm(6)])
def test_norm_affine_weights_into_all_their_consumers(norm):
    """γ_j² + β_j² − (‖W_q[:,j]‖² + ‖W_k[:,j]‖² + ‖W_v[:,j]‖²): summed over every consumer of the norm."""
    torch.manual_seed(6)
    model = _PreNormQKV(norm()).double()
    inv = find_laws(model)
    groups = [g for g in inv.groups if g.kind == "norm_rescale"]
    assert len(groups) == 1 and groups[0].count == 6 and len(groups[0].params) in (4, 5)
    x, y = torch.randn(5, 7, 6, dtype=torch.float64), torch.randint(0, 3, (5,))
    check = next(c for c in check_laws(model, inv, CE, [(x, y)]) if c.group.kind == "norm_rescale")
    assert check.verdict == "pass" and check.max_relative_error < 1e-12
    assert _one_step_identity(model, groups[0], lambda: CE(model(x), y)) < 1e-9


def test_gpt_block_written_by_hand():
    """fx cannot trace the causal mask sliced by x.shape: the block is named, the rest analysed; its laws declared
    by hand (per-head q/k/v/o with biases, LayerNorm into q, k and v, LayerNorm into the MLP) all hold exactly,
    and the numerical count of the model's own fields finds at least as many laws."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(__file__))
    from gpt_block import GPT

    from conslaw.verification.nn.count import count_module_laws
    from conslaw.verification.nn.laws import attention_group, column_sum_group, norm_group

    torch.manual_seed(7)
    model = GPT().double()
    inv = find_laws(model)
    assert any(u.startswith("block (GPTBlock): torch.fx cannot trace it") for u in inv.unsupported)
    assert [g.kind for g in inv.groups] == ["column_sum"]
    declared = find_laws(model, groups=[
        attention_group(model, "block.q", "block.k", "block.v", "block.o", heads=2),
        norm_group(model, "block.ln1", ["block.q", "block.k", "block.v"]),
        norm_group(model, "block.ln2", ["block.fc"]),
        column_sum_group(model, "head"),
    ])
    tokens, y = torch.randint(0, 20, (6, 7)), torch.randint(0, 3, (6,))
    for c in check_laws(model, declared, CE, [(tokens, y)]):
        assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.kind, c.max_relative_error)
    for g in declared.groups:
        if g.kind != "column_sum":
            assert _one_step_identity(model, g, lambda: CE(model(tokens), y)) < 1e-9, g.kind
    report = count_module_laws(model, torch.randint(0, 20, (12, 7)), inventory=declared)
    assert report["found_independent"] == 2 * 2 * 10 + 8 + 8 + 9  # heads × 2 Gram laws of 10 entries, norms, sums
    assert report["missed"] >= 0


def test_vgg11_laws():
    """Every conv feeds a ReLU, pools and the next conv (or the classifier through a flatten): one rescale law per
    channel of each of the 8 convs and per hidden unit of the classifier, and the head's column sums."""
    torch.manual_seed(8)
    from conslaw.verification.nn.zoo import vgg11

    net = vgg11(width=4, num_classes=3, hidden=8).double().train()
    inv = find_laws(net)
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    expected = sum(m.out_channels for m in convs) + 8 + 8 + (8 + 1)
    assert sum(g.count for g in inv.groups) == expected
    assert inv.unsupported == [] and inv.without_laws == []  # every layer analysed
    x, y = torch.randn(4, 3, 32, 32, dtype=torch.float64), torch.randint(0, 3, (4,))
    for c in check_laws(net, inv, CE, [(x, y)]):
        assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.modules, c.max_relative_error)


class _SqueezeExcite(nn.Module):
    """conv → ReLU → x · gate(x), gate = sigmoid(fc2(relu(fc1(pool(x))))) → conv (a squeeze-excitation block)."""

    def __init__(self, c=4, r=2):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(2, c, 3, padding=1), nn.Conv2d(c, 3, 1)
        self.fc1, self.fc2 = nn.Conv2d(c, r, 1), nn.Conv2d(r, c, 1)
        self.head = nn.Linear(3, 3)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(nn.functional.adaptive_avg_pool2d(x, 1)))))
        x = self.conv2(x * gate)
        return self.head(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 4)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)) + x)  # a's channels meet an unscaled sum: no rescale law for a


def test_squeeze_excitation_gates_and_residual_sums():
    """SE: conv1's channel j is read by fc1 (through the pool) and by conv2 (through the gated product): one law
    ‖conv1_j‖² + b_j² − ‖fc1_{:,j}‖² − ‖conv2_{:,j}‖²; fc1 → ReLU → fc2 inside the gate; a residual sum: none."""
    torch.manual_seed(9)
    model = _SqueezeExcite().double()
    inv = find_laws(model)
    rescale = {g.modules: g for g in inv.groups if g.kind == "rescale"}
    assert ("conv1", "fc1", "conv2") in rescale and ("fc1", "fc2") in rescale
    x, y = torch.randn(5, 2, 4, 4, dtype=torch.float64), torch.randint(0, 3, (5,))
    for c in check_laws(model, inv, CE, [(x, y)]):
        assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.modules, c.max_relative_error)
    for g in rescale.values():
        assert _one_step_identity(model, g, lambda: CE(model(x), y)) < 1e-9
    residual = _Residual().double()
    assert not any(g.kind == "rescale" and g.modules[0] == "a" for g in find_laws(residual).groups)


def test_mobilenet_v3_small_laws():
    """MobileNetV3-Small (hardswish, squeeze-excitation, depthwise convs, residual sums): every law found holds.

    Independent tally of the rescale laws from the block table: a ReLU ("RE") block gives one law per expanded
    channel after its expand BN (read by the depthwise conv) and one after its depthwise BN (read by the SE's
    fc1 and the projection, or the projection alone); every SE gate one per squeezed channel (fc1 → ReLU → fc2);
    hardswish blocks nothing else; and the projection BN of each block without a residual sum starts a stream
    (one law per output channel), which the projection BNs of the residual blocks after it join, and which the
    next expand (or depthwise, or final 1×1) convs read — a linear path, since no activation follows a
    projection."""
    from conslaw.verification.nn.zoo import MOBILENET_V3_SMALL, _divisible, mobilenet_v3_small

    torch.manual_seed(10)
    net = mobilenet_v3_small(num_classes=3).double().train()
    inv = find_laws(net)
    expected = 0
    for i, (cin, _, exp, cout, se, act, stride) in enumerate(MOBILENET_V3_SMALL):
        if act == "RE":
            expected += (exp if exp != cin else 0) + exp
        expected += _divisible(exp // 4) if se else 0
        residual = stride == 1 and cin == cout
        expected += 0 if residual else cout
    assert sum(g.count for g in inv.groups if g.kind == "rescale") == expected
    assert inv.unsupported == []
    x, y = torch.randn(2, 3, 32, 32, dtype=torch.float64), torch.randint(0, 3, (2,))
    for c in check_laws(net, inv, CE, [(x, y)]):
        if c.group.kind == "scale":
            assert c.verdict in ("pass", "broken by eps"), (c.group.modules, c.max_relative_error)
        else:
            assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.modules, c.max_relative_error)


class _Reused(nn.Module):
    """The same Linear applied twice: fc(relu(fc(x))) — rescaling its channels changes both calls."""

    def __init__(self):
        super().__init__()
        self.fc, self.head = nn.Linear(4, 4), nn.Linear(4, 3)

    def forward(self, x):
        return self.head(torch.relu(self.fc(torch.relu(self.fc(x)))))


def test_a_module_called_twice_is_not_claimed():
    torch.manual_seed(11)
    model = _Reused().double()
    inv = find_laws(model)
    assert not any("fc" in g.modules for g in inv.groups)
    assert any("called more than once" in s for s in inv.skipped)
    x, y = torch.randn(8, 4, dtype=torch.float64), torch.randint(0, 3, (8,))
    assert all(c.verdict == "pass" for c in check_laws(model, inv, CE, [(x, y)]))


def test_bias_before_batch_norm_is_conserved_in_training_mode_only():
    """BatchNorm in training mode subtracts the batch mean, bias included: ∂L/∂b = 0 for the Linear/Conv bias
    before it (each entry a law); in eval mode (running statistics) it moves, and the checker says fail."""
    torch.manual_seed(12)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2)).double()
    inv = find_laws(model)
    group = [g for g in inv.groups if g.kind == "bias_before_norm"]
    assert [(g.modules, g.count) for g in group] == [(("0",), 3)]
    x, y = torch.randn(6, 2, 4, 4, dtype=torch.float64), torch.randint(0, 2, (6,))
    verdict = {c.group.kind: c for c in check_laws(model.train(), inv, CE, [(x, y)])}
    assert verdict["bias_before_norm"].verdict == "pass" and verdict["bias_before_norm"].max_relative_error < 1e-15
    assert _one_step_identity(model, group[0], lambda: CE(model(x), y)) < 1e-12
    assert check_laws(model.eval(), inv, CE, [(x, y)])[[g.kind for g in inv.groups].index("bias_before_norm")].verdict \
        == "fail"


def test_translation_along_a_residual_stream():
    """MobileNet-style stream: a block's projection BN, then a residual block (expand 1×1 conv → BN reads the
    stream) whose projection BN adds to it: a per-channel shift by the first projection's bias is removed by the
    expand BN and cancelled by the second projection's bias, so b_A,j − b_B,j is conserved; when the residual
    block has no expand conv, its padded 3×3 depthwise conv reads the stream (border outputs see part of the
    shift) and no such law is claimed."""
    from conslaw.verification.nn.zoo import InvertedResidual

    def blocks(expand):
        return nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                             InvertedResidual(8, 3, 16, 8, False, "RE", 2),
                             InvertedResidual(8, 3, 16 if expand else 8, 8, False, "RE", 1),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3)).double().train()

    torch.manual_seed(13)
    model = blocks(True)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.bias.normal_()
    inv = find_laws(model)
    pairs = {g.modules: g.count for g in inv.groups if g.kind == "bias_difference"}
    assert pairs == {("3.block.7", "4.block.7"): 8}
    x, y = torch.randn(6, 3, 16, 16, dtype=torch.float64), torch.randint(0, 3, (6,))
    for c in check_laws(model, inv, CE, [(x, y)]):
        if c.group.kind == "bias_difference":
            assert c.verdict == "pass" and c.max_relative_error < 1e-12, (c.group.modules, c.max_relative_error)
    group = next(g for g in inv.groups if g.kind == "bias_difference")
    assert _one_step_identity(model, group, lambda: CE(model(x), y)) < 1e-12
    assert not [g for g in find_laws(blocks(False)).groups if g.kind == "bias_difference"]
