"""Polynomial vector fields: construction, refusal of non-polynomials, evaluation, bracket."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from sympy import QQ, Rational

from conslaw.algebra import NonPolynomialError, ParameterSpace, PolynomialVectorField, ShapeError
from conslaw.algebra.evaluation import bracket_value, evaluate_stacked
from conslaw.algebra.modular import PRIME, point_mod, to_mod
from conslaw.verification.testing import strategies as cst

SPACE = ParameterSpace(["U1[0,0]", "U1[0,1]", "b1[0]"])
x, y, z = SPACE.symbols


def test_names_and_latex():
    assert SPACE.dim == 3
    assert SPACE.names[0] == "U1[0,0]"
    assert SPACE.latex_names()[z] == "b^{(1)}_{1}"
    with pytest.raises(ShapeError, match="duplicate"):
        ParameterSpace(["a", "a"])


@pytest.mark.parametrize(
    "bad, fragment",
    [
        (sympy.sin(x), "component 1"),
        (1 / x, "not a polynomial"),
        (0.5 * x, "float"),
        (1.5, "float"),
        (sympy.Symbol("q") * x, "not parameters: q"),
        (x ** Rational(1, 2), "not a polynomial"),
    ],
)
def test_non_polynomial_components_are_refused_with_their_name(bad, fragment):
    with pytest.raises(NonPolynomialError, match=fragment) as info:
        PolynomialVectorField(SPACE, [x, bad, 0])
    assert "component 1 (U1[0,1])" in str(info.value)


def test_gradient_of_non_polynomial_names_the_phi_component():
    with pytest.raises(NonPolynomialError, match="phi component 1"):
        PolynomialVectorField.gradients_of_map(SPACE, [x * y, sympy.exp(z)])


def test_wrong_number_of_components():
    with pytest.raises(ShapeError, match="needs 3 components, got 2"):
        PolynomialVectorField(SPACE, [x, y])
    with pytest.raises(ShapeError, match="3 coordinates"):
        PolynomialVectorField(SPACE, [x, y, z]).evaluate([1, 2])


def test_construction_paths_agree():
    a = PolynomialVectorField(SPACE, ["U1[0,1]*b1[0]", Fraction(1, 3), 0])
    b = PolynomialVectorField.from_exprs(SPACE, [y * z, Rational(1, 3), 0])
    c = PolynomialVectorField.gradient(SPACE, x * y * z + x / 3)
    assert a == b
    assert c.components[0] == a.components[0] + SPACE.ring(QQ(1, 3))
    assert hash(a) == hash(b)


def test_exact_evaluation():
    f = PolynomialVectorField(SPACE, [x * y, y**2 / 2, 3])
    assert f.evaluate([QQ(1, 2), QQ(-2, 3), 5]) == (QQ(-1, 3), QQ(2, 9), QQ(3))


def test_bracket_of_linear_fields_is_the_commutator():
    """For X = Aθ, Y = Bθ: [X, Y] = ∂Y X − ∂X Y = (BA − AB)θ."""
    A = sympy.Matrix([[0, 1, 0], [2, 0, 0], [0, 0, -1]])
    B = sympy.Matrix([[1, 0, 3], [0, 0, 0], [0, 5, 0]])
    theta = sympy.Matrix(SPACE.symbols)
    X = PolynomialVectorField(SPACE, list(A * theta))
    Y = PolynomialVectorField(SPACE, list(B * theta))
    expected = PolynomialVectorField(SPACE, list((B * A - A * B) * theta))
    assert X.bracket(Y) == expected


def test_canonical_form_up_to_scalar():
    f = PolynomialVectorField(SPACE, [x * y / 3, -y, 0])
    assert f.scale(Rational(-7, 5)).canonical() == f.canonical()
    assert f.scale(Rational(-7, 5)).canonical_key == f.canonical_key
    can = f.canonical()
    assert all(c.denominator == 1 for comp in can.components for c in comp.coeffs())
    g = PolynomialVectorField(SPACE, [x * y, y, 0])
    assert g.canonical_key != f.canonical_key


def test_display():
    f = PolynomialVectorField(SPACE, [y, -x, 0])
    assert f.to_sympy() == sympy.Matrix([y, -x, 0])
    tex = f.latex()
    assert r"\partial_{U^{(1)}_{1,1}}" in tex and "U^{(1)}_{1,2}" in tex
    assert PolynomialVectorField(SPACE, [0, 0, 0]).latex() == "0"


# ---------------------------------------------------------------- properties (the public strategies)
fields = lambda: cst.polynomial_fields(SPACE, max_degree=3)  # noqa: E731


@given(fields(), fields())
def test_bracket_is_antisymmetric(X, Y):
    assert X.bracket(Y) == -Y.bracket(X)


@given(fields(), fields(), fields())
def test_jacobi_identity(X, Y, Z):
    total = X.bracket(Y.bracket(Z)) + Y.bracket(Z.bracket(X)) + Z.bracket(X.bracket(Y))
    assert total.is_zero()


@given(fields(), fields(), fields(), cst.rationals(9), cst.rationals(9))
def test_bracket_is_bilinear(X, Y, Z, a, b):
    combo = X.scale(a) + Y.scale(b)
    assert combo.bracket(Z) == X.bracket(Z).scale(a) + Y.bracket(Z).scale(b)
    assert Z.bracket(combo) == Z.bracket(X).scale(a) + Z.bracket(Y).scale(b)


@given(fields(), fields(), st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=7), min_size=3, max_size=3))
def test_modular_bracket_value_matches_exact_bracket(X, Y, pt):
    """Two code paths: ∂Y·X − ∂X·Y from Jacobians mod p, and the symbolic bracket evaluated exactly."""
    point = [QQ(c.numerator, c.denominator) for c in pt]
    pm = [point_mod(point)]
    fast = bracket_value(evaluate_stacked(X, pm), evaluate_stacked(Y, pm))
    exact = X.bracket(Y).evaluate(point)
    assert fast == {i: to_mod(v) for i, v in enumerate(exact) if to_mod(v)}
    assert all(0 < v < PRIME for v in fast.values())
