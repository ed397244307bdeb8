"""Proofs beyond polynomials (issue 25): the attention model's and the cross-entropy layer's own fields in ball
arithmetic, the proven rank lower bound, its certificate and the independent checker.

Independent code paths: torch's autograd (float64) for the field and bracket values; the checker's forward
differentiation of the model for the minor; φ's exact certified count for the expected rank; for the classification
layer, the column sums of its fields (zero: Σ p = Σ y = 1), which cap its rank at (K − 1)(n + bias)."""
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
from conslaw.verification.numeric.models import attention_model, softmax_model
from conslaw.verification.proofs.attention_ball import AttentionShape
from conslaw.verification.proofs.ball_fields import bracket_value, field_value
from conslaw.verification.proofs.ball_rank import ball_model, certified_rank, model_rank_report, precision, row_values
from conslaw.verification.proofs.certificate import build_certificate
from conslaw.verification.proofs.softmax_ball import SoftmaxShape

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
    g, D = attention_model(d, dk, dv, heads)
    assert D == shape.D

    def scalar(i):
        X = torch.tensor([[float(v) for v in r] for r in pairs[i][0]], dtype=torch.float64)
        W = torch.tensor([[float(v) for v in r] for r in pairs[i][1]], dtype=torch.float64).reshape(-1)
        return lambda t: (W * g(t, X)).sum()

    _balls_match_torch(shape, point, pairs, scalar)


def _balls_match_torch(model, point: list, data: list, scalar) -> None:
    """The field of ``data[0]`` and the bracket [X_0, X_1], in balls at 128 bits, against torch's autograd of the
    fields' scalars (``scalar(i)``: θ ↦ f_i): midpoints within 1e-8 relative, radii below 1e-20 relative."""
    with precision(128):
        theta = [flint.arb(flint.fmpq(t.numerator, t.denominator)) for t in point]
        field, bracket = field_value(model, theta, data[0]), bracket_value(model, theta, data[0], data[1])
    tt = torch.tensor([float(t) for t in point], dtype=torch.float64)
    ga, gb = (torch.func.grad(scalar(i))(tt) for i in range(2))
    expected = (torch.func.jvp(torch.func.grad(scalar(1)), (tt,), (ga,))[1]
                - torch.func.jvp(torch.func.grad(scalar(0)), (tt,), (gb,))[1])
    for balls, ref in ((field, ga), (bracket, expected)):
        scale = float(ref.abs().max())
        assert max(abs(float(b.mid()) - float(r)) for b, r in zip(balls, ref)) < 1e-8 * scale
        assert max(float(b.rad()) for b in balls) < 1e-20 * scale  # 128 bits: tight balls


@pytest.mark.parametrize("d, dk, dv, heads, tokens", SHAPES)
def test_the_model_rank_meets_phi_and_the_checker_agrees(d, dk, dv, heads, tokens):
    phi = _phi_laws(d, dk, dv, heads, tokens)
    report = model_rank_report(AttentionShape(d, dk, dv, heads, tokens), phi_laws=phi)
    assert report["proven_full"] and report["rank"] == report["D"] - phi and report["model_laws"] == phi
    cert = json.loads(json.dumps(report["certificate"]))
    checked = check_certificate(cert)
    assert checked.ok, checked.failures
    assert checked.verdict == {"status": "rank at least", "rank": report["rank"]}


def test_one_token_is_not_proven_and_says_so():
    """N = 1: softmax of one entry is 1, so the model has only V and O's fields: the proven rank stays below
    D − N_φ and no count is claimed."""
    report = model_rank_report(AttentionShape(2, 1, 1, 1, 1), phi_laws=_phi_laws(2, 1, 1, 1, 1))
    assert not report["proven_full"] and report["rank"] < report["target"] and report["model_laws"] is None


@pytest.fixture(scope="module")
def cert():
    return json.loads(json.dumps(model_rank_report(AttentionShape(3, 2, 1, 1, 2), phi_laws=4)["certificate"]))


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

    _rows_agree(AttentionShape(d, dk, dv, heads, tokens), checker._Shape(d, dk, dv, heads, tokens),
                _phi_laws(d, dk, dv, heads, tokens))


