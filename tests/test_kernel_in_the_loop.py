"""``conslaw verify`` routes every certificate it writes through the independent checker (issue "The kernel in
the loop", item 3): re-read from the bytes written, checked by the code path of ``conslaw check``, its tampered
twin rejected.  A checker that accepts everything, or a producer whose certificate the checker rejects, makes
the result fail; the page says "proved" only for results whose every instance has a checked certificate."""
from __future__ import annotations

import json

import conslaw.algebra.architectures as architectures
import conslaw.algebra.architectures.attention as attention
import conslaw.verification.proofs.audit as audit
from conslaw.verification.catalogue.blueprint import evidence
from conslaw.verification.catalogue.run import run_catalogue, run_result
from conslaw.verification.catalogue.theorems import CATALOGUE
from conslaw.verification.checker import CheckReport
from conslaw.verification.proofs.audit import audit_certificate, tampered_twin
from conslaw.verification.proofs.certificate import build_certificate


def _result(rid: str):
    return next(r for r in CATALOGUE if r.id == rid)


def test_every_certificate_is_audited_and_passes():
    entry = run_result(_result("tc25:thm-3.6"), "quick")
    assert entry["status"] == "holds"
    checks = [r["certificate_check"]["status"] for r in entry["instances"]]
    assert checks and set(checks) == {"passed"}
    assert evidence(entry) == "proved"


def test_the_audit_reads_the_written_bytes(tmp_path):
    report = run_catalogue([_result("tc25:thm-3.6")], "quick", out_dir=str(tmp_path))
    for r in report["results"][0]["instances"]:
        assert (tmp_path / r["certificate"]).exists()
        assert r["certificate_check"]["status"] == "passed"


def test_a_tampered_twin_is_rejected():
    cert = json.loads(json.dumps(build_certificate(architectures.build_architecture("relu", [2, 2, 2]))))
    data = json.dumps(cert).encode()
    assert audit_certificate(data)["status"] == "passed"
    twin = tampered_twin(cert)
    assert twin != cert
    assert audit_certificate(json.dumps(twin).encode())["status"] == "rejected"


def test_a_checker_that_accepts_everything_fails_verify(monkeypatch):
    monkeypatch.setattr(audit, "_AUDITED", {})
    monkeypatch.setattr(audit, "check_bytes", lambda data, deadline=0: CheckReport(True))
    monkeypatch.setattr(audit, "check_certificate", lambda cert, deadline=0: CheckReport(True))
    entry = run_result(_result("tc25:thm-3.6"), "quick")
    assert entry["status"] == "fails"
    assert all(r["certificate_check"]["status"] == "twin accepted" for r in entry["instances"])


def test_a_producer_the_checker_rejects_fails_verify(monkeypatch):
    """An attention builder that drops one component of φ of the last head: the counts it proves may still match
    the formula, but the checker (which rebuilds φ itself) rejects its certificates."""
    real = attention.attention_layer

    def dropped(*args, **kwargs):
        arch = real(*args, **kwargs)
        arch.phi = arch.phi[:-1]
        return arch

    monkeypatch.setattr(attention, "attention_layer", dropped)  # what the registry's attention spec builds with
    monkeypatch.setattr(audit, "_AUDITED", {})
    entry = run_result(_result("tc25:cor-3.9"), "quick")
    assert entry["status"] == "fails"
    rejected = [r for r in entry["instances"] if r["certificate_check"]["status"] == "rejected"]
    assert rejected and all(r["verdict"] == "fails" for r in rejected)
    assert "independent checker rejected" in rejected[0]["counterexample"]


def test_refused_certificates_are_not_shown_as_proved():
    entry = {"status": "holds", "method": "exact trace rank", "instances": [
        {"certificate_check": {"status": "passed"}}, {"certificate_check": {"status": "refused"}}]}
    assert evidence(entry) == "exact"
    entry["instances"].pop()
    assert evidence(entry) == "proved"
    assert evidence({**entry, "instances": [{}]}) == "exact"  # no certificate at all


def test_certify_and_laws_report_nothing_the_checker_rejects(tmp_path, monkeypatch, capsys):
    import io

    from conslaw.verification.cli import run

    out = io.StringIO()
    assert run(["certify", "relu", "2", "2", "2", "-o", str(tmp_path / "c.json")], out=out) == 0
    assert "re-read and verified by the independent checker" in out.getvalue()
    monkeypatch.setattr(audit, "_AUDITED", {})
    monkeypatch.setattr(audit, "check_bytes", lambda data, deadline=0: CheckReport(False, ["made up"]))
    out = io.StringIO()
    assert run(["laws", "relu", "2", "2", "2"], out=out) == 3
    assert out.getvalue() == "" and "failed the independent check" in capsys.readouterr().err
