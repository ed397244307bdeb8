"""Certificates: they verify, the verdict follows the numbers, and every kind of tampering is caught."""
from __future__ import annotations

import copy
import io
import json

import pytest

from conslaw.algebra import ParameterSpace, linear_network, to_polynomial
from conslaw.verification.checker import CertificateFormatError, check_certificate, check_file
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import build_certificate, certify, polynomial_record, write_certificate


@pytest.fixture(scope="module")
def relu_cert():
    return certify("relu", [3, 2, 3], bias=True)


@pytest.mark.parametrize("arch,widths,bias,expected", [
    ("relu", [3, 2, 3], True, 2),
    ("relu", [2, 3, 2], False, 3),
    ("relu", [2, 2, 2, 2], True, 4),
    ("linear", [2, 3, 2], False, 6),
    ("linear", [3, 2, 3], False, 3),
    ("linear", [2, 2, 2, 2], False, 6),
])
def test_certificates_prove_the_paper_counts(arch, widths, bias, expected):
    cert = certify(arch, widths, bias=bias)
    report = check_certificate(cert)
    assert report.ok, report.failures
    assert cert["verdict"]["status"] == "proven" and cert["verdict"]["laws"] == expected
    assert report.verdict == {"status": "proven", "laws": expected}


def test_bounded_verdict_when_the_numbers_do_not_meet():
    """Widths (2, 2, 2) searched at degree 1 only: rank 5, D = 8, and no law of degree 1 — the certificate only
    bounds the count, between 0 and 3."""
    a = linear_network([2, 2, 2])
    cert = build_certificate(a, degree=1)
    assert cert["verdict"]["status"] == "bounded"
    assert (cert["verdict"]["lower"], cert["verdict"]["upper"]) == (0, 3)
    assert "count bounded between 0 and 3" in cert["verdict"]["text"]
    assert check_certificate(cert).ok


def test_one_generator_proves_d_minus_one_by_the_flow_box_theorem():
    """Widths (1, 2, 2, 1): φ is one function, so one generator, nonzero at the point: D − 1 = 7 laws near it
    (flow-box theorem), although only 6 of them have degree ≤ 2 (before this rule: bounded between 6 and 7)."""
    a = linear_network([1, 2, 2, 1])
    cert = build_certificate(a, degree=2)
    assert cert["verdict"]["status"] == "proven" and cert["verdict"]["laws"] == a.dim - 1 == 7
    assert len(cert["laws"]) == 6 and "flow-box theorem; 6 of them written out" in cert["verdict"]["text"]
    assert check_certificate(cert).ok


def _record(cert, text):
    """A version-2 polynomial record of ``text`` in the certificate's parameters."""
    return polynomial_record(to_polynomial(ParameterSpace(cert["parameters"]), text, "test"))


def _edit_law(cert, old, new):
    cert["laws"][0] = _record(cert, cert["laws"][0]["text"].replace(old, new))


def _tampered(cert, edit):
    bad = copy.deepcopy(cert)
    edit(bad)
    return check_certificate(bad)


@pytest.mark.parametrize("edit, fragment", [
    (lambda c: c["point"].__setitem__(0, "5/3"), "value at the point is not the one stored"),
    (lambda c: _edit_law(c, "b1[0]**2", "2*b1[0]**2"), "law 0 is not conserved"),
    (lambda c: c["laws"][0].__setitem__("text", "U1[0,0]**2"), "does not match its terms"),
    (lambda c: c["verdict"].__setitem__("text", "exactly 3 independent conservation laws"), "does not state the verified"),
    (lambda c: c["architecture"].__setitem__("name", "mystery"), "not one the checker can rebuild"),
    (lambda c: c["laws"].append(c["laws"][0]), "not independent"),
    (lambda c: c["rank_witness"].__setitem__("rank", 13), "certificate claims 13"),
    (lambda c: c["rank_witness"]["brackets"][0].__setitem__("value", ["1"] * 14), "not the one stored"),
    (lambda c: c["rank_witness"]["brackets"].pop(), "certificate claims 12"),
    (lambda c: c.__setitem__("verdict", {"status": "proven", "laws": 3}), "verdict claims"),
    (lambda c: c.__setitem__("verdict", {"status": "bounded", "lower": 2, "upper": 2}), "verdict claims"),
    (lambda c: c["generators"]["phi"].__setitem__(0, _record(c, "U1[0,0]*U2[1,1]")), "phi stored in the certificate"),
])
def test_tampering_is_caught(relu_cert, edit, fragment):
    report = _tampered(relu_cert, edit)
    assert not report.ok
    assert any(fragment in f for f in report.failures), report.failures


def test_unreadable_certificates(tmp_path, relu_cert):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CertificateFormatError, match="not JSON"):
        check_file(str(bad))
    for key in ("format", "laws", "point"):
        broken = copy.deepcopy(relu_cert)
        del broken[key]
        with pytest.raises(CertificateFormatError, match=key):
            check_certificate(broken)
    wrong = dict(relu_cert, version=99)
    with pytest.raises(CertificateFormatError, match="version"):
        check_certificate(wrong)


def test_cli_certify_and_check(tmp_path, capsys):
    path = tmp_path / "cert.json"
    out = io.StringIO()
    assert run(["certify", "relu", "3", "2", "3", "--bias", "-o", str(path)], out=out) == 0
    assert "exactly 2 independent" in out.getvalue()
    out = io.StringIO()
    assert run(["check", str(path)], out=out) == 0
    assert "certificate verified: exactly 2 independent laws" in out.getvalue()
    cert = json.loads(path.read_text())
    cert["verdict"]["laws"] = 3
    write_certificate(cert, str(path))
    assert run(["check", str(path)], out=io.StringIO()) == 1
    assert "REJECTED: the verdict claims" in capsys.readouterr().err
    assert run(["check", str(tmp_path / "missing.json")], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("conslaw: error:") and err.count("\n") == 1


def test_flow_box_statement_never_says_the_only_ones():
    from conslaw.verification.report.certificates import render_laws

    a = linear_network([1, 2, 2, 1])
    cert = build_certificate(a, degree=2)
    for fmt in ("text", "latex", "markdown"):
        text = render_laws(a, cert, fmt)
        assert "only ones" not in text and "only one" not in text, fmt
    assert "not all of them" in render_laws(a, cert, "latex")
