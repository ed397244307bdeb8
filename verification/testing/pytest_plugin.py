"""The conslaw pytest plugin (entry point ``pytest11``; active wherever conslaw is installed).

Fixtures, for tests that state claims about conservation laws:

* ``assert_conserved`` — :func:`conslaw.verification.testing.assertions.assert_conserved`;
* ``assert_law_count`` — :func:`conslaw.verification.testing.assertions.assert_law_count`, seeded with the session's seed;
* ``conslaw_seed`` — the seed of the exact working points (``--conslaw-seed N``, default 0), printed in the
  report header so that a failure can be reproduced.

Hypothesis profiles (select with hypothesis' own ``--hypothesis-profile NAME``):

* ``conslaw-ci`` — fixed: derandomised, 25 examples a test, no deadline (symbolic work has no fixed cost);
* ``conslaw-thorough`` — 500 examples a test, random, for a long local run.

This module imports nothing heavy at collection time: conslaw itself is imported when a fixture is used.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

PROFILES = {
    "conslaw-ci": dict(max_examples=25, derandomize=True, deadline=None, print_blob=True),
    "conslaw-thorough": dict(max_examples=500, deadline=None, print_blob=True),
}


for _name, _kwargs in PROFILES.items():  # hypothesis is a dependency of conslaw
    settings.register_profile(_name, suppress_health_check=[HealthCheck.too_slow], **_kwargs)


def pytest_addoption(parser) -> None:
    group = parser.getgroup("conslaw")
    group.addoption("--conslaw-seed", type=int, default=0,
                    help="seed of the exact rational working points used by the conslaw fixtures (default 0)")


def pytest_report_header(config) -> str:
    return (f"conslaw: exact working points are seeded rationals, seed {config.getoption('conslaw_seed')} "
            "(--conslaw-seed N); hypothesis profiles conslaw-ci, conslaw-thorough")


@pytest.fixture(scope="session")
def conslaw_seed(request) -> int:
    """The seed of the exact working points (``--conslaw-seed``)."""
    return request.config.getoption("conslaw_seed")


@pytest.fixture(scope="session")
def assert_law_count(conslaw_seed):
    """``assert_law_count(arch, expected, points=2)``: exact count, readable counterexample on failure."""
    from conslaw.verification.testing.assertions import assert_law_count as check

    def run(subject, expected: int, **kwargs):
        __tracebackhide__ = True
        kwargs.setdefault("seed", conslaw_seed)
        return check(subject, expected, **kwargs)

    return run


@pytest.fixture(scope="session")
def assert_conserved(conslaw_seed):
    """``assert_conserved(arch_or_fields_or_model, law, ...)``: exact (polynomial) or numerical (torch model)."""
    from conslaw.verification.testing.assertions import assert_conserved as check

    def run(subject, law, **kwargs):
        __tracebackhide__ = True
        kwargs.setdefault("seed", conslaw_seed)
        return check(subject, law, **kwargs)

    return run
