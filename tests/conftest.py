"""Shared helpers for the test suite.

Hypothesis profiles come from conslaw's pytest plugin (``conslaw.verification.testing.pytest_plugin``): the suite runs
under the fixed ``conslaw-ci`` profile (derandomised, 25 examples a test unless a test says otherwise); a longer,
random local run: ``python -m pytest --hypothesis-profile conslaw-thorough``.
"""
from __future__ import annotations

from hypothesis import settings

pytest_plugins = ["pytester"]

settings.load_profile("conslaw-ci")


def without_seconds(value):
    """A report or certificate without its timings (the only fields allowed to differ between two runs)."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


def first_failure(cert) -> str:
    """The first failure the independent checker reports for a certificate it must reject."""
    from conslaw.verification.checker import check_certificate

    report = check_certificate(cert)
    assert not report.ok
    return report.failures[0]
