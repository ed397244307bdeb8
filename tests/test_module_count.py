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
from conslaw.verification.module_count import count_module_laws  # noqa: E402


def _mlp(act, n=3, r=4, k=3):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(n, r), act, nn.Linear(r, k)).double(), torch.randn(30, n, dtype=torch.float64)


@pytest.mark.parametrize("act, hidden_laws, recognised", [
    (nn.ReLU(), 4, 4),                  # one rescale law per hidden neuron, all recognised
    (nn.GELU(), 0, 0),                  # not homogeneous: no hidden law
    (nn.Identity(), 4 * 5 // 2, 4),     # linear: r(r+1)/2 Gram laws; the matcher knows the r diagonal ones
])
def test_numerical_count_against_the_pattern_matcher(act, hidden_laws, recognised):
    model, x = _mlp(act)
    r = count_module_laws(model, x)
    column_sums = 4 + 1
    assert r["laws"] == hidden_laws + column_sums
    assert r["found_independent"] == recognised + column_sums
    assert r["missed"] == hidden_laws - recognised
    assert r["evidence"]["status"] == "plateau"


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
