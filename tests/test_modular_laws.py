"""Degree-2 laws at the numeric scale (issue 24, item 2): ``laws … --modular`` and its engine
(:mod:`conslaw.verification.proofs.modular_laws`).

Cross-checks against an independent code path — the exact coefficient system over QQ of
:func:`conslaw.algebra.law_discovery.polynomial_laws` on SymPy fields — on architectures and on random polynomial
maps (hypothesis), including linear laws, unused parameters and blocks that do not interact; the expected counts at
scale come from the papers' formulas."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conslaw.algebra import build_architecture
from conslaw.algebra.fields import PolynomialVectorField
from conslaw.algebra.law_discovery import polynomial_laws
from conslaw.algebra.parameters import ParameterSpace
from conslaw.verification.cli import run
from conslaw.verification.proofs.modular_laws import character_hashes, degree2_laws
from conslaw.verification.proofs.poly_table import MonomialSum, PolynomialTable, product_vanishes


def _ring(space, poly: MonomialSum):
    out = space.ring.zero
    for m, c in poly.terms.items():
        term = space.ring(c)
        for v in m:
            term *= space.ring.gens[v]
        out += term
    return out


def _exact_dimension(polys: list[MonomialSum], D: int) -> int:
    space = ParameterSpace([f"x{i}" for i in range(D)])
    return len(polynomial_laws([PolynomialVectorField.gradient(space, _ring(space, p)) for p in polys], 2).laws)


@pytest.mark.parametrize("arch, widths, options", [
    ("relu", [3, 4, 2], {}), ("relu", [2, 3, 2], {"bias": True}), ("relu", [2, 2, 2, 2], {}),
    ("linear", [2, 3, 2], {}), ("linear", [4, 5, 1], {}), ("linear", [2, 2, 3, 1], {}),
    ("attention", [], {"d": 3, "dk": 2, "dv": 1}), ("attention", [], {"d": 2, "dk": 2, "dv": 2, "heads": 2}),
])
def test_the_basis_is_the_exact_one(arch, widths, options):
    a = build_architecture(arch, widths, **options)
    exact = polynomial_laws([PolynomialVectorField.gradient(a.space, f) for f in a.phi], 2)
    from conslaw.algebra.architectures import SPECS
    spec = SPECS[arch]
    full = {o.name: options.get(o.name) for o in spec.option_specs}
    table = PolynomialTable.from_array_map(spec.array_phi(list(widths), options.get("bias", False), full), a.dim)
    laws, summary = degree2_laws(table)
    assert len(laws) == len(exact.laws) and summary["basis"] == len(laws)
    assert not product_vanishes(table, PolynomialTable.from_polynomials(laws, a.dim))  # each an identity


_term = st.tuples(st.lists(st.integers(0, 5), min_size=1, max_size=3), st.sampled_from([-2, -1, 1, 2]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 6), st.lists(st.lists(_term, min_size=1, max_size=3), min_size=1, max_size=4))
def test_random_maps_match_the_exact_system(D, components):
    polys = []
    for terms in components:
        acc: dict = {}
        for variables, c in terms:
            m = tuple(sorted(v % D for v in variables))
            acc[m] = acc.get(m, 0) + c
        acc = {m: c for m, c in acc.items() if c}
        if acc:
            polys.append(MonomialSum(acc))
    if not polys:
        return
    laws, _ = degree2_laws(PolynomialTable.from_polynomials(polys, D))
    assert len(laws) == _exact_dimension(polys, D)


def test_linear_laws_of_two_blocks_give_their_products():
    """phi = (x0 + x1, x2 + x3): blocks {0, 1} and {2, 3}, linear laws x0 - x1 and x2 - x3; their product is a
    mixed law of degree 2, found by the block rule (and by the exact system)."""
    polys = [MonomialSum({(0,): 1, (1,): 1}), MonomialSum({(2,): 1, (3,): 1})]
    laws, summary = degree2_laws(PolynomialTable.from_polynomials(polys, 4))
    assert summary["blocks"] == 2 and len(laws) == _exact_dimension(polys, 4)
    assert any(len({v for m in h.terms for v in m}) == 4 for h in laws)  # the product touches both blocks


def test_the_sign_flips_of_a_linear_net():
    """U2 U1 with widths (n, h, m): flips of an input column, a hidden unit or an output row keep every component
    even or odd, and nothing else does (the constant flip of every parameter is one of them): n + h + m - 1."""
    from conslaw.algebra.architectures import SPECS
    n, h, m = 3, 2, 4
    table = PolynomialTable.from_array_map(SPECS["linear"].array_phi([n, h, m], False, {}), n * h + h * m)
    _, dimension = character_hashes(table)
    assert dimension == n + h + m - 1


def test_cli_laws_modular_formats(tmp_path, capsys):
    assert run(["laws", "relu", "3", "4", "2", "--modular"]) == 0
    text = capsys.readouterr().out
    assert "exactly 4 independent conservation laws" in text and "verified by the independent checker" in text
    assert run(["laws", "attention", "--d", "3", "--dk", "2", "--dv", "2", "--modular", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"]["laws"] == 6 and len(report["laws"]) == 6 and report["route"] == "modular"
    assert run(["laws", "linear", "2", "3", "2", "--modular", "--format", "latex", "-o", str(tmp_path / "l.tex")]) == 0
    assert "U^{(1)}" in (tmp_path / "l.tex").read_text()
    assert run(["laws", "relu", "2", "2", "2", "--modular", "--degree", "3"]) == 2
    assert run(["laws", "softmax", "3", "2", "--modular"]) == 2


def test_laws_at_scale_follow_the_formula():
    """relu k k k: one law per hidden neuron (Prop. 3.5); D = 2 k^2 = 1,152 here (the benchmark goes to D >= 2,000)."""
    from conslaw.verification.proofs.modular_law_search import modular_law_search
    report, laws, names = modular_law_search("relu", [24, 24, 24])
    assert report["laws"] == 24 and len(laws) == 24 and len(names) == 2 * 24 * 24


def _sum(terms, D: int) -> MonomialSum:
    acc: dict = {}
    for variables, c in terms:
        m = tuple(sorted(v % D for v in variables))
        acc[m] = acc.get(m, 0) + c
    return MonomialSum({m: c for m, c in acc.items() if c} or {(0,): 1})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 6), st.lists(st.lists(_term, min_size=1, max_size=3), min_size=1, max_size=4),
       st.lists(st.lists(_term, min_size=1, max_size=4), min_size=1, max_size=5))
def test_the_compiled_identity_check_matches_the_numpy_one(D, components, candidates):
    """The compiled hash-table loop and the NumPy sort-and-sum path of ``product_vanishes`` name the same failing
    (law, smallest component) pairs — on random candidates (mostly not conserved) and on the true laws."""
    table = PolynomialTable.from_polynomials([_sum(t, D) for t in components], D)
    true_laws, _ = degree2_laws(table)
    laws = PolynomialTable.from_polynomials([_sum(t, D) for t in candidates] + list(true_laws), D)
    compiled = product_vanishes(table, laws)
    assert compiled == product_vanishes(table, laws, compiled=False)
    assert not {i for i, _ in compiled} & set(range(len(candidates), len(candidates) + len(true_laws)))
