"""Property-based cross-checks between independent code paths, on architectures drawn by the public strategies.

Symbolic brackets against torch ``jvp`` brackets; exact against numerical counts (generic and degenerate points);
the papers' formulas against the engine (through the plugin's ``assert_law_count``); discovered laws along an
integrated gradient flow; the exact one-step SGD identity h(θ − ηg) = h(θ) + η² q(g) for laws of degree ≤ 2, in
rationals and in a real torch model trained on a drawn batch; certificates through JSON and the checker; LaTeX
statements through pdflatex.  Run longer with ``--hypothesis-profile conslaw-thorough``.
"""
from __future__ import annotations

import json
import subprocess
from fractions import Fraction

import numpy as np
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import QQ
from test_latex import _pdflatex  # noqa: E402  (skips, or fails in CI, without pdflatex)

from conslaw.algebra import lie_trace
from conslaw.algebra.law_discovery import polynomial_laws
from conslaw.verification import build_certificate, check_certificate
from conslaw.verification.numeric.counting import count_laws_numerically
from conslaw.verification.numeric.fields import bracket, family_from_map, family_row
from conslaw.verification.numeric.maps import torch_polynomial_map
from conslaw.verification.numeric.trace import numeric_lie_trace
from conslaw.verification.proofs.certificate import certificate_text
from conslaw.verification.proofs.polynomial_flow import CompiledPolynomials, rk4, weight_decay_flow
from conslaw.verification.report.certificates import render_laws
from conslaw.verification.report.latex import latex_document
from conslaw.verification.testing import strategies as cst
from conslaw.verification.testing.expectations import expected_law_count

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
SMALL = cst.architectures(max_dim=16)  # 16: the smallest multi-head layer (admissible)
EDGES = cst.architectures(admissible=False, max_dim=14)


def _as_tensor(point) -> torch.Tensor:
    return torch.tensor([float(c) for c in point], dtype=torch.float64)


def _close(a: torch.Tensor, b: torch.Tensor, tol: float = 1e-10) -> bool:
    return bool(torch.all((a - b).abs() <= tol * (1 + b.abs())))


# ------------------------------------------------------------------ brackets: SymPy against torch.func
@given(st.one_of(SMALL, EDGES), st.data())
def test_symbolic_brackets_equal_torch_jvp_brackets(inst, data):
    arch = inst.build()
    gens = arch.generators()
    i, j, k = (data.draw(st.integers(0, len(gens) - 1), label=name) for name in "ijk")
    theta = torch.tensor(data.draw(cst.float_points(arch), label="theta"), dtype=torch.float64)
    G = family_from_map(torch_polynomial_map(arch.phi))
    Xi, Xj, Xk = (family_row(G, n) for n in (i, j, k))
    exact = gens[i].bracket(gens[j])
    assert _close(bracket(Xi, Xj)(theta), torch_polynomial_map(exact.components)(theta))
    nested = gens[k].bracket(exact)  # a level-2 bracket: jvp of a jvp
    assert _close(bracket(Xk, bracket(Xi, Xj))(theta), torch_polynomial_map(nested.components)(theta))


@given(cst.polynomial_fields(3), cst.polynomial_fields(3), cst.float_points(3))
def test_bracket_of_random_polynomial_fields_equals_the_jvp_bracket(X, Y, point):
    theta = torch.tensor(point, dtype=torch.float64)
    numeric = bracket(torch_polynomial_map(X.components), torch_polynomial_map(Y.components))(theta)
    assert _close(numeric, torch_polynomial_map(X.bracket(Y).components)(theta))


