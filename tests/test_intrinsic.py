"""Intrinsic dynamics: the kernel-inclusion criterion against hand-built witnesses, hand-built points, and a real
gradient flow from a balanced initialisation."""
from __future__ import annotations

import numpy as np
import pytest
from sympy import Matrix, Rational, eye, solve, symbols, zeros

from conslaw.algebra import build_architecture, polynomial_laws, working_points
from conslaw.algebra.intrinsic import balanced_linear_point, kernel_inclusion, metric_entries
from conslaw.verification.catalogue.checks.registry import check_intrinsic
from conslaw.verification.catalogue.theorems import CATALOGUE, Instance


def _matrices(point, n, r, m):
    U1 = Matrix(r, n, [Rational(str(c)) for c in point[:r * n]])
    U2 = Matrix(m, r, [Rational(str(c)) for c in point[r * n:]])
    return U1, U2


def _jacobian_at(polys, arch, point):
    """∂(polys)(point) with SymPy expressions: an independent path from the evaluator under test."""
    symbols = [arch.space.ring.symbols[i] for i in range(arch.dim)]
    exprs = Matrix([p.as_expr() for p in polys])
    return exprs.jacobian(symbols).subs(dict(zip(symbols, [Rational(str(c)) for c in point])))


def test_a_hand_built_direction_keeps_z_and_the_laws_but_moves_the_metric():
    """Linear 4 2 2 at a generic point: B = S + A with A = [[0, 1], [−1, 0]] and S solving the Lyapunov equation
    {S, P + Q} = [H, A] gives δ = (BU₁, −U₂B) with ∂φδ = 0 and ∂Hδ = 0 but ∂Mδ ≠ 0 — so the criterion must fail,
    and it does."""
    n, r, m = 4, 2, 2
    arch = build_architecture("linear", [n, r, m])
    point = working_points(arch.dim, 5, 1)[0]
    U1, U2 = _matrices(point, n, r, m)
    P, Q = U1 * U1.T, U2.T * U2
    H, A = P - Q, Matrix([[0, 1], [-1, 0]])
    a, b, c = symbols("a b c")
    S = Matrix([[a, b], [b, c]])
    solution = solve(list(S * (P + Q) + (P + Q) * S - (H * A - A * H)), [a, b, c], dict=True)[0]
    S = S.subs(solution)
    assert S != zeros(2, 2)
    B = S + A
    delta = Matrix(list(B * U1) + list(-U2 * B))  # row-major U1 then U2, the architecture's order
    laws = polynomial_laws(arch.generators(), 2).laws
    assert (_jacobian_at(arch.phi, arch, point) * delta).is_zero_matrix
    assert (_jacobian_at(laws, arch, point) * delta).is_zero_matrix
    assert not (_jacobian_at(metric_entries(arch), arch, point) * delta).is_zero_matrix
    report = kernel_inclusion(arch, point, laws)
    assert not report["holds"] and report["kernel_dim"] == 1  # r(r − 1)/2 rotations
    witness = Matrix([Rational(x) for x in report["witness"]["direction"]])
    assert (_jacobian_at(arch.phi, arch, point) * witness).is_zero_matrix
    assert (_jacobian_at(laws, arch, point) * witness).is_zero_matrix
    assert not (_jacobian_at(metric_entries(arch), arch, point) * witness).is_zero_matrix


@pytest.mark.parametrize("widths,relaxed", [((4, 2, 2), False), ((4, 2, 2), True), ((2, 2, 5), True),
                                            ((3, 3, 3), False)])
def test_balanced_points_are_balanced_and_pass(widths, relaxed):
    n, r, m = widths
    arch = build_architecture("linear", list(widths))
    point = balanced_linear_point(widths, relaxed, seed=3)
    U1, U2 = _matrices(point, n, r, m)
    H = U1 * U1.T - U2.T * U2
    lam = H[0, 0]
    assert H == lam * eye(r) and (lam != 0) == relaxed
    assert kernel_inclusion(arch, point)["holds"]


def test_a_diagonal_but_not_scalar_imbalance_fails():
    """U₁ = [U₂ᵀ | diag(1, 2) | 0] gives H = diag(1, 4): not relaxed balanced, and the criterion fails."""
    arch = build_architecture("linear", [5, 2, 2])
    U2 = Matrix([[2, -1], [Rational(1, 3), 3]])
    U1 = Matrix.hstack(U2.T, Matrix([[1, 0], [0, 2]]), zeros(2, 1))
    point = [Rational(c) for c in list(U1) + list(U2)]
    assert not kernel_inclusion(arch, point)["holds"]


def test_relu_path_lifting_has_a_trivial_kernel():
    for widths, bias in (((2, 3, 2), True), ((1, 2, 2, 1), False)):
        arch = build_architecture("relu", list(widths), bias=bias)
        report = kernel_inclusion(arch, working_points(arch.dim, 1, 1)[0])
        assert report["holds"] and report["kernel_dim"] == 0


