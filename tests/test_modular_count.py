"""The modular route of ``count --modular`` (issue 24, item 1): integer term tables, the exact identity check of
the stated laws, and the rank mod p lower bound on dim Lie.  Expected counts from the papers' formulas where their
hypotheses hold, and from the exact engine (SymPy rings, ``lie_trace``: another code path) at the edges."""
from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from conslaw.algebra import ConslawError, build_architecture, lie_trace
from conslaw.algebra.architectures import SPECS
from conslaw.verification.cli import run
from conslaw.verification.proofs.counting import count_laws
from conslaw.verification.proofs.modular_count import modular_count
from conslaw.verification.proofs.modular_rank import (
    SCREEN_PRIME,
    gradient_rank_mod,
    integer_point,
    lie_rank_lower_bound,
)
from conslaw.verification.proofs.poly_table import MonomialSum, PolynomialTable, TableTooLargeError, product_vanishes


def cli(*args):
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def test_the_prime_is_prime():
    assert sympy.isprime(SCREEN_PRIME) and SCREEN_PRIME < 2**20


def test_tables_are_exact_and_bounded():
    x, y = MonomialSum.variable(0), MonomialSum.variable(1)
    p = (x + y) ** 2 - x * x - 2 * x * y
    assert p.terms == {(1, 1): 1}
    with pytest.raises(ConslawError, match="integers only"):
        _ = x * 0.5
    with pytest.raises(TableTooLargeError, match="too many terms"):
        PolynomialTable.from_array_map(lambda t: [np.prod(t[:4] + t[4:8]) ** 3], 8, max_products=1000)


@pytest.mark.parametrize("arch, widths, options", [
    ("relu", [3, 3, 3], {}), ("relu", [2, 4, 3], {}), ("relu", [3, 2, 2, 3], {}), ("relu", [1, 3, 1], {}),
    ("linear", [3, 2, 3], {}), ("linear", [2, 2, 2], {}), ("linear", [1, 3, 1], {}), ("linear", [2, 3, 3, 2], {}),
    ("attention", [], {"d": 3, "dk": 2, "dv": 2}), ("attention", [], {"d": 2, "dk": 3, "dv": 1, "heads": 2}),
])
def test_the_modular_count_is_the_exact_one(arch, widths, options):
    report = modular_count(arch, widths, **options)
    _, _, exact = count_laws(build_architecture(arch, widths, **options))
    spec = SPECS[arch]
    full = {o.name: options.get(o.name) for o in spec.option_specs}
    formula = spec.expected_count(widths, False, full)
    if formula is not None and formula.in_hypotheses:
        assert exact["laws"] == formula.laws
    if report["status"] == "proven":
        assert report["laws"] == exact["laws"]
    else:  # the stated laws fall short of the truth outside the hypotheses: bounds around it, never a count
        assert report["laws"] is None and report["laws_at_least"] <= exact["laws"] <= report["laws_at_most"]
    assert report["rank_lower_bound"] <= exact["rank"]
    assert report["model_count"] == exact["model_count"]  # several heads: phi's count, a lower bound for the model


def test_relu_bias_count():
    assert modular_count("relu", [3, 4, 2], bias=True)["laws"] == 4  # one law per hidden neuron


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=4), st.sampled_from(["relu", "linear"]),
       st.integers(0, 10**6))
def test_the_rank_mod_p_never_exceeds_the_exact_rank(widths, arch, seed):
    """Soundness: at any seed, the modular bound is at most the exact trace rank (here: equal, generically)."""
    spec = SPECS[arch]
    D, _ = spec.sizes(widths, False, {})
    table = PolynomialTable.from_array_map(spec.array_phi(widths, False, {}), D)
    bound = lie_rank_lower_bound(table, D, seed=seed)
    exact = lie_trace(build_architecture(arch, widths).generators()).rank
    assert bound.rank <= exact


