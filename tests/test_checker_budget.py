"""The checker's work is bounded, whatever the file (issue "The kernel in the loop", item 2).

The hostile certificates of :mod:`hostile_certificates` kept ``conslaw check`` busy for 3 s to over 60 s before the
work budget; now each is refused (exit 2, one line naming the stage) or rejected in under a second.  A hypothesis
property draws genuine-shaped certificates near the limits and asserts that each is decided in under 20 s.
"""
from __future__ import annotations

import io
import json
import time

import pytest
from hostile_certificates import HOSTILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conslaw.algebra import build_architecture
from conslaw.verification.checker import CertificateFormatError, check_certificate, phi_size
from conslaw.verification.checker.work import MAX_UNITS
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import build_certificate


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_certificates_are_refused_at_once(name, tmp_path, capsys):
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(HOSTILE[name]()))
    t0 = time.perf_counter()
    code = run(["check", str(path)], out=io.StringIO())
    seconds = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert code in (1, 2), err
    assert seconds < 1.5, (name, seconds)  # 1 s on a quiet machine; slack for a loaded CI core
    assert len(err.strip().splitlines()) >= 1 and "Traceback" not in err
    if code == 2:
        assert "budget" in err or "limit" in err, err


def test_refusals_name_the_stage():
    with pytest.raises(CertificateFormatError, match="intrinsic claim"):
        check_certificate(HOSTILE["intrinsic-4000"]())
    with pytest.raises(CertificateFormatError, match="sign flow's Jacobian"):
        check_certificate(HOSTILE["sign-flow-relu-4x7"]())
    with pytest.raises(CertificateFormatError, match="augmented loss gradients"):
        check_certificate(HOSTILE["lightning-so2"]())
    with pytest.raises(CertificateFormatError, match="checking 40 laws"):
        check_certificate(HOSTILE["dense-laws"]())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(1, 6), min_size=3, max_size=4), bias=st.booleans())
def test_certificates_near_the_limits_are_decided_in_time(widths, bias):
    """A genuine ReLU certificate, or the refusal of one over the budget, in under 20 s of checking."""
    spec = {"name": "relu", "widths": widths, "bias": bias}
    try:
        size = phi_size(spec)
    except CertificateFormatError:
        return  # refused from the sizes alone
    if size.units > MAX_UNITS or size.D > 60:
        return  # building it would take the producer too long for a unit test
    cert = json.loads(json.dumps(build_certificate(build_architecture("relu", widths, bias=bias))))
    t0 = time.perf_counter()
    try:
        report = check_certificate(cert)
        assert report.ok, report.failures
    except CertificateFormatError as exc:
        assert "budget" in str(exc)
    assert time.perf_counter() - t0 < 20


def test_an_exploding_power_is_refused_before_expanding():
    import sympy

    from conslaw.algebra import NonPolynomialError, ParameterSpace, PolynomialVectorField

    space = ParameterSpace(["x", "y", "z", "w"])
    x, y, z, w = space.symbols
    for huge in ("((x+y+z+w)**64)**64", ((x + y + z + w) ** 64) ** 64):
        t0 = time.perf_counter()
        with pytest.raises(NonPolynomialError, match="refused before expanding"):
            PolynomialVectorField.from_exprs(space, [huge, x, y, z])
        assert time.perf_counter() - t0 < 0.5
    assert PolynomialVectorField.from_exprs(space, [(x + y) ** 3, x, y, sympy.Rational(1, 3)]).degree() == 3


def test_the_deadline_stops_what_the_estimates_let_through():
    cert = json.loads(json.dumps(build_certificate(build_architecture("relu", [2, 2, 2]))))
    assert check_certificate(cert).ok
    with pytest.raises(CertificateFormatError, match="ran past the checker's time budget of 0 s"):
        check_certificate(cert, deadline=0.0)