def test_catalogue_check_reports_every_point_kind_and_fails_on_a_wrong_expectation():
    entry = next(r for r in CATALOGUE if r.id == "mpg25:linear-relaxed-balanced")
    record = check_intrinsic(entry, Instance("linear", (4, 2, 2)), 0)
    assert record["verdict"] == "holds"
    assert {k: v["criterion"] for k, v in record["points"].items()} == {
        "generic": "fails", "balanced": "holds", "relaxed balanced": "holds"}
    import dataclasses
    wrong = dataclasses.replace(entry, formula=lambda inst: {"generic": (True, "a false claim")})
    record = check_intrinsic(wrong, Instance("linear", (4, 2, 2)), 0)
    assert record["verdict"] == "fails" and record["counterexample"]["point kind"] == "generic"
    assert "witness" in record["counterexample"]


def test_balanced_flow_keeps_the_metric_a_function_of_z():
    """From a balanced start, along the gradient flow of ½‖U₂U₁X − Y‖² (RK4, float64), U₂U₂ᵀ = (zzᵀ)^{1/2} with
    z = U₂U₁: the metric is a function of z alone, as the criterion allows; from an unbalanced start it is not."""
    rng = np.random.default_rng(0)
    n, r, m = 4, 2, 2
    X, Y = rng.normal(size=(n, 6)), rng.normal(size=(m, 6))

    def velocity(U1, U2):
        G = (U2 @ U1 @ X - Y) @ X.T
        return -U2.T @ G, -G @ U1.T

    def run(U1, U2, h=5e-4, steps=3000):
        for _ in range(steps):
            a1, a2 = velocity(U1, U2)
            b1, b2 = velocity(U1 + h / 2 * a1, U2 + h / 2 * a2)
            c1, c2 = velocity(U1 + h / 2 * b1, U2 + h / 2 * b2)
            d1, d2 = velocity(U1 + h * c1, U2 + h * c2)
            U1, U2 = U1 + h / 6 * (a1 + 2 * b1 + 2 * c1 + d1), U2 + h / 6 * (a2 + 2 * b2 + 2 * c2 + d2)
        return U1, U2

    def gap(U1, U2):
        z = U2 @ U1
        w, V = np.linalg.eigh(z @ z.T)
        root = V @ np.diag(np.sqrt(np.clip(w, 0, None))) @ V.T
        return np.linalg.norm(U2 @ U2.T - root)

    point = balanced_linear_point((n, r, m), False, seed=1)
    U1 = np.array([float(c) for c in point[:r * n]]).reshape(r, n) / 4  # both scaled alike: still balanced
    U2 = np.array([float(c) for c in point[r * n:]]).reshape(m, r) / 4
    assert gap(U1, U2) < 1e-12
    end = run(U1, U2)
    assert np.linalg.norm(end[1] @ end[0] - U2 @ U1) > 0.1  # z moved
    assert gap(*end) < 1e-8
    unbalanced = U1 + 0.2 * rng.normal(size=U1.shape), U2
    assert gap(*run(*unbalanced)) > 1e-2


def test_intrinsic_certificates_are_rechecked_and_tampering_is_caught():
    """The checker rebuilds M = ∂φ∂φᵀ from φ and recomputes both ranks: the generic (fails, with its witness) and
    the balanced (holds) certificates pass; a flipped claim, a witness that moves z, or a failing claim resting on
    laws not known complete are rejected."""
    import copy
    import json

    from conslaw.verification.checker import check_certificate
    from conslaw.verification.proofs.certificate import build_intrinsic_certificate

    arch = build_architecture("linear", [4, 2, 2])
    generic = json.loads(json.dumps(build_intrinsic_certificate(arch, working_points(arch.dim, 0, 1)[0])))
    balanced = json.loads(json.dumps(build_intrinsic_certificate(arch, balanced_linear_point((4, 2, 2), True, 0))))
    assert check_certificate(generic).ok and not generic["intrinsic"]["holds"]
    assert check_certificate(balanced).ok and balanced["intrinsic"]["holds"]
    flipped = copy.deepcopy(balanced)
    flipped["intrinsic"]["holds"] = False
    flipped["intrinsic"]["witness"] = generic["intrinsic"]["witness"]
    report = check_certificate(flipped)
    assert not report.ok and any("holds at the point, not as claimed" in f for f in report.failures)
    moved = copy.deepcopy(generic)
    moved["intrinsic"]["witness"] = ["1"] + ["0"] * (arch.dim - 1)
    assert not check_certificate(moved).ok
    incomplete = copy.deepcopy(generic)
    incomplete["laws"] = incomplete["laws"][:1]
    incomplete["verdict"] = {"status": "bounded", "lower": 1, "upper": 3, "text": "count bounded between 1 and 3"}
    report = check_certificate(incomplete)
    assert not report.ok and any("complete laws" in f for f in report.failures)