def test_a_wrong_stated_law_is_refuted_and_the_count_not_claimed(monkeypatch):
    spec = SPECS["relu"]

    def wrong_laws(widths, bias, options):
        right = spec.array_laws(widths, bias, options)
        return lambda theta: [b * 2 if k == 0 else b for k, b in enumerate(right(theta))]  # 2‖in‖² − 2‖out‖²: fine

    def broken_laws(widths, bias, options):
        right = spec.array_laws(widths, bias, options)

        def laws(theta):
            h = right(theta)[0].copy()
            h[0] = h[0] + theta[0] * theta[1]  # a law that is not conserved
            return [h]
        return laws

    monkeypatch.setitem(SPECS, "relu", dataclasses.replace(spec, array_laws=wrong_laws))
    assert modular_count("relu", [3, 3, 3])["laws"] == 3  # scaled laws are laws
    monkeypatch.setitem(SPECS, "relu", dataclasses.replace(spec, array_laws=broken_laws))
    report = modular_count("relu", [3, 3, 3])
    assert report["stated_laws"]["refuted"] == [0] and report["laws"] is None
    assert report["laws_at_least"] == 2 and report["laws_at_most"] == 3


def test_identity_check_finds_a_non_law():
    spec = SPECS["linear"]
    D, _ = spec.sizes([2, 2, 2], False, {})
    phi = PolynomialTable.from_array_map(spec.array_phi([2, 2, 2], False, {}), D)
    laws = PolynomialTable.from_array_map(lambda t: [t[0] ** 2 + t[1] ** 2 - t[4] ** 2 - t[6] ** 2, t[0] * t[5]], D)
    assert {i for i, _ in product_vanishes(phi, laws)} == {1}
    assert gradient_rank_mod(laws, integer_point(D, 0)) == 2


def test_cli_modular(capsys):
    code, text = cli("count", "relu", "4", "3", "2", "--modular")
    assert code == 0 and "exactly 3 (proven" in text and "dim Lie >= 15" in text
    assert "not re-verified by the independent checker" in text  # no certificate for this route: said
    code, text = cli("count", "linear", "2", "2", "2", "--modular", "--json")
    report = json.loads(text)
    assert code == 0 and report["route"] == "modular" and report["laws"] == 3 and report["prime"] == SCREEN_PRIME
    for args in (["count", "softmax", "3", "2", "--modular"], ["count", "relu", "2", "2", "2", "--modular", "--numeric"],
                 ["count", "relu", "2", "0", "2", "--modular"]):
        code, _ = cli(*args)
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, args


def test_a_fields_file_phi_by_the_modular_route(tmp_path, capsys):
    """The phi and law lines of a --fields file (rational coefficients scaled to integers): a two-layer linear net
    with its h(h + 1)/2 = 3 laws stated (one of them halved) and a false one, then with none stated."""
    from test_fields_file import linear_phi_text

    laws = ["(U[0,0]**2 + U[0,1]**2 + U[0,2]**2 - V[0,0]**2 - V[1,0]**2 - V[2,0]**2)/2",
            "U[0,0]*U[1,0] + U[0,1]*U[1,1] + U[0,2]*U[1,2] - V[0,0]*V[0,1] - V[1,0]*V[1,1] - V[2,0]*V[2,1]",
            "U[1,0]**2 + U[1,1]**2 + U[1,2]**2 - V[0,1]**2 - V[1,1]**2 - V[2,1]**2", "U[0,0]*V[0,0]/3"]
    path = tmp_path / "linear.txt"
    path.write_text(linear_phi_text(3, 2, 3) + "".join(f"law: {h}\n" for h in laws))
    code, text = cli("count", "--fields", str(path), "--modular", "--json")
    report = json.loads(text)
    assert code == 0 and report["laws"] == 3 and report["stated_laws"]["refuted"] == [3]
    path.write_text(linear_phi_text(3, 2, 3))
    code, text = cli("count", "--fields", str(path), "--modular", "--json")
    report = json.loads(text)
    assert code == 1 and report["laws"] is None and report["laws_at_least"] == 0 and report["laws_at_most"] == 3
    path.write_text("parameters: x y\nfield: y, -x\n")
    code, _ = cli("count", "--fields", str(path), "--modular")
    assert code == 2 and "'field:' lines" in capsys.readouterr().err
