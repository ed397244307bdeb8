"""The catalogue's checks beyond counts can fail, and their numbers agree with independent code paths."""
from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import torch

from conslaw.algebra import working_points
from conslaw.verification.catalogue.checks.example_4_8 import _example_point
from conslaw.verification.catalogue.checks.projection import _resnet
from conslaw.verification.catalogue.checks.registry import (
    check_example_4_8,
    check_model_span,
    check_resnet_subset,
    check_weight_decay,
)
from conslaw.verification.catalogue.theorems import CATALOGUE, Expectation, Instance, Result
from conslaw.verification.proofs.polynomial_flow import CompiledPolynomials


def _entry(result_id: str) -> Result:
    return next(r for r in CATALOGUE if r.id == result_id)


@dataclasses.dataclass(frozen=True)
class Perturbed(Instance):
    """An instance whose stated laws are replaced by ``change(h, ring generators)``."""

    change: object = None

    def build(self):
        arch = super().build()
        arch.known_laws = [self.change(h, arch.space.ring.gens) for h in arch.known_laws]
        return arch


def test_weight_decay_fails_on_a_non_homogeneous_law_and_holds_on_a_degree_4_one():
    entry = _entry("tc25:thm-2.1")
    shifted = Perturbed("relu", (3, 2, 3), True, change=lambda h, g: h + g[0] * g[1])  # not conserved
    record = check_weight_decay(entry, shifted, 0)
    assert record["verdict"] == "fails" and "<grad h, grad phi_j>" in record["counterexample"]
    squared = Perturbed("relu", (3, 2, 3), True, change=lambda h, g: h ** 2)  # conserved, degree 4: e^{-4λt}
    record = check_weight_decay(entry, squared, 0)
    assert record["verdict"] == "holds" and record["degrees"] == [4] and record["largest_relative_error"] < 1e-8
    plus_one = Perturbed("linear", (2, 2, 2), change=lambda h, g: h + 1)  # conserved, not homogeneous
    assert check_weight_decay(entry, plus_one, 0)["counterexample"].get("not homogeneous") is not None


def test_compiled_polynomials_match_exact_evaluation():
    arch = Instance("relu", (2, 3, 2), True).build()
    point = working_points(arch.dim, 3, 1)[0]
    exact = [float(Fraction(int(p(*point).numerator), int(p(*point).denominator))) for p in arch.phi]
    floats = np.array([float(Fraction(int(c.numerator), int(c.denominator))) for c in point])
    assert np.allclose(CompiledPolynomials(arch.phi)(floats), exact, rtol=1e-13, atol=1e-13)


def test_model_span_reports_the_failed_hypothesis_and_a_full_rank():
    entry = _entry("tc25:thm-3.4")
    on_a_line = check_model_span(entry, Instance("relu", (1, 2, 1)), 0)  # both hyperplanes are {0}
    assert on_a_line["verdict"] == "hypothesis fails on this instance"
    assert on_a_line["rank_model_gradients"] < on_a_line["rank_range_dphi"]
    generic = check_model_span(entry, Instance("relu", (3, 2, 3), True), 0)
    assert generic["verdict"] == "holds" and generic["rank_model_gradients"] == generic["rank_range_dphi"] == 12


def test_a_false_count_of_the_whole_resnet_fails_with_its_counterexample():
    entry = _entry("tc25:sec-4.4")
    inst = Instance("resnet", options=(("dim", 2), ("hidden", (3, 3)), ("subset", "all")))
    wrong = dataclasses.replace(entry, formula=lambda i, report: Expectation(7, True, "claimed: one law too many"))
    record = check_resnet_subset(wrong, inst, 0)
    assert record["verdict"] == "fails"
    assert record["counterexample"]["certified_laws"] == 6 and record["counterexample"]["claimed"] == 7


