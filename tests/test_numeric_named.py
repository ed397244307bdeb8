"""``count --numeric --named`` (issue 25, item 5): the trace grown from the generators themselves, every kept
direction named.  The names are checked by rebuilding each named bracket from scratch with torch and taking the rank
of the kept fields: it must be the reported rank — so a name that does not match its direction is caught."""
from __future__ import annotations

import json
import re

import pytest
import torch

from conslaw.verification.cli import run
from conslaw.verification.numeric.counting import count_laws_numerically
from conslaw.verification.numeric.fields import bracket, family_from_map, family_row
from conslaw.verification.numeric.phi import numeric_map
from conslaw.verification.numeric.trace import numeric_lie_trace


def _field(name: str, G):
    """The field a name denotes: ``X3`` is row 3 of G, ``[X3, Y]`` the bracket [X3, Y]."""
    m = re.fullmatch(r"X(\d+)", name)
    if m:
        return family_row(G, int(m.group(1)))
    inner = re.fullmatch(r"\[X(\d+), (.*)\]", name)
    assert inner, name
    return bracket(family_row(G, int(inner.group(1))), _field(inner.group(2), G))


@pytest.mark.parametrize("arch, widths, expected", [
    ("linear", (2, 2, 2), 3),  # r(r+1)/2 with r = 2 (Theorem 3.4)
    ("linear", (3, 2, 1), 3),
    ("relu", (2, 3, 1), 3),  # one law per hidden neuron (Prop. 3.5)
])
def test_the_named_brackets_rebuild_the_rank(arch, widths, expected):
    report = count_laws_numerically(arch, widths, named=True)
    assert report["growth"] == "named" and report["laws"] == expected
    for lv in report["levels"]:  # each level's own SVD decision agrees with the directions kept, with a clear gap
        cut = min(lv["rank_by_svd"], 3)
        sv = lv["singular_values_near_the_cut"]
        assert lv["rank_by_svd"] == lv["rank_after"] and min(sv[:cut]) > 1e-3 and max(sv[cut:], default=0) < 1e-12
    assert not any("falls between levels" in note for note in report["notes"])
    kept = [name for lv in report["levels"] for name in lv.get("kept", [])]
    assert len(kept) == report["rank"] == report["levels"][-1]["rank_after"]
    assert any(name.startswith("[") for name in kept) == (arch == "linear")  # ReLU's φ closes at level 0
    phi = numeric_map(arch, widths)
    G = family_from_map(phi.phi)
    theta = torch.randn(phi.dim, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    values = torch.stack([_field(name, G)(theta) for name in kept])
    assert int(torch.linalg.matrix_rank(values)) == report["rank"]
    used = {f"X{k}" for name in kept for k in re.findall(r"X(\d+)", name)}
    assert set(report["generators"]) == used and all(v.startswith("grad of phi's component") for v in
                                                      report["generators"].values())


def test_named_model_fields_and_text(capsys):
    assert run(["count", "softmax", "2", "3", "--bias", "--numeric", "--model", "--named", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "kept: X0, X1, X2" in text and "X0 = grad of the cross-entropy on sample 0" in text
    assert "independent conservation laws: D - rank = 9 - 6 = 3" in text


@pytest.mark.parametrize("argv, message", [
    (["count", "linear", "2", "2", "2", "--named"], "--named go with --numeric"),
    (["count", "linear", "40", "40", "--numeric", "--named"], "over its limit of 1000"),
    (["count", "linear", "2", "2", "2", "--numeric", "--named", "--time-limit", "5"], "not with --named"),
    (["count", "relu", "2", "2", "2", "--numeric", "--certify-rank"], "--modular"),
])
def test_named_and_certify_rank_are_refused_where_they_do_not_apply(argv, message, capsys):
    assert run(argv + ["--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_named_json_lists_levels_with_names(capsys):
    assert run(["count", "linear", "2", "2", "2", "--numeric", "--named", "--json", "--no-progress"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["levels"][1]["kept"] and report["levels"][0]["kept"] == ["X0", "X1", "X2", "X3"]


@pytest.mark.parametrize("arch, widths", [("linear", (3, 3, 3)), ("linear", (2, 3, 2)), ("linear", (2, 2, 2, 2))])
def test_each_name_rebuilds_its_kept_value(arch, widths):
    """Every kept field, rebuilt from its name alone, has the value the growth kept (float64, 1e-9 relative)."""
    phi = numeric_map(arch, widths)
    G = family_from_map(phi.phi)
    theta = torch.randn(phi.dim, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    result = numeric_lie_trace(G, theta, name_kept=True)
    assert len(result.kept) == result.levels[-1]["rank_after"] and any(n.startswith("[") for n, _ in result.kept)
    for name, value in result.kept:
        rebuilt = _field(name, G)(theta)
        assert torch.allclose(rebuilt, value, rtol=1e-9, atol=1e-9 * float(value.abs().max())), name
