"""Data symmetry (Galley et al.): the augmented fields against a hand derivation, the C3 laws along real training,
and none with the logistic loss."""
from __future__ import annotations

import numpy as np
import pytest
from sympy import QQ

from conslaw.algebra import ShapeError, exact_rank, lie_trace, working_points
from conslaw.algebra.data_symmetry import (
    augmented_fields,
    build_augmented_model,
    c3_linear_model,
    c3_plane_laws,
    data_symmetry_counts,
    group_closure,
    margin_orders,
    rational_law_gradients,
    rational_law_violations,
)
from conslaw.algebra.fields import PolynomialVectorField

SHIFT = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def test_group_closure_and_its_errors():
    assert len(group_closure([SHIFT])) == 3
    assert len(group_closure([SHIFT, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]])) == 6  # S3
    with pytest.raises(ShapeError, match="more than"):
        group_closure([[[1, 1], [0, 1]]])  # a shear: infinite order
    with pytest.raises(ShapeError, match="square"):
        group_closure([[[1, 0]]])
    with pytest.raises(ShapeError, match="one output"):
        augmented_fields(c3_linear_model(2), "logistic")
    with pytest.raises(ShapeError, match="unknown augmented model"):
        build_augmented_model("resnet")


def test_margin_orders_of_the_logistic_loss():
    """ℓ' = (tanh(z/2) − 1)/2: a constant, then only odd powers (tanh is odd, its coefficients never vanish)."""
    assert margin_orders("logistic", 4) == [0, 1, 3, 5]


def test_c3_fields_are_the_hand_derived_ones():
    """With C3 averaging, f = ⟨w, x⟩: Σ_g (gx)(gx)ᵀ spans {P₁, P₂} and Σ_g gx spans (1, 1, 1), so the span of the
    loss gradients is that of P₁w, P₂w and 1 (three fields, rank 2)."""
    model = c3_linear_model(1)
    space = model.theta
    w = space.ring.gens
    s = sum(w)
    third = QQ(1, 3)
    hand = [PolynomialVectorField(space, [third * s] * 3),
            PolynomialVectorField(space, [wi - third * s for wi in w]),
            PolynomialVectorField(space, [1, 1, 1])]
    computed = augmented_fields(model, "square")
    monomials = (w[0], w[1], w[2], space.ring.one)  # every field here is affine in w
    stacked = [[comp.coeff(m) for comp in X.components for m in monomials] for X in hand + computed]
    assert exact_rank(stacked) == exact_rank(stacked[:3]) == exact_rank(stacked[3:]) == 3
    point = working_points(3, 2, 1)[0]
    assert lie_trace(computed, points=[point]).rank == 2


@pytest.mark.parametrize("outputs", [1, 2, 3])
def test_c3_laws_hold_only_with_augmentation(outputs):
    model = c3_linear_model(outputs)
    laws = c3_plane_laws(model)
    point = working_points(model.theta.dim, 4, 1)[0]
    assert rational_law_violations(augmented_fields(model, "square"), laws) == []
    assert exact_rank(rational_law_gradients(model.theta, laws, point)) == 2 * outputs - 1
    assert len(rational_law_violations(augmented_fields(model, "square", augmented=False), laws)) == len(laws)
    counts = data_symmetry_counts(model, "square")
    assert counts["plain"]["laws"] == 0 and counts["augmented"]["laws"] == 2 * outputs - 1