# ------------------------------------------------------------------ counts
@given(st.one_of(SMALL, EDGES), st.integers(0, 10**6))
def test_exact_and_numerical_counts_agree(inst, seed):
    arch = inst.build()
    theta = torch.randn(arch.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    numeric = numeric_lie_trace(family_from_map(torch_polynomial_map(arch.phi)), theta)
    exact = lie_trace(arch.generators(), seed=seed).laws
    assert numeric.laws == exact
    assert numeric.rank.gap > 1e6  # decided with a clear gap, not on a borderline singular value
    # the scalable path: φ written in torch directly (numeric_phi), random brackets (numeric_random)
    scalable = count_laws_numerically(inst.arch, list(inst.widths), bias=inst.bias, residual=inst.residual,
                                      seed=seed, **dict(inst.options))
    assert scalable["laws"] == exact


@settings(suppress_health_check=FIXTURES)
@given(inst=st.one_of(SMALL, EDGES))
def test_counts_match_the_papers_formulas(inst, assert_law_count):
    """The plugin's fixture against the formula (inside the hypotheses) or the independent argument (outside)."""
    expected = expected_law_count(inst)
    assume(expected is not None)  # deeper linear nets: no formula; the other cross-checks cover them
    assert_law_count(inst, expected.laws)


@given(SMALL.flatmap(lambda inst: st.tuples(st.just(inst), cst.degenerate_points(inst))))
def test_degenerate_points_lose_rank_and_both_engines_see_it(drawn):
    """At a dead neuron or a zero matrix (excluded by the papers) the trace rank can only drop, and the float
    engine at the same point finds the same rank as the exact one."""
    inst, degenerate = drawn
    arch = inst.build()
    gens = arch.generators()
    at_point = lie_trace(gens, points=[[QQ(c.numerator, c.denominator) for c in degenerate.point]])
    assert at_point.laws >= lie_trace(gens, seed=0).laws
    numeric = numeric_lie_trace(family_from_map(torch_polynomial_map(arch.phi)), _as_tensor(degenerate.point))
    assert numeric.laws == at_point.laws


# ------------------------------------------------------------------ laws along flows and SGD steps
FLOW_KINDS = cst.architectures(kinds=("linear", "relu", "relu-bias", "attention", "softmax", "conv"), max_dim=12)


def _laws(arch):
    return polynomial_laws(arch.generators(), degree=2).laws


def _term_scale(law, theta: np.ndarray) -> float:
    """Σ |c θ^α| over the terms of ``law``: the size against which its drift is measured (no cancellation)."""
    return float(sum(abs(float(c)) * np.prod(np.abs(theta) ** np.array(m)) for m, c in law.terms()))


@settings(max_examples=12)
@given(FLOW_KINDS, st.data())
def test_discovered_laws_stay_constant_along_an_integrated_gradient_flow(inst, data):
    arch = inst.build()
    laws = _laws(arch)
    assume(laws)
    theta0 = np.array(data.draw(cst.float_points(arch, scale=1.0, min_abs=0.2), label="theta0"))
    target = np.array(data.draw(cst.float_points(len(arch.phi), scale=1.0, min_abs=0.0), label="target"))
    velocity = weight_decay_flow(arch.phi, arch.generators())  # λ = 0: θ' = −∂φᵀ(φ(θ) − y)
    theta = rk4(velocity, theta0, 0.25, 250, target, 0.0)
    assert np.all(np.isfinite(theta))
    moved = np.abs(theta - theta0).max()
    assume(moved > 1e-3)  # the target can equal φ(θ_0) (hypothesis likes boundary values): then nothing moves
    values = CompiledPolynomials(laws)
    drift = np.abs(values(theta) - values(theta0))
    scale = np.array([_term_scale(h, theta0) for h in laws])
    assert np.all(drift <= 1e-8 * scale), (drift / scale, moved)


def _sgd_step_exact(arch, point, target, eta):
    """θ⁺ = θ − η ∇L(θ), L = ½‖φ(θ) − y‖², in rationals; returns (θ⁺, g)."""
    gens = arch.generators()
    residual = [p(*point) - y for p, y in zip(arch.phi, target)]
    values = [g.evaluate_qq(point) for g in gens]
    grad = [sum((r * v[i] for r, v in zip(residual, values)), QQ(0)) for i in range(arch.dim)]
    return [t - eta * g for t, g in zip(point, grad)], grad


def _quadratic_part(law):
    return law.ring.from_dict({m: c for m, c in law.terms() if sum(m) == 2}) if law else law


@settings(max_examples=15)
@given(FLOW_KINDS, st.data())
def test_one_sgd_step_changes_each_law_by_exactly_eta_squared_q_of_the_gradient(inst, data):
    """h(θ − ηg) − h(θ) = −η⟨∇h(θ), g⟩ + η² q(g) with q the quadratic part of h, and ⟨∇h, g⟩ = 0 for a law:
    the change is exactly η² q(g) (the main paper's Prop. 5.1), checked in rationals."""
    arch = inst.build()
    laws = _laws(arch)
    assume(laws)
    to_qq = lambda c: QQ(c.numerator, c.denominator)  # noqa: E731
    point = [to_qq(c) for c in data.draw(cst.rational_points(arch, bound=5), label="theta")]
    target = [to_qq(c) for c in data.draw(st.lists(cst.rationals(5), min_size=len(arch.phi),
                                                    max_size=len(arch.phi)), label="target")]
    eta = to_qq(data.draw(st.fractions(Fraction(1, 100), Fraction(1, 2), max_denominator=100), label="eta"))
    after, grad = _sgd_step_exact(arch, point, target, eta)
    for h in laws:
        assert h(*after) - h(*point) == eta ** 2 * _quadratic_part(h)(*grad)


def _relu_net(n: int, r: int, m: int, theta: np.ndarray) -> torch.nn.Sequential:
    net = torch.nn.Sequential(torch.nn.Linear(n, r, bias=False), torch.nn.ReLU(), torch.nn.Linear(r, m, bias=False))
    net = net.double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(theta[: n * r]).reshape(r, n))
        net[2].weight.copy_(torch.tensor(theta[n * r:]).reshape(m, r))
    return net