def _torch_jacobian_rank(point, xs) -> int:
    """Rank of ∂_θ g(θ, x) over the inputs ``xs``, by torch autograd (float64): an independent code path."""
    theta = torch.tensor([float(Fraction(str(c))) for c in point], dtype=torch.float64)

    def g(t, x):
        u1, v1, u2, v2 = t  # parameter order U1, V1, U2, V2 of residual_mlp
        x1 = x + v1 * torch.relu(u1 * x)
        return x1 + v2 * torch.relu(u2 * x1)

    rows = [torch.autograd.functional.jacobian(lambda t: g(t, torch.tensor(x, dtype=torch.float64)), theta)
            for x in xs]
    return int(torch.linalg.matrix_rank(torch.stack(rows), rtol=1e-10))


def test_example_4_8_agrees_with_autograd():
    """In the domain, the Jacobians of the model at inputs of both signs have rank 1 (one field spans W_θ: 4 − 1 =
    3 laws); at the control point outside, rank 2 (the two block laws)."""
    record = check_example_4_8(_entry("tc25:ex-4.8"), Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)))), 0)
    assert record["verdict"] == "holds" and record["laws_in_domain"] == [3, 3, 3] and record["laws_outside"] == 2
    net, _ = _resnet(Instance("resnet", options=(("dim", 1), ("hidden", (1, 1)))))
    assert list(net.space.names) == ["U1[0,0]", "V1[0,0]", "U2[0,0]", "V2[0,0]"]
    xs = [-2.0, -0.5, 0.7, 1.5, 3.0]
    for point in record["points_in_domain"]:
        assert _torch_jacobian_rank(point, xs) == 1
    assert _torch_jacobian_rank(record["point_outside"], xs) == 2
    s, inside = _example_point(net, 0, inside=True)
    assert [str(c) for c in inside] == record["points_in_domain"][0]


def test_a_wrong_law_in_a_scratch_catalogue_fails_with_its_polynomial():
    """A scratch entry stating ‖u_j‖² + ‖v_j‖² (a sign flipped) as the ReLU laws: Prop. 2.3's check fails and
    shows the law, the generator and the nonzero polynomial ⟨∇h, ∇φ_k⟩."""
    from conslaw.verification.catalogue.checks.registry import check_laws_hold
    from conslaw.verification.catalogue.run import run_catalogue

    flipped = Perturbed("relu", (2, 2, 2), change=lambda h, g: h.ring.from_dict({e: abs(c) for e, c in h.terms()}))
    entry = dataclasses.replace(_entry("tc25:prop-2.3"), id="scratch:wrong-law", instances=(flipped,))
    record = check_laws_hold(entry, flipped, 0)
    assert record["verdict"] == "fails"
    assert record["counterexample"]["law"].startswith("neuron") and record["counterexample"]["bracket"] != "0"
    report = run_catalogue([entry])
    assert report["results"][0]["status"] == "fails" and not report["all_hold"]


def test_sign_flow_law_of_the_degenerate_shape_along_a_real_trajectory():
    """n = r = m = 1: the law found, |v| − |u|, stays constant along the sign flow integrated by explicit steps
    (torch, float64), while u·v (a non-law) moves; the shapes of the statement keep no law (rank D, exact)."""
    from conslaw.verification.proofs.sign_flow import sign_flow_laws

    report = sign_flow_laws(Instance("linear", (1, 1, 1)).build())
    assert report["laws"] == 1 and report["exact"] and report["laws_text"] == ["-|U1[0,0]| + |U2[0,0]|"]
    theta = torch.tensor([0.7, -1.3], dtype=torch.float64, requires_grad=True)
    law0 = (theta[1].abs() - theta[0].abs()).item()
    product0 = (theta[0] * theta[1]).item()
    for _ in range(300):
        loss = (theta[0] * theta[1] - 2.0) ** 2
        (grad,) = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            theta -= 1e-3 * torch.sign(grad)
    assert abs((theta[1].abs() - theta[0].abs()).item() - law0) < 1e-12
    assert abs((theta[0] * theta[1]).item() - product0) > 0.1
    for shape in ((2, 2, 2), (3, 1, 2)):
        other = sign_flow_laws(Instance("linear", shape).build())
        assert other["laws"] == 0 and other["rank"] == other["D"]


