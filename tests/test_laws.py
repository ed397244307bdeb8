"""The literature's laws are exact first integrals of every generator (polynomial identities)."""
from __future__ import annotations

import itertools

import pytest
from sympy import QQ

from conslaw.algebra import (
    PolynomialVectorField,
    gradient_rank,
    linear_network,
    relu_network,
    violations,
    working_points,
)


@pytest.mark.parametrize("widths", [w for w in itertools.product(range(1, 4), repeat=3)] + [(2, 3, 2, 2), (3, 2, 2, 3)])
def test_linear_laws_are_orthogonal_to_every_generator(widths):
    a = linear_network(list(widths))
    assert violations(a.known_laws, a.generators()) == []


@pytest.mark.parametrize("widths", [(3, 2, 3), (1, 1, 1), (2, 3, 1), (2, 2, 2, 2), (3, 1, 2, 1)])
@pytest.mark.parametrize("bias", [False, True])
def test_relu_laws_are_orthogonal_to_every_generator(widths, bias):
    a = relu_network(list(widths), bias=bias)
    assert violations(a.known_laws, a.generators()) == []


def test_a_non_law_is_caught():
    a = relu_network([2, 2, 2])
    u = a.space.var("U1[0,0]")
    bad = violations([u**2], a.generators())
    assert bad and all(i == 0 for i, _, _ in bad)


def test_two_layer_relu_law_formula():
    a = relu_network([2, 1, 2], bias=True)
    v = a.space.var
    expected = v("U1[0,0]") ** 2 + v("U1[0,1]") ** 2 + v("b1[0]") ** 2 - v("U2[0,0]") ** 2 - v("U2[1,0]") ** 2
    assert a.known_laws == [expected]


def test_gradient_rank_counts_independent_laws():
    a = linear_network([2, 3, 2])
    pt = working_points(a.dim, 0, 1)[0]
    assert gradient_rank(a.space, a.known_laws, pt) == 6
    # duplicating a law adds nothing
    assert gradient_rank(a.space, a.known_laws + [2 * a.known_laws[0]], pt) == 6
    g = PolynomialVectorField.gradient(a.space, a.known_laws[0])
    assert g.evaluate(pt)[0] == 2 * QQ(pt[0])
