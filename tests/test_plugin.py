"""The pytest plugin (entry point ``pytest11``) as a user meets it: fixtures, profiles, readable failures.

Each test writes a user's test file and runs pytest on it in-process (``pytester``), as conslaw is installed."""
from __future__ import annotations

import pytest

# imported here, before pytester's in-process runs, so that every run shares one copy of these modules (pytester
# drops the modules a run imported; a re-import would make a second ``Instance`` class)
from conslaw.verification.testing import assertions, strategies  # noqa: F401

HEADER = "conslaw: exact working points are seeded rationals, seed 0"


def test_the_plugin_is_registered_and_its_claims_pass(pytester):
    pytester.makepyfile("""
        from hypothesis import given
        from conslaw.verification.testing import strategies as cst

        @given(inst=cst.architectures(kinds=("relu", "relu-bias"), max_dim=12))
        def test_one_law_per_hidden_neuron(inst, assert_law_count):
            assert_law_count(inst, sum(inst.widths[1:-1]))

        def test_neuron_law(assert_conserved):
            from conslaw.algebra import relu_network
            assert_conserved(relu_network([2, 2, 1]), "U1[0,0]**2 + U1[0,1]**2 - U2[0,0]**2")
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile", "conslaw-ci")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"*{HEADER}*"])


def test_a_false_count_prints_the_shrunk_architecture_and_the_counterexample(pytester):
    pytester.makepyfile("""
        from hypothesis import given
        from conslaw.verification.testing import strategies as cst

        @given(inst=cst.architectures(kinds=("relu",), max_dim=12))
        def test_false_claim(inst, assert_law_count):
            assert_law_count(inst, 1)  # false as soon as there are two hidden neurons
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--hypothesis-profile", "conslaw-ci")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "Falsifying example" in out or "Failing test case" in out  # hypothesis < 6.16x says the former
    for fragment in ("inst=Instance('relu', (1, 2, 1))",  # shrunk to the smallest
                     "2 independent conservation laws, expected 1",
                     "at 2 seeded rational points (seed 0)", "first point: U1[0,0] = ",
                     "the 2 stated laws give 2 independent ones at that point"):
        assert fragment in out, fragment


def test_a_false_law_prints_the_point_and_the_bracket(pytester):
    pytester.makepyfile("""
        def test_false_law(assert_conserved):
            from conslaw.algebra import relu_network
            assert_conserved(relu_network([2, 2, 1]), "U1[0,0]**2 - U2[0,0]**2")  # misses U1[0,1]**2
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    for fragment in ("h = U1[0,0]**2 - U2[0,0]**2 is not conserved", "<grad h, X1> = -2*U1[0,1]*U2[0,0], not identically 0",
                     "at U1[0,0] = ", "grad h = [", "X1     = ["):
        assert fragment in out, fragment
    assert "_assert_conserved_exactly" not in out  # conslaw's own frames are hidden: the message is the report


def test_seed_option_moves_the_points(pytester):
    pytester.makepyfile("""
        def test_seed(conslaw_seed):
            assert conslaw_seed == 7
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--conslaw-seed", "7")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*seed 7 (--conslaw-seed N)*"])


torch = pytest.importorskip("torch")


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4, bias=False), torch.nn.ReLU(),
                               torch.nn.Linear(4, 2, bias=False)).double()


def test_numerical_assert_conserved_on_a_torch_model():
    from conslaw.verification.testing.assertions import ConservationAssertionError, assert_conserved

    net, x = _net(), torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    neuron = lambda m: (m[0].weight[1] ** 2).sum() - (m[2].weight[:, 1] ** 2).sum()  # noqa: E731
    assert_conserved(net, neuron, inputs=x)
    wrong = lambda m: (m[0].weight[1] ** 2).sum()  # noqa: E731
    with pytest.raises(ConservationAssertionError, match=r"(?s)not conserved \(numerically.*input \d of 5"):
        assert_conserved(net, wrong, inputs=x)


def test_bad_subjects_are_refused_by_name():
    from conslaw.verification.testing.assertions import assert_conserved, assert_law_count

    with pytest.raises(TypeError, match="PolynomialVectorField"):
        assert_law_count(["not a field"], 1)
    with pytest.raises(ValueError, match="needs inputs"):
        assert_conserved(_net(), lambda m: m[0].weight.sum())
    with pytest.raises(TypeError, match="callable"):
        assert_conserved(_net(), "U1[0,0]", inputs=torch.zeros(1, 3))