def _neuron_laws(net) -> torch.Tensor:
    """‖U1[j,:]‖² − ‖U2[:,j]‖² for each hidden neuron j (Prop. 3.5)."""
    return (net[0].weight ** 2).sum(1) - (net[2].weight ** 2).sum(0)


@settings(max_examples=15)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.data())
def test_torch_sgd_step_on_a_drawn_batch_changes_the_neuron_laws_by_eta_squared_q(n, r, m, data):
    """A real torch ReLU net, one ``torch.optim.SGD`` step on a drawn batch: Δh_j = η² (‖g_{U1}[j]‖² − ‖g_{U2}[:,j]‖²)."""
    theta = np.array(data.draw(cst.float_points(n * r + r * m, scale=1.0, min_abs=0.1), label="theta"))
    batch = data.draw(cst.data_batches(n, m), label="batch")
    eta = data.draw(st.sampled_from([0.3, 0.1, 0.01]), label="eta")
    net = _relu_net(n, r, m, theta)
    before = _neuron_laws(net).detach()
    loss = 0.5 * ((net(torch.tensor(batch.x)) - torch.tensor(batch.y)) ** 2).sum()
    loss.backward()
    g1, g2 = net[0].weight.grad.clone(), net[2].weight.grad.clone()
    torch.optim.SGD(net.parameters(), lr=eta).step()
    change = _neuron_laws(net).detach() - before
    predicted = eta ** 2 * ((g1 ** 2).sum(1) - (g2 ** 2).sum(0))
    size = eta ** 2 * ((g1 ** 2).sum(1) + (g2 ** 2).sum(0)) + 1e-300
    assert torch.all((change - predicted).abs() <= 1e-9 * (size + before.abs()))


# ------------------------------------------------------------------ certificates and LaTeX
CERT_KINDS = cst.architectures(kinds=("linear", "relu", "relu-bias", "attention", "softmax", "conv", "residual"),
                               admissible=False, max_dim=12)


@settings(max_examples=10)
@given(CERT_KINDS, st.integers(0, 10**4))
def test_certificates_round_trip_through_json_and_re_verify(inst, seed):
    cert = build_certificate(inst.build(), degree=2, seed=seed)
    text = certificate_text(cert)
    again = json.loads(text)
    assert certificate_text(again) == text
    report = check_certificate(again)
    assert report.ok, report.failures
    assert report.verdict["laws"] == cert["verdict"]["laws"]


def _balanced(tex: str) -> bool:
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "{}" and i and tex[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and tex.count(r"\left") == tex.count(r"\right") and tex.count("$") % 2 == 0


@settings(max_examples=5, suppress_health_check=FIXTURES)
@given(inst=CERT_KINDS)
def test_latex_statements_of_drawn_architectures_compile(inst, tmp_path):
    arch = inst.build()
    body = render_laws(arch, build_certificate(arch, degree=2), "latex")
    assert _balanced(body)
    exe = _pdflatex()
    (tmp_path / "s.tex").write_text(latex_document(body))
    done = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-1500:]


@settings(suppress_health_check=FIXTURES)
@given(inst=st.one_of(SMALL, EDGES))
def test_the_stated_laws_are_conserved(inst, assert_conserved):
    """Every law the literature states for the drawn architecture, through the plugin's exact ``assert_conserved``."""
    arch = inst.build()
    for law in arch.known_laws:
        assert_conserved(arch, law)