def test_sign_flow_command_line():
    """`conslaw count … --flow sign` prints the exact count, and marks sampled candidates as not proven."""
    import io

    from conslaw.verification.cli import run

    out = io.StringIO()
    assert run(["count", "linear", "1", "1", "1", "--flow", "sign"], out=out) == 0
    assert "D - rank = 2 - 1 = 1 (exact" in out.getvalue() and "-|U1[0,0]| + |U2[0,0]|" in out.getvalue()
    out = io.StringIO()
    assert run(["count", "linear", "1", "2", "2", "--flow", "sign"], out=out) == 0
    assert "upper bound" in out.getvalue() and "(not proven)" in out.getvalue()
    out = io.StringIO()
    assert run(["count", "resnet", "--dim", "1", "--hidden", "1", "1", "--flow", "sign"], out=out) == 2


def _angular_momenta(space, n: int, r: int, m: int) -> list:
    """s·(UᵀU̇ − U̇ᵀU + VᵀV̇ − V̇ᵀV)_{ij}, i < j, written by hand (U = U1ᵀ ∈ R^{n×r}, V = U2 ∈ R^{m×r})."""
    var = {name: g for name, g in zip(space.names, space.ring.gens)}
    out = []
    for i in range(r):
        for j in range(i + 1, r):
            h = space.ring.zero
            for a in range(n):
                u_i, u_j = var[f"U1[{i},{a}]"], var[f"U1[{j},{a}]"]
                h += u_i * var[f"v_U1[{j},{a}]"] - var[f"v_U1[{i},{a}]"] * u_j
            for b in range(m):
                v_i, v_j = var[f"U2[{b},{i}]"], var[f"U2[{b},{j}]"]
                h += v_i * var[f"v_U2[{b},{j}]"] - var[f"v_U2[{b},{i}]"] * v_j
            out.append(var["s"] * h)
    return out


def test_momentum_angular_momenta_are_laws_and_the_gradient_flow_laws_are_not():
    """Noether's laws, written by hand, are conserved by every phase-space field, and their number is the count the
    check certifies; UᵀU − VᵀV (the gradient flow's laws) are not conserved with momentum."""
    from conslaw.algebra import gradient_rank, violations
    from conslaw.algebra.phase_space import lift_to_phase_space, momentum_fields
    from conslaw.verification.catalogue.checks.registry import check_momentum

    inst = Instance("linear", (2, 3, 2))
    arch = inst.build()
    space, fields = momentum_fields(arch)
    noether = _angular_momenta(space, 2, 3, 2)
    assert violations(noether, fields) == []
    assert gradient_rank(space, noether, working_points(space.dim, 0, 1)[0]) == 3
    lifted = [lift_to_phase_space(h, space) for h in arch.known_laws]
    assert violations(lifted, fields)  # the balancedness laws are lost with momentum
    record = check_momentum(_entry("km24:linear-conservation-loss"), inst, 0)
    assert record["verdict"] == "holds" and record["momentum_laws"] == 3 < record["gradient_flow_laws"] == 6


def test_momentum_law_along_a_real_heavy_ball_trajectory():
    """Linear 2 2 2, θ'' + θ' = −∇L integrated by RK4 in float64 (torch autograd for ∇L): e^{t}(UᵀU̇ − U̇ᵀU +
    VᵀV̇ − V̇ᵀV)_{12} stays constant to 1e-9 relative, while (UᵀU − VᵀV)_{11} moves."""
    torch.manual_seed(0)
    x, y = torch.randn(5, 2, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)

    def grad(theta):
        theta = theta.detach().requires_grad_(True)
        U, V = theta[:4].reshape(2, 2), theta[4:].reshape(2, 2)  # U: r × n (rows u_j), V: m × r
        loss = ((x @ U.T @ V.T - y) ** 2).sum()
        return torch.autograd.grad(loss, theta)[0]

    def rhs(state):
        theta, v = state[:8], state[8:]
        return torch.cat([v, -v - grad(theta)])

    def angular(t, state):
        U, V = state[:4].reshape(2, 2), state[4:8].reshape(2, 2)
        dU, dV = state[8:12].reshape(2, 2), state[12:].reshape(2, 2)
        A = U @ dU.T - dU @ U.T + V.T @ dV - dV.T @ V  # rows of U are the u_j: (UUᵀ-form)
        return math.exp(t) * A[0, 1].item()

    def balance(state):
        U, V = state[:4].reshape(2, 2), state[4:8].reshape(2, 2)
        return (U @ U.T - V.T @ V)[0, 0].item()

    state = torch.cat([0.5 * torch.randn(8, dtype=torch.float64), 0.3 * torch.randn(8, dtype=torch.float64)])
    h, steps = 1e-3, 1000
    a0, b0 = angular(0.0, state), balance(state)
    for k in range(steps):
        k1 = rhs(state)
        k2 = rhs(state + h / 2 * k1)
        k3 = rhs(state + h / 2 * k2)
        k4 = rhs(state + h * k3)
        state = state + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    assert abs(angular(h * steps, state) - a0) <= 1e-9 * max(1.0, abs(a0))
    assert abs(balance(state) - b0) > 1e-3


