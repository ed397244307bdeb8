"""Proofs beyond polynomials (issue 25): the attention model's own fields in ball arithmetic, the proven rank lower
bound, its certificate and the independent checker.

Independent code paths: torch's autograd (float64) for the field and bracket values; the checker's forward
differentiation of the model for the minor; φ's exact certified count for the expected rank."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction

import flint
import pytest
import torch
from conftest import first_failure

from conslaw.algebra import attention_layer
from conslaw.verification.checker import CertificateFormatError, check_certificate
from conslaw.verification.numeric.models import attention_model
from conslaw.verification.proofs.attention_ball import AttentionShape, bracket_value, field_value
from conslaw.verification.proofs.ball_rank import model_rank_report
from conslaw.verification.proofs.certificate import build_certificate

SHAPES = [(2, 1, 1, 1, 2), (3, 2, 1, 2, 3), (2, 2, 2, 3, 2)]


def _phi_laws(d, dk, dv, heads, tokens) -> int:
    verdict = build_certificate(attention_layer(d, dk, dv, heads=heads, tokens=tokens))["verdict"]
    assert verdict["status"] == "proven"
    return verdict["laws"]


@pytest.mark.parametrize("d, dk, dv, heads, tokens", SHAPES)
def test_field_and_bracket_balls_contain_torch_values(d, dk, dv, heads, tokens):
    """The balls' midpoints agree with torch's autograd (float64) to 1e-8 relative, for a field and a bracket."""
    rng = random.Random(d * 100 + dk * 10 + dv)
    rat = lambda: Fraction(rng.randint(-9, 9), rng.randint(1, 5))  # noqa: E731
    shape = AttentionShape(d, dk, dv, heads, tokens)
    point = [rat() for _ in range(shape.D)]
    pairs = [([[rat() for _ in range(d)] for _ in range(tokens)], [[rat() for _ in range(d)] for _ in range(tokens)])
             for _ in range(2)]
    flint.ctx.prec = 128
    try:
        theta = [flint.arb(flint.fmpq(t.numerator, t.denominator)) for t in point]
        field, bracket = field_value(shape, theta, *pairs[0]), bracket_value(shape, theta, pairs[0], pairs[1])
    finally:
        flint.ctx.prec = 53
    g, D = attention_model(d, dk, dv, heads)
    assert D == shape.D
    tt = torch.tensor([float(t) for t in point], dtype=torch.float64)

    def grad(i):
        X = torch.tensor([[float(v) for v in r] for r in pairs[i][0]], dtype=torch.float64)
        W = torch.tensor([[float(v) for v in r] for r in pairs[i][1]], dtype=torch.float64).reshape(-1)
        return lambda th: torch.func.grad(lambda t: (W * g(t, X)).sum())(th)

    ga, gb = grad(0)(tt), grad(1)(tt)
    expected = torch.func.jvp(grad(1), (tt,), (ga,))[1] - torch.func.jvp(grad(0), (tt,), (gb,))[1]
    for balls, ref in ((field, ga), (bracket, expected)):
        scale = float(ref.abs().max())
        assert max(abs(float(b.mid()) - float(r)) for b, r in zip(balls, ref)) < 1e-8 * scale
        assert max(float(b.rad()) for b in balls) < 1e-20 * scale  # 128 bits: tight balls


@pytest.mark.parametrize("d, dk, dv, heads, tokens", SHAPES)
def test_the_model_rank_meets_phi_and_the_checker_agrees(d, dk, dv, heads, tokens):
    phi = _phi_laws(d, dk, dv, heads, tokens)
    report = model_rank_report(d, dk, dv, heads, tokens, phi_laws=phi)
    assert report["proven_full"] and report["rank"] == report["D"] - phi and report["model_laws"] == phi
    cert = json.loads(json.dumps(report["certificate"]))
    checked = check_certificate(cert)
    assert checked.ok, checked.failures
    assert checked.verdict == {"status": "rank at least", "rank": report["rank"]}


def test_one_token_is_not_proven_and_says_so():
    """N = 1: softmax of one entry is 1, so the model has only V and O's fields: the proven rank stays below
    D − N_φ and no count is claimed."""
    report = model_rank_report(2, 1, 1, 1, 1, phi_laws=_phi_laws(2, 1, 1, 1, 1))
    assert not report["proven_full"] and report["rank"] < report["target"] and report["model_laws"] is None


@pytest.fixture(scope="module")
def cert():
    return json.loads(json.dumps(model_rank_report(3, 2, 1, 1, 2, phi_laws=4)["certificate"]))


def test_a_repeated_row_is_rejected(cert):
    bad = copy.deepcopy(cert)
    bad["rows"][-1] = copy.deepcopy(bad["rows"][0])
    assert "contains 0" in first_failure(bad)


def test_rows_of_another_architecture_are_refused(cert):
    """The rows' inputs are N × d: the same certificate read as a model with one more token is refused by name."""
    bad = copy.deepcopy(cert)
    bad["architecture"]["tokens"] = 3
    with pytest.raises(CertificateFormatError, match="3 x 3 list of rationals"):
        check_certificate(bad)