def _rows_agree(model, checker_model, phi_laws: int) -> None:
    from conslaw.verification.checker import ball as checker

    cert = model_rank_report(model, phi_laws=phi_laws)["certificate"]
    with precision(128):
        point = [Fraction(v) for v in cert["point"]]
        theta = [checker._ball(q) for q in point]
        for mine in _parsed(cert):
            kind = "field" if "field" in mine else "bracket"
            theirs = checker._row_entries(checker_model, theta, checker._balls((kind, mine[kind])), cert["columns"])
            ours = row_values(model, point, [_as_data(model, mine)])[0]
            scale = max(abs(float(v.mid())) for v in ours) or 1.0
            assert max(abs(float((t - ours[c]).mid())) for t, c in zip(theirs, cert["columns"])) < 1e-20 * scale


def _as_data(model, row: dict) -> dict:
    """A certificate row's matrices as the producer's data (the classification layer's z and y are plain lists)."""
    def data(d):
        return tuple(m[0] for m in d) if isinstance(model, SoftmaxShape) else d

    if "field" in row:
        return {"field": data(row["field"])}
    return {"bracket": tuple(data(d) for d in row["bracket"])}


# --- the cross-entropy classification layer (Prop. 3.11, eq. (20)) -------------------------------------------------

SOFTMAX_SHAPES = [(3, 4, False), (2, 3, True), (1, 2, False), (4, 2, True), (1, 3, True)]


@pytest.mark.parametrize("n, K, bias", SOFTMAX_SHAPES[:3])
def test_softmax_field_and_bracket_balls_contain_torch_values(n, K, bias):
    """The cross-entropy gradients of one sample and their bracket, in balls, against torch's autograd of
    logsumexp(u) − ⟨y, u⟩ (float64)."""
    rng = random.Random(n * 10 + K)
    rat = lambda: Fraction(rng.randint(-9, 9), rng.randint(1, 5))  # noqa: E731
    model = SoftmaxShape(n, K, bias)
    point = [rat() for _ in range(model.D)]
    samples = []
    for _ in range(2):
        w = [rng.randint(1, 7) for _ in range(K)]
        samples.append(([rat() for _ in range(n)], [Fraction(v, sum(w)) for v in w]))
    g, D = softmax_model(n, K, bias)
    assert D == model.D

    def scalar(i):
        sample = torch.tensor([float(v) for v in samples[i][0] + samples[i][1]], dtype=torch.float64)
        return lambda t: g(t, sample)

    _balls_match_torch(model, point, samples, scalar)


@pytest.mark.parametrize("n, K, bias", SOFTMAX_SHAPES)
def test_softmax_model_rank_is_proven_and_no_higher(n, K, bias):
    """Prop. 3.11 on instances: the model's own rank is proven ≥ (K − 1)(n + bias) = D − N_φ, N_φ from φ's exact
    certificate and from the paper's formula n (+ 1); a rank one higher cannot be proven, because every row's column
    sums (and the bias part's sum) contain 0 — the independent reason the model has at least the column-sum laws."""
    from conslaw.algebra import softmax_layer

    verdict = build_certificate(softmax_layer(n, K, bias=bias))["verdict"]
    assert verdict["status"] == "proven" and verdict["laws"] == n + int(bias)
    model = ball_model("softmax", (n, K), bias)
    report = model_rank_report(model, phi_laws=verdict["laws"])
    assert report["proven_full"] and report["rank"] == (K - 1) * (n + int(bias)) == model.D - verdict["laws"]
    checked = check_certificate(json.loads(json.dumps(report["certificate"])))
    assert checked.ok and checked.verdict == {"status": "rank at least", "rank": report["rank"]}
    over = certified_rank(model, report["rank"] + 1)
    assert not over["proven_full"] and over["rank"] == report["rank"]
    with precision(128):
        for row in row_values(model, report["point"], [_as_data(model, r) for r in _parsed(report["certificate"])]):
            for j in range(n + int(bias)):
                assert sum((row[k * n + j] if j < n else row[K * n + k] for k in range(K)), flint.arb(0)).contains(0)