def test_momentum_command_line():
    import io

    from conslaw.verification.cli import run

    out = io.StringIO()
    assert run(["count", "linear", "2", "2", "2", "--flow", "momentum"], out=out) == 0
    text = out.getvalue()
    assert "17 - 16 = 1, proven" in text and "gradient flow, same architecture: 3 laws" in text
    out = io.StringIO()
    assert run(["count", "relu", "2", "2", "2", "--flow", "momentum"], out=out) == 0
    assert "17 - 17 = 0, proven: the trace is all of phase space" in out.getvalue()


def test_momentum_certificate_is_rechecked_and_tampering_is_caught():
    """A heavy-ball certificate passes the independent checker (which rebuilds V_0 and W_k from φ itself); a
    coefficient of its law changed, or another friction τ, is rejected."""
    import json

    from conslaw.verification.checker import check_certificate
    from conslaw.verification.proofs.certificate import build_momentum_certificate

    cert = json.loads(json.dumps(build_momentum_certificate(Instance("linear", (2, 2, 2)).build(), seed=1)))
    report = check_certificate(cert)
    assert report.ok and report.flow == "momentum" and report.verdict == {"status": "proven", "laws": 1}
    tampered = json.loads(json.dumps(cert))
    tampered["laws"][0]["terms"][0][0] = "2"
    del tampered["laws"][0]["text"]  # (else the checker stops at the first failure: the text no longer matches)
    bad = check_certificate(tampered)
    assert not bad.ok and any("not conserved" in f for f in bad.failures)
    other_tau = json.loads(json.dumps(cert))
    other_tau["flow"]["tau"] = "2"
    assert not check_certificate(other_tau).ok


def test_sign_flow_certificates_are_rechecked_and_tampering_is_caught():
    """The checker recomputes sign(∂φ(θ_0)ᵀw) from φ rebuilt itself: the degenerate shape's certificate proves its
    one law; a changed sign, a law not orthogonal to the sign vectors, or a bounded count claimed as proven are
    rejected, and malformed input is refused."""
    import json

    import pytest

    from conslaw.verification.checker import CertificateFormatError, check_certificate
    from conslaw.verification.proofs.sign_flow import sign_flow_certificate

    cert = json.loads(json.dumps(sign_flow_certificate(Instance("linear", (1, 1, 1)).build())))
    report = check_certificate(cert)
    assert report.ok and report.flow == "sign" and report.verdict == {"status": "proven", "laws": 1}
    flipped = json.loads(json.dumps(cert))
    flipped["patterns"][0][0] *= -1
    assert not check_certificate(flipped).ok
    wrong_law = json.loads(json.dumps(cert))
    wrong_law["laws"][0]["coefficients"] = ["1", "1"]
    assert not check_certificate(wrong_law).ok
    bounded = json.loads(json.dumps(sign_flow_certificate(Instance("linear", (1, 2, 2)).build())))
    assert check_certificate(bounded).ok and bounded["verdict"]["status"] == "bounded"
    bounded["verdict"] = {"status": "proven", "laws": 2, "text": "exactly 2"}
    assert not check_certificate(bounded).ok
    hostile = json.loads(json.dumps(cert))
    hostile["laws"] = 7
    with pytest.raises(CertificateFormatError):
        check_certificate(hostile)
