"""Exact activation regions of residual ReLU networks (issue: no over-count, no false law).

Expected counts come from Theorem 4.6 (block l alone: r_l laws) and Theorem 4.7
(straddling pair: none) where no neuron is dead or always active; the laws are
checked against ∇_θ g at inputs evaluated by a separate path (``net.piece``, which
reads the pattern off the values), and the LP against Fourier–Motzkin elimination.
"""
from __future__ import annotations

import io
import json
import random
from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given, settings
from hypothesis import strategies as st

from conslaw.algebra import PolynomialVectorField, to_polynomial, working_points
from conslaw.algebra.activation_regions import activation_regions
from conslaw.algebra.deep import residual_mlp
from conslaw.algebra.exact_lp import interior_point
from conslaw.verification.cli import run
from conslaw.verification.proofs.resnet import count_resnet, resnet_laws


# ------------------------------------------------------------ the exact LP
def _fourier_motzkin_feasible(cons, d) -> bool:
    """Strict system a·x + c > 0, decided by eliminating the variables one by one (exact)."""
    rows = [(list(map(Fraction, a)), Fraction(c)) for a, c in cons]
    for k in reversed(range(d)):
        pos = [r for r in rows if r[0][k] > 0]
        neg = [r for r in rows if r[0][k] < 0]
        rows = [r for r in rows if r[0][k] == 0]
        for ap, cp in pos:
            for an, cn in neg:
                fp, fn = 1 / ap[k], 1 / -an[k]
                rows.append(([fp * u + fn * v for u, v in zip(ap, an)], fp * cp + fn * cn))
    return all(c > 0 for _, c in rows)


_coef = st.integers(-4, 4)


@settings(max_examples=300, deadline=None)
@given(d=st.integers(1, 3), data=st.data())
def test_interior_point_agrees_with_fourier_motzkin(d, data):
    m = data.draw(st.integers(1, 6))
    cons = [([data.draw(_coef) for _ in range(d)], data.draw(_coef)) for _ in range(m)]
    x = interior_point([([fmpq(v) for v in a], fmpq(c)) for a, c in cons], d)
    assert (x is not None) == _fourier_motzkin_feasible(cons, d)
    if x is not None:
        assert all(sum(fmpq(u) * v for u, v in zip(a, x)) + c > 0 for a, c in cons)


# ---------------------------------------------------------- the regions
def _random_inputs(dim, n, seed, scale=60):
    rng = random.Random(seed)
    return [[Fraction(rng.randint(-scale * 1000, scale * 1000), 1000) for _ in range(dim)] for _ in range(n)]


@pytest.mark.parametrize("dim,hidden,bias,seed", [((2), (3, 3), False, 0), (2, (2, 2), True, 8), (3, (2, 4), True, 2)])
def test_regions_are_real_and_complete(dim, hidden, bias, seed):
    net = residual_mlp(dim, list(hidden), bias)
    point = working_points(net.space.dim, seed, 1)[0]
    enum = activation_regions(net, point)
    patterns = [r.pattern for r in enum.regions]
    assert len(set(patterns)) == len(patterns)
    for r in enum.regions:  # each witness really has its pattern (evaluated by the other path)
        assert net.piece(r.witness, point)[1] == r.pattern
    met = {net.piece(x, point)[1] for x in _random_inputs(dim, 3000, seed) if net.piece(x, point)}
    assert met <= set(patterns)  # sampling never finds a region the enumeration missed