def _train(augment: bool, loss: str, steps: int = 200, lr: float = 1e-3):
    """Gradient descent with a small step on seeded data, C3-augmented or not; returns the plane ratio
    ⟨w, (1, −1, 0)⟩ / ⟨w, (1, 1, −2)⟩ before and after.  The run is short because with augmentation the plane part
    decays towards 0 (no target lies in the plane), where the ratio is lost to rounding."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    y = rng.normal(size=5) if loss == "square" else np.sign(rng.normal(size=5))
    if augment:
        shifts = [np.roll(np.eye(3), k, axis=0) for k in range(3)]
        X, y = np.concatenate([X @ g.T for g in shifts]), np.concatenate([y] * 3)
    w = rng.normal(size=3)

    def ratio(w):
        return (w[0] - w[1]) / (w[0] + w[1] - 2 * w[2])

    start = ratio(w)
    for _ in range(steps):
        f = X @ w
        grad = X.T @ (f - y) if loss == "square" else X.T @ (-y / (1 + np.exp(y * f)))
        w = w - lr * grad
    return start, ratio(w)


def test_c3_law_along_real_training_and_not_otherwise():
    before, after = _train(True, "square")
    assert abs(after - before) < 1e-9 * max(1, abs(before))  # exact for GD too: the plane part only scales
    before, after = _train(False, "square")
    assert abs(after - before) > 1e-2
    before, after = _train(True, "logistic")
    assert abs(after - before) > 1e-3  # logistic: no extra law, the ratio moves


def test_logistic_adds_no_law_where_the_square_loss_does():
    counts = data_symmetry_counts(c3_linear_model(1), "logistic")
    assert counts["orders"] == [0, 1, 3] and counts["augmented"]["laws"] == 0
    attention = data_symmetry_counts(build_augmented_model("lightning-attention", group="sign"), "logistic")
    assert attention["augmented"]["laws"] == attention["plain"]["laws"] == 2
    assert attention["augmented"]["polynomial_laws_found"] == 2


def test_data_symmetry_certificates_are_rechecked_and_tampering_is_caught():
    """The checker rebuilds the augmented model and its loss gradients itself: a certificate passes; a stored field
    dropped (the span shrinks), a rational law changed, or an order without a Taylor term is rejected."""
    import copy
    import json

    from conslaw.verification.checker import CertificateFormatError, check_certificate
    from conslaw.verification.proofs.certificate import build_data_symmetry_certificate

    cert = json.loads(json.dumps(build_data_symmetry_certificate("c3-linear", {"outputs": 2})))
    report = check_certificate(cert)
    assert report.ok and report.flow == "data-symmetry" and report.verdict == {"status": "proven", "laws": 3}
    assert any("rational" in str(law) or "numerator" in law for law in cert["laws"])
    dropped = copy.deepcopy(cert)
    dropped["generators"]["fields"].pop()
    assert not check_certificate(dropped).ok
    changed = copy.deepcopy(cert)
    law = next(law for law in changed["laws"] if "numerator" in law)
    law["numerator"] = law["denominator"] = {"terms": [["1", [[0, 1]]]], "text": "W[0,0]"}
    assert not check_certificate(changed).ok
    logistic = json.loads(json.dumps(build_data_symmetry_certificate("c3-linear", {"outputs": 1}, loss="logistic")))
    assert check_certificate(logistic).ok
    logistic["flow"]["orders"] = [0, 1, 2]
    with pytest.raises(CertificateFormatError, match="no Taylor term"):
        check_certificate(logistic)


def test_data_symmetry_command_line(tmp_path):
    import io

    from conslaw.verification.checker import check_file
    from conslaw.verification.cli import run

    out = io.StringIO()
    path = tmp_path / "c3.json"
    assert run(["data-symmetry", "c3-linear", "--outputs", "2", "-o", str(path)], out=out) == 0
    text = out.getvalue()
    assert "every data set (no augmentation): 6 - rank = 0 laws" in text and "6 - 3 = 3 laws; exactly 3" in text
    assert check_file(str(path)).ok
    out = io.StringIO()
    assert run(["data-symmetry", "c3-linear", "--loss", "logistic"], out=out) == 0
    assert "at most 3 - 3 = 0 laws" in out.getvalue() and "no extra law" in out.getvalue()
    err = io.StringIO()
    import contextlib
    with contextlib.redirect_stderr(err):
        assert run(["data-symmetry", "lightning-attention", "--group", "c3-shift"]) == 2
    assert "acts on 3 features, not d = 2" in err.getvalue()


def test_haar_moments():
    from conslaw.algebra.data_symmetry import haar_moment

    assert [haar_moment(m, n) for m, n in ((0, 0), (2, 0), (0, 2), (4, 0), (2, 2), (1, 1), (3, 0))] == [
        QQ(1), QQ(1, 2), QQ(1, 2), QQ(3, 8), QQ(1, 8), QQ(0), QQ(0)]


def test_rotation_augmented_lightning_attention_gains_laws():
    """One token, SO(2) turning its two features: every augmented loss is α c(θ) + β, so the Haar-averaged
    gradients span one field and there are D − 1 laws (flow-box theorem) against the model's own 2; with two
    tokens nothing is added.  The certificate passes the checker, which averages with SymPy's own integrals."""
    import json

    from conslaw.verification.checker import check_certificate
    from conslaw.verification.proofs.certificate import build_data_symmetry_certificate

    one = build_augmented_model("lightning-attention", tokens=1, d=2, k=1, group="so2")
    assert len(augmented_fields(one)) == 1
    counts = data_symmetry_counts(one, "square")
    assert counts["plain"]["laws"] == 2 and counts["augmented"]["laws"] == 5 and counts["group_order"] == "SO(2)"
    cert = json.loads(json.dumps(build_data_symmetry_certificate(
        "lightning-attention", {"tokens": 1, "d": 2, "k": 1, "group": "so2"})))
    report = check_certificate(cert)
    assert report.ok, report.failures
    assert report.verdict == {"status": "proven", "laws": 5} and "flow-box" in cert["verdict"]["text"]
    two = data_symmetry_counts(build_augmented_model("lightning-attention", tokens=2, d=2, k=1, group="so2"))
    assert two["augmented"]["laws"] == two["plain"]["laws"] == 2
