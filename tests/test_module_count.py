"""Completeness in one call: the numerical law count of a module against what find_laws recognises.

Expected counts come from the papers' formulas: a ReLU hidden layer of width r gives r rescale laws
(Prop. 3.5), a linear one (identity activation) with biases r(r+1)/2 (the Gram entries of [W_1|b_1],
Prop. 3.5 for linear nets, r ≤ n + 1 + m), and cross-entropy the column sums of the last layer (n + 1
with its bias, Prop. 3.11).
"""
from __future__ import annotations

import io
import json
import sys

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from conslaw.verification.cli import run  # noqa: E402
from conslaw.verification.nn.count import count_module_laws  # noqa: E402


def _mlp(act, n=3, r=4, k=3):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(n, r), act, nn.Linear(r, k)).double(), torch.randn(30, n, dtype=torch.float64)


@pytest.mark.parametrize("act, hidden_laws, recognised", [
    (nn.ReLU(), 4, 4),                  # one rescale law per hidden neuron, all recognised
    (nn.GELU(), 0, 0),                  # not homogeneous: no hidden law
    (nn.Identity(), 4 * 5 // 2, 4),     # linear: r(r+1)/2 Gram laws; the matcher knows the r diagonal ones
])
def test_numerical_count_against_the_pattern_matcher(act, hidden_laws, recognised):
    """The patterns alone (``search=False``) miss the linear net's off-diagonal Gram laws; with the symmetry search
    (find_laws' default) every law is found."""
    from conslaw.verification.nn.laws import find_laws

    model, x = _mlp(act)
    r = count_module_laws(model, x, inventory=find_laws(model, example_inputs=(x,), search=False))
    column_sums = 4 + 1
    assert r["laws"] == hidden_laws + column_sums
    assert r["found_independent"] == recognised + column_sums
    assert r["missed"] == hidden_laws - recognised
    assert r["evidence"]["status"] == "plateau"
    full = count_module_laws(model, x)
    assert full["laws"] == hidden_laws + column_sums and full["found_independent"] == full["laws"]
    assert full["status"] == "all found"


def test_units_active_on_every_input_give_laws_of_this_theta():
    """Inputs ≥ 0, first-layer weights and biases > 0: every hidden ReLU is the identity on every input, so near θ the
    net is linear and has its r(r+1)/2 Gram laws (Prop. 3.5, r = 4 ≤ n + 1 + m) where the model (at random θ) has
    r rescale laws: the r(r − 1)/2 mixings are laws of this θ, found by the region search and set apart."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)).double()
    with torch.no_grad():
        model[0].weight.abs_().add_(0.1)
        model[0].bias.abs_().add_(0.1)
    x = torch.randn(30, 3, dtype=torch.float64).abs()
    r = count_module_laws(model, x, other_inputs=torch.rand(30, 3, dtype=torch.float64))
    column_sums, rescale, gram = 4 + 1, 4, 4 * 5 // 2
    assert r["laws"] == gram + column_sums
    assert r["found_independent"] == rescale + column_sums
    assert r["laws_of_this_point"] == gram - rescale
    assert r["status"] == "all found", r["verdict"]
    assert r["region_search"]["evidence"]["laws of the region only"] >= gram - rescale


def test_mse_has_no_column_sums():
    model, x = _mlp(nn.ReLU())
    assert count_module_laws(model, x, loss="mse")["laws"] == 4


def test_cli_counts_a_users_module(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_models_for_conslaw.py").write_text(
        "import torch\nfrom torch import nn\n"
        "def mlp():\n    torch.manual_seed(0)\n"
        "    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)).double(), torch.randn(30, 3).double()\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    out = io.StringIO()
    assert run(["count", "--module", "my_models_for_conslaw:mlp", "--json"], out=out) == 0
    report = json.loads(out.getvalue())
    assert report["laws"] == 9 and report["missed"] == 0
    assert run(["count", "--module", "no_such_module_xyz:f"]) == 2
    assert "cannot load" in capsys.readouterr().err
    assert run(["count", "relu", "2", "2", "--module", "my_models_for_conslaw:mlp"]) == 2


def test_dropout_is_switched_off_for_the_count_and_back_on():
    """Dropout draws a new mask per call (no Lie algebra of a random map): counted with dropout off, then restored."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(0.3), nn.Linear(4, 3)).double().train()
    r = count_module_laws(model, torch.randn(30, 3, dtype=torch.float64))
    assert r["laws"] == 4 + 5 and r["dropout_off"] == 1 and r["missed"] == 0
    assert model[2].training


def test_the_count_stops_where_it_meets_the_laws_found():
    """ReLU: the trace reaches D − F directions and every law found is orthogonal to all it drew, so the found
    laws are all the laws (status "all found"); identity activation: the Gram laws off the diagonal are missed."""
    model, x = _mlp(nn.ReLU())
    r = count_module_laws(model, x)
    assert r["status"] == "all found" and r["rank"] == r["D"] - r["found_independent"] and r["law_overlap"] < 1e-10
    assert any("target" in lv.get("stopped", "") for lv in r["levels"])
    model, x = _mlp(nn.Identity())
    from conslaw.verification.nn.laws import find_laws

    r = count_module_laws(model, x, inventory=find_laws(model, example_inputs=(x,), search=False))  # patterns only
    assert r["status"] == "missed" and r["missed"] == 4 * 5 // 2 - 4


def test_laws_that_do_not_hold_for_the_loss_are_refuted_not_counted():
    """Column sums are laws of the cross-entropy only: under the square loss they lean on the fields, are named in
    ``refuted``, and the count (the formula's r = 4 rescale laws) is not bounded by them."""
    from conslaw.verification.nn.laws import find_laws

    model, x = _mlp(nn.ReLU())
    r = count_module_laws(model, x, loss="mse")
    assert r["laws"] == 4 and r["found_independent"] == 4 and r["status"] == "all found"
    assert len(r["refuted"]) == 1 and r["refuted"][0].startswith("column_sum laws of 2: refuted on the example inputs")
    inventory = find_laws(model, example_inputs=(x,), search=False)  # found for the cross-entropy: the fields refute
    r = count_module_laws(model, x, loss="mse", inventory=inventory)
    assert r["laws"] == 4 and r["found_independent"] == 4
    assert len(r["refuted"]) == 1 and r["refuted"][0].startswith("column_sum laws of 2: 5 of 5")


class _Normed(nn.Module):
    def __init__(self, norm):
        super().__init__()
        self.a, self.norm, self.b = nn.Linear(3, 4), norm, nn.Linear(4, 3)

    def forward(self, x):
        return self.b(torch.relu(self.norm(self.a(x))))


@pytest.mark.parametrize("norm", [lambda: nn.LayerNorm(4), lambda: nn.RMSNorm(4), lambda: nn.BatchNorm1d(4)])
def test_composite_norms_give_exact_higher_brackets(norm):
    """The count runs normalisations as composite formulas (composite_ops): their values equal torch's, and the
    laws found stay orthogonal (to 1e-12) to brackets of depth 3, which go through third derivatives."""
    import torch.nn.functional as F

    from conslaw.verification.nn.count import _unit_rows, module_map
    from conslaw.verification.nn.laws import find_laws
    from conslaw.verification.nn.laws.inventory import law_gradients
    from conslaw.verification.nn.ops import CompositeOps
    from conslaw.verification.numeric.random_trace import left_normed

    torch.manual_seed(1)
    model = _Normed(norm()).double().train()
    x = torch.randn(12, 3, dtype=torch.float64)
    with torch.no_grad():
        plain = model(x)
        with CompositeOps():
            assert torch.allclose(model(x), plain, rtol=0, atol=1e-12)
            assert torch.allclose(F.hardswish(x), nn.Hardswish()(x), rtol=0, atol=0)
    inv = find_laws(model, example_inputs=(x,))
    assert inv.count > 0
    theta, names, g = module_map(model, x, batch_norm_eps=0.0)  # the scale laws hold exactly at eps = 0
    unit = _unit_rows(law_gradients(inv.groups, model, names, theta))
    coeffs = torch.randn((4, 3, g(theta).shape[0]), generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    brackets = torch.func.vmap(lambda a: left_normed(g, a)(theta))(coeffs)
    assert float((_unit_rows(brackets) @ unit.T).abs().max()) < 1e-12
    r = count_module_laws(model, x, inventory=inv)
    assert r["status"] in ("all found", "missed") and r["law_overlap"] < 1e-10


class _PixelMLP(nn.Module):
    """A 1×1-convolution net: the MLP 3 → 4 → 3 applied at every pixel, classes on axis 1 of (N, C, H, W) (or
    last, with ``classes_last``)."""

    def __init__(self, classes_last: bool = False):
        super().__init__()
        self.a, self.b, self.classes_last = nn.Conv2d(3, 4, 1), nn.Conv2d(4, 3, 1), classes_last

    def forward(self, x):
        out = self.b(torch.relu(self.a(x)))
        return out.permute(0, 2, 3, 1) if self.classes_last else out


def test_cross_entropy_uses_torchs_class_axis():
    """Per pixel this is the MLP 3 → 4 → 3: 4 rescale laws and the 4 + 1 column sums of the output layer (Prop.
    3.11), wherever the classes sit, provided the count centres along the class axis (torch's: axis 1)."""
    torch.manual_seed(0)
    model = _PixelMLP().double()
    x = torch.randn(4, 3, 3, 3, dtype=torch.float64)
    assert count_module_laws(model, x)["laws"] == 4 + 5
    last = _PixelMLP(classes_last=True).double()
    last.load_state_dict(model.state_dict())
    assert count_module_laws(last, x, class_dim=-1)["laws"] == 4 + 5
    with pytest.raises(Exception, match="class_dim 7"):
        count_module_laws(model, x, class_dim=7)


def test_frozen_parameters_are_constants():
    """With the first layer frozen only the last layer moves: its 4 + 1 column sums are the laws (D = 15); the
    rescale laws would need the frozen layer to move."""
    model, x = _mlp(nn.ReLU())
    for p in model[0].parameters():
        p.requires_grad_(False)
    r = count_module_laws(model, x)
    assert r["D"] == 4 * 3 + 3
    assert r["laws"] == 5


def test_the_rank_below_the_deciding_tolerance_counts_only_above_the_noise_floor():
    """Ten unit values spanning ten directions, the tenth only by 1e-11 (a bracket nearly in the span of the fields):
    its singular value, about 7e-12, is a direction when the noise floor ε·√rows is a hundred times smaller, and is
    not when ε is 1e-12 (then it may be rounding)."""
    from conslaw.verification.nn.count import _fine_rank
    from conslaw.verification.numeric.rank import numerical_rank

    eye = torch.eye(20, dtype=torch.float64)
    rank = numerical_rank(torch.cat([eye[:9], (eye[0] + 1e-11 * eye[9])[None]]))
    assert rank.rank == 9  # the deciding tolerance (1e-8 relative) misses the tenth
    met, note = _fine_rank(rank, 10, 1e-16)
    assert met and "10-th singular value" in note
    assert _fine_rank(rank, 10, 1e-12) == (False, "")
    assert _fine_rank(rank, 11, 1e-16) == (False, "")  # fewer values drawn than the goal