# The issue's reproducers: (arguments, expected laws), expected from Thm 4.6 (r_l) and Thm 4.7 (0).
REPRODUCERS = [
    (dict(dim=2, hidden=[3, 3], subset="block:2", seed=0), 3),
    (dict(dim=2, hidden=[3, 3], subset="all", seed=0), 3 + 3),
    (dict(dim=2, hidden=[3, 3], subset="block:2", seed=10), 3),
    (dict(dim=2, hidden=[2, 2], bias=True, subset="block:2", seed=1), 2),
    (dict(dim=2, hidden=[2, 2], bias=True, subset="block:2", seed=8), 2),
    (dict(dim=2, hidden=[2, 2], bias=True, subset="straddle:1", seed=8), 0),
    (dict(dim=3, hidden=[2, 4], bias=True, subset="block:2", seed=2), 4),
    (dict(dim=3, hidden=[2, 4], bias=True, subset="straddle:1", seed=2), 0),
]


@pytest.mark.parametrize("kwargs,expected", REPRODUCERS)
def test_resnet_counts_of_the_issue(kwargs, expected):
    kwargs = dict(kwargs)
    dim, hidden = kwargs.pop("dim"), kwargs.pop("hidden")
    report = count_resnet(dim, hidden, **kwargs)
    assert not any("dead" in n or "active for every input" in n for n in report["notes"])  # Thm 4.6/4.7 apply
    assert report["laws"] == expected
    assert report["verdict"]["status"] == "proven" and report["verdict"]["laws"] == expected


def _conserved_at(net, point, law_text, x) -> bool:
    """⟨∇h(θ_0), ∇_θ g_i(θ_0, x)⟩ = 0 for every output i, exactly (g's pattern read off the values)."""
    h = PolynomialVectorField.gradient(net.space, to_polynomial(net.space, law_text, "law")).evaluate(point)
    got = net.piece(x, point)
    if got is None:
        return True
    for g in got[0]:
        grad = PolynomialVectorField.gradient(net.space, g).evaluate(point)
        if sum(a * b for a, b in zip(h, grad)) != 0:
            return False
    return True


def test_no_false_law_on_the_issue_input():
    net = residual_mlp(2, [3, 3])
    point = working_points(net.space.dim, 0, 1)[0]
    report, laws, _ = resnet_laws(2, [3, 3], subset="block:2", seed=0)
    x = [Fraction(-851, 1000), Fraction(263, 500)]
    false_law = "U2[0,0]*U2[1,0] + U2[0,1]*U2[1,1] - V2[0,0]*V2[0,1] - V2[1,0]*V2[1,1]"
    assert not _conserved_at(net, point, false_law, x)  # the law printed before: broken by this input
    assert false_law not in report["laws_found"]
    for law in report["laws_found"]:
        assert all(_conserved_at(net, point, law, y) for y in [x] + _random_inputs(2, 300, 1))


def test_dead_neuron_is_decided_exactly():
    """(2, (3, 3), bias) at seed 0: neuron 0 of block 2 is dead (no region activates it); elsewhere none is."""
    report = count_resnet(2, [3, 3], bias=True, subset="block:2", seed=0)
    assert any("neuron 0 of block 2 is dead" in n for n in report["notes"])
    net = residual_mlp(2, [3, 3], True)
    point = working_points(net.space.dim, 0, 1)[0]
    patterns = [p[1] for x in _random_inputs(2, 2000, 5, scale=1000) if (p := net.piece(x, point))]
    assert patterns and not any(pattern[1][0] for pattern in patterns)  # sampling agrees: never active
    clean = count_resnet(2, [3, 3], subset="block:2", seed=0)
    assert not any("dead" in n for n in clean["notes"])


def test_cli_says_how_the_regions_were_covered():
    out = io.StringIO()
    assert run(["count", "resnet", "--dim", "2", "--hidden", "3", "3", "--subset", "block:2"], out=out) == 0
    text = out.getvalue()
    assert "all 12 activation regions" in text and "exact" in text and "proven: exactly 3" in text
    out = io.StringIO()
    assert run(["count", "resnet", "--dim", "2", "--hidden", "3", "3", "--subset", "block:2", "--inputs", "20",
                "--json"], out=out) == 0
    assert json.loads(out.getvalue())["verdict"]["status"] == "bounded"
