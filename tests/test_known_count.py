"""``count --known N``: stop as soon as the rank reaches D − N, prove the count with N verified stated laws, or say
that the claim is not proven or refuted (issue 24, item 3).  Expected counts from the papers' formulas: one law per
hidden ReLU neuron, h(h + 1)/2 for a two-layer linear net with h ≤ min(n, m)."""
from __future__ import annotations

import io
import json

import pytest

from conslaw.algebra import build_architecture, lie_trace
from conslaw.algebra.errors import ShapeError
from conslaw.verification.cli import run
from conslaw.verification.proofs.counting import count_laws


def cli(*args):
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def test_the_trace_stops_at_the_target_rank():
    gens = build_architecture("linear", [3, 2, 3]).generators()
    full = lie_trace(gens, seed=1)
    assert full.status == "converged" and full.rank == 12 - 3
    early = lie_trace(gens, seed=1, target_rank=8)  # one below the closure: mid-level 1
    assert early.status == "target" and 8 <= early.rank <= 9
    assert sum(lv.examined for lv in early.levels) < sum(lv.examined for lv in full.levels)


@pytest.mark.parametrize("arch, widths, laws", [("relu", [3, 3, 3], 3), ("relu", [2, 4, 3], 4),
                                                ("linear", [3, 2, 3], 3), ("linear", [2, 2, 2], 3)])
def test_the_formula_count_is_confirmed(arch, widths, laws):
    _, result, report = count_laws(arch, widths, known=laws)
    assert report["known"]["outcome"] == "confirmed" and report["laws"] == laws
    assert result.status in ("target", "converged", "full_rank")


def test_a_wrong_claim_is_refuted_with_the_true_count():
    _, _, fewer = count_laws("relu", [3, 3, 3], known=2)  # the trace closes at rank 15: 3 laws
    assert fewer["known"]["outcome"] == "refuted" and fewer["laws"] == 3
    _, _, more = count_laws("relu", [3, 3, 3], known=4)  # rank 15 > 14 and 3 verified laws: exactly 3
    assert more["known"]["outcome"] == "refuted" and more["laws"] == 3


def test_without_stated_laws_the_claim_is_bounded_not_counted(tmp_path):
    path = tmp_path / "so3.txt"
    path.write_text("parameters: x y z\nfield: y, -x, 0\nfield: 0, z, -y\n")
    code, text = cli("count", "--fields", str(path), "--known", "1", "--json")
    report = json.loads(text)
    assert code == 1 and report["laws"] is None and report["laws_at_most"] == 1 and report["laws_at_least"] == 0
    assert report["known"]["outcome"] == "not proven"
    path.write_text(path.read_text() + "law: x**2 + y**2 + z**2\nlaw: x*y\n")  # one true law, one false
    code, text = cli("count", "--fields", str(path), "--known", "1")
    assert code == 0 and "CONFIRMED" in text and "REFUTED stated law (not conserved, not counted): x*y" in text


def test_cli_known(capsys):
    code, text = cli("count", "relu", "3", "3", "3", "--known", "3")
    assert code == 0 and "CONFIRMED" in text and "D - rank = 18 - 15 = 3" in text
    code, text = cli("count", "relu", "3", "3", "3", "--known", "2")
    assert code == 1 and "REFUTED" in text
    for args in (["count", "relu", "3", "3", "3", "--known", "99"], ["count", "relu", "3", "3", "--known", "1",
                                                                     "--numeric"]):
        code, _ = cli(*args)
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "--known" in err


def test_known_out_of_range_is_refused():
    with pytest.raises(ShapeError, match="between 0 and D"):
        count_laws("relu", [2, 2, 2], known=-1)