@pytest.mark.parametrize("mutate, message", [
    (lambda c: c.update(rank=c["rank"] + 1), "must list"),
    (lambda c: c.update(columns=[0] * len(c["columns"])), "distinct"),
    (lambda c: c.update(precision=10**6), "precision"),
    (lambda c: c["point"].__setitem__(0, "__import__('os')"), "point"),
    (lambda c: c["architecture"].update(d=10**4), "architecture d"),
])
def test_malformed_certificates_are_refused_with_a_reason(cert, mutate, message):
    bad = copy.deepcopy(cert)
    mutate(bad)
    with pytest.raises(CertificateFormatError, match=message):
        check_certificate(bad)


def test_one_more_law_than_the_truth_fails_with_its_counterexample():
    """A scratch claim that 2-head attention (d = 2, d' = d'' = 1) has one law more than the per-head ones:
    the model's rank, proven in ball arithmetic, leaves at most 4 laws, so the claim of 5 fails, with the point."""
    from conslaw.verification.catalogue.formulas import multihead_per_head
    from conslaw.verification.catalogue.run import run_catalogue
    from conslaw.verification.catalogue.theorems import Expectation, Instance, Result

    inst = Instance("attention", options=(("d", 2), ("dk", 1), ("dv", 1), ("heads", 2)))
    truth = multihead_per_head(inst)
    wrong = Result("scratch:multihead-one-more", "tc25", "one law more (false)", "-", "-", "model_rank", "ball",
                   "a count outside the proven bounds", instances=(inst,),
                   formula=lambda i: Expectation(truth.laws + 1, True, "claimed"))
    report = run_catalogue([wrong])
    entry = report["results"][0]
    assert entry["status"] == "fails" and not report["all_hold"]
    example = entry["instances"][0]["counterexample"]
    assert example["claimed"] == truth.laws + 1 == 5 and example["model_laws"] == "4..4"
    assert example["D"] == 16 and example["model_rank_at_least"] == 12 and len(example["point"]) == 16


def test_cli_certify_rank_proves_the_numerical_rank(tmp_path, capsys):
    """``count attention --numeric --model --certify-rank``: the float rank, then the same rank proven at a rational
    point in ball arithmetic, its certificate written and re-checked; the flag refused where it has no meaning."""
    from conslaw.verification.checker import check_file
    from conslaw.verification.cli import run

    path = tmp_path / "rank.json"
    assert run(["count", "attention", "--d", "2", "--dk", "1", "--dv", "1", "--numeric", "--model", "--certify-rank",
                "--certificate", str(path), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "rank certified: dim Lie(model)(theta_0) >= 6 at a seeded rational point" in text
    assert "at most 2 laws, proven" in text and "verified by the independent checker" in text
    assert check_file(str(path)).ok
    assert run(["count", "relu", "2", "2", "2", "--numeric", "--certify-rank"]) == 2
    assert "--certify-rank goes with --numeric --model on attention" in capsys.readouterr().err


@pytest.mark.parametrize("d, dk, dv, heads, tokens", SHAPES[:2])
def test_the_checkers_forward_rows_match_the_producers(d, dk, dv, heads, tokens):
    """The checker's forward differentiation and the producer's reverse pass give the same balls' midpoints (to
    1e-20 relative at 128 bits) for every row of a certificate — so a wrong checker cannot pass for a right one."""
    from conslaw.verification.checker import ball as checker
    from conslaw.verification.proofs.ball_rank import precision, row_values

    report = model_rank_report(d, dk, dv, heads, tokens, phi_laws=_phi_laws(d, dk, dv, heads, tokens))
    cert = report["certificate"]
    shape = checker._Shape(d, dk, dv, heads, tokens)

    def fractions(m):
        return [[Fraction(v) for v in row] for row in m]

    with precision(128):
        point = [Fraction(v) for v in cert["point"]]
        theta = [checker._ball(q) for q in point]
        for row in cert["rows"]:
            if "field" in row:
                parsed = ("field", tuple(fractions(m) for m in row["field"]))
                mine = {"field": parsed[1]}
            else:
                parsed = ("bracket", tuple(tuple(fractions(m) for m in p) for p in row["bracket"]))
                mine = {"bracket": parsed[1]}
            theirs = checker._row_entries(shape, theta, checker._balls(parsed), cert["columns"])
            ours = row_values(AttentionShape(d, dk, dv, heads, tokens), point, [mine])[0]
            scale = max(abs(float(v.mid())) for v in ours) or 1.0
            assert max(abs(float((t - ours[c]).mid())) for t, c in zip(theirs, cert["columns"])) < 1e-20 * scale