def _parsed(cert: dict) -> list[dict]:
    def fractions(m):
        return [[Fraction(v) for v in r] for r in m]

    return [{"field": tuple(fractions(m) for m in r["field"])} if "field" in r else
            {"bracket": tuple(tuple(fractions(m) for m in p) for p in r["bracket"])} for r in cert["rows"]]


@pytest.mark.parametrize("n, K, bias", SOFTMAX_SHAPES[:2])
def test_the_checkers_softmax_rows_match_the_producers(n, K, bias):
    from conslaw.algebra import softmax_layer
    from conslaw.verification.checker import ball as checker

    laws = build_certificate(softmax_layer(n, K, bias=bias))["verdict"]["laws"]
    _rows_agree(SoftmaxShape(n, K, bias), checker._Classifier(n, K, bias), laws)


@pytest.fixture(scope="module")
def softmax_cert():
    return json.loads(json.dumps(model_rank_report(SoftmaxShape(2, 3, True), phi_laws=3)["certificate"]))


def test_a_label_that_is_not_a_distribution_is_refused(softmax_cert):
    """A label summing to 2 makes a field outside the model's algebra (its column sums are z, not 0): a rank proven
    from it would prove nothing about the model, so the checker refuses it by name."""
    bad = copy.deepcopy(softmax_cert)
    field = next(r["field"] for r in bad["rows"] if "field" in r)
    field[1][0] = [str(2 * Fraction(v)) for v in field[1][0]]
    with pytest.raises(CertificateFormatError, match="probability vector"):
        check_certificate(bad)
    negative = copy.deepcopy(softmax_cert)
    field = next(r["field"] for r in negative["rows"] if "field" in r)
    y = [Fraction(v) for v in field[1][0]]
    field[1][0] = [str(y[0] + 1), str(y[1] - 1)] + [str(v) for v in y[2:]]
    with pytest.raises(CertificateFormatError, match="probability vector"):
        check_certificate(negative)


def test_a_softmax_certificate_read_with_another_shape_is_refused(softmax_cert):
    bad = copy.deepcopy(softmax_cert)
    bad["architecture"]["classes"] = 4
    with pytest.raises(CertificateFormatError, match="1 x 4 list of rationals|must hold"):
        check_certificate(bad)
    bad = copy.deepcopy(softmax_cert)
    bad["architecture"]["classes"] = 1
    with pytest.raises(CertificateFormatError, match="architecture classes"):
        check_certificate(bad)


def test_cli_certify_rank_on_the_classification_layer(tmp_path, capsys):
    """``count softmax n K --numeric --model --certify-rank``: the float count from the per-sample cross-entropy
    gradients equals Prop. 3.11's n + 1, and the rank (K − 1)(n + 1) is proven in balls and re-checked."""
    from conslaw.verification.checker import check_file
    from conslaw.verification.cli import run

    path = tmp_path / "rank.json"
    assert run(["count", "softmax", "3", "4", "--bias", "--numeric", "--model", "--certify-rank", "--json",
                "--certificate", str(path), "--no-progress"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["laws"] == 3 + 1 and report["rank"] == 3 * 4
    assert report["certified_rank"]["rank_at_least"] == 12 and report["certified_rank"]["proven"]
    assert check_file(str(path)).ok


@pytest.mark.parametrize("argv, message", [
    (["count", "softmax", "3", "--numeric", "--model", "--certify-rank"], "softmax takes two sizes"),
    (["count", "softmax", "30", "20", "--bias", "--numeric", "--model", "--certify-rank"], "limit of 400"),
    (["count", "attention", "--d", "2", "--numeric", "--model", "--certify-rank"], "missing: dk, dv"),
    (["count", "softmax", "3", "1", "--numeric", "--model", "--certify-rank"], "K >= 2"),
    (["count", "softmax", "3", "--numeric", "--model"], "softmax takes two sizes"),
])
def test_certify_rank_refuses_bad_shapes_before_counting(argv, message, capsys):
    """One readable line and exit 2, before any float count is run (a D over the checker's limit included)."""
    from conslaw.verification.cli import run

    assert run(argv + ["--no-progress"]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1 and not captured.out
