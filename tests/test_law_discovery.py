"""Polynomial law discovery: the degree-2 law space against the papers' laws."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conslaw.algebra import (
    ParameterSpace,
    PolynomialVectorField,
    ShapeError,
    exact_rank,
    gradient_rank,
    linear_network,
    polynomial_laws,
    relu_network,
    violations,
    working_points,
)
from conslaw.algebra.monomials import count_monomials, monomials


def coefficient_rank(polys) -> int:
    """Rank of polynomials as coefficient vectors (linear independence as polynomials)."""
    mons = sorted({m for p in polys for m in p.itermonoms()})
    return exact_rank([[dict(p.items()).get(m, 0) for m in mons] for p in polys])


def in_span(basis, law) -> bool:
    return coefficient_rank(list(basis) + [law]) == coefficient_rank(list(basis))


def test_monomial_count_formula():
    for dim, deg, hom in [(3, 2, False), (5, 3, True), (4, 1, False)]:
        assert len(monomials(dim, deg, hom)) == count_monomials(dim, deg, hom)
    assert len(set(monomials(4, 3))) == len(monomials(4, 3))


@pytest.mark.parametrize("n,r,m", [(n, r, m) for n, r, m in itertools.product(range(1, 4), range(1, 4), range(1, 4))])
def test_two_layer_linear_degree2_space_is_spanned_by_the_paper_laws(n, r, m):
    """Entries (i ≤ j) of UᵀU − VᵀV are r(r+1)/2 independent polynomials.

    Edge n = m = 1: φ = Σ_j u_j v_j is one polynomial, X = ∇φ = Aθ with A the swap of u and v.
    A quadratic form θᵀSθ is conserved iff M = SA is skew and anticommutes with A: M maps
    the (+1)-eigenspace of A to the (−1)-eigenspace and back, M = [[0, B], [−Bᵀ, 0]] with any
    r × r block B — r² laws; no linear law since A is invertible.
    """
    a = linear_network([n, r, m])
    basis = polynomial_laws(a.generators(), 2)
    assert len(basis) == (r * r if n == m == 1 else r * (r + 1) // 2)
    assert all(in_span(basis.laws, h) for h in a.known_laws)
    assert violations(basis.laws, a.generators()) == []


@pytest.mark.parametrize("widths", [(3, 2, 3), (2, 4, 1), (1, 1, 1), (2, 3, 2, 2), (3, 1, 2, 2)])
@pytest.mark.parametrize("bias", [False, True])
def test_relu_one_law_per_neuron_on_its_own_parameters(widths, bias):
    a = relu_network(list(widths), bias=bias)
    basis = polynomial_laws(a.generators(), 2)
    assert len(basis) == sum(widths[1:-1])
    assert all(in_span(basis.laws, h) for h in a.known_laws)
    # readable: each law is exactly one neuron's law (up to sign), not a mixture
    known = {tuple(sorted(h.items())) for h in a.known_laws} | {tuple(sorted((-h).items())) for h in a.known_laws}
    assert {tuple(sorted(h.items())) for h in basis.laws} <= known


def test_basis_is_integer_and_ordered():
    basis = polynomial_laws(relu_network([2, 3, 2], bias=True).generators(), 2)
    assert all(c.denominator == 1 for h in basis.laws for c in h.coeffs())
    leads = [min(h.itermonoms(), key=lambda m: [-e for e in m]) for h in basis.laws]
    assert leads == sorted(leads, reverse=True)


def test_homogeneous_search_and_linear_laws():
    S = ParameterSpace(["x", "y", "z"])
    x, y, z = S.symbols
    X = PolynomialVectorField(S, [1, -1, 0])  # conserves x + y and z
    every = polynomial_laws([X], 2)
    # degree ≤ 2 in the invariants s = x + y and z: s, z, s², sz, z²
    assert len(every) == 5
    assert len(polynomial_laws([X], 1)) == 2
    assert len(polynomial_laws([X], 2, homogeneous=True)) == 3
    assert gradient_rank(S, every.laws, [1, 2, 3]) == 2  # only two functionally independent


@given(st.lists(st.integers(1, 3), min_size=3, max_size=4), st.booleans(), st.integers(0, 1000))
def test_exact_and_sampled_paths_agree(widths, bias, seed):
    gens = relu_network(widths, bias=bias).generators()
    assert polynomial_laws(gens, 2).laws == polynomial_laws(gens, 2, method="sampled", seed=seed).laws


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1000))
def test_discovered_laws_are_independent_where_the_count_says(n, r, m, seed):
    """For r ≤ n + m all r(r+1)/2 laws are functionally independent (Prop. 3.5)."""
    a = linear_network([n, r, m])
    basis = polynomial_laws(a.generators(), 2)
    pt = working_points(a.dim, seed, 1)[0]
    expected = r * (r + 1) // 2 if r <= n + m else r * (n + m) - (n + m) * (n + m - 1) // 2
    assert gradient_rank(a.space, basis.laws, pt) == expected


def test_bad_arguments():
    gens = linear_network([2, 2, 2]).generators()
    with pytest.raises(ShapeError, match="degree"):
        polynomial_laws(gens, 0)
    with pytest.raises(ShapeError, match="method"):
        polynomial_laws(gens, 2, method="guess")
    with pytest.raises(ShapeError, match="no generators"):
        polynomial_laws([], 2)
