"""Certificates of the modular route (issue 24, item 1): written by ``count --modular --certificate``, re-verified
by the checker's own code (:mod:`conslaw.verification.checker.modular`), and rejected when any claim is off.

Expected counts come from the papers' formulas where their hypotheses hold (one law per hidden ReLU neuron;
Σ n_l(n_l+1)/2 for a linear net whose hidden widths are at most their neighbours'; d'(d'+1)/2 + d''(d''+1)/2 per
attention head), never from a previous run."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
from conftest import first_failure

from conslaw.verification.checker import CertificateFormatError, check_certificate
from conslaw.verification.cli import run
from conslaw.verification.proofs.audit import audit_certificate
from conslaw.verification.proofs.modular_certificate import modular_certificate_text
from conslaw.verification.proofs.modular_count import modular_count

CASES = [
    ("relu", [3, 4, 2], {}, 4),
    ("relu", [2, 3, 3, 2], {"bias": True}, 6),
    ("linear", [2, 3, 2], {}, 6),
    ("linear", [3, 2, 2, 3], {}, 6),
    ("attention", [], {"d": 3, "dk": 2, "dv": 1}, 4),
    ("attention", [], {"d": 2, "dk": 2, "dv": 1, "heads": 2}, 8),
]


def _cert(arch, widths, options):
    report = modular_count(arch, widths, certify=True, **options)
    return report, json.loads(modular_certificate_text(report["certificate"]))


@pytest.mark.parametrize("arch, widths, options, expected", CASES)
def test_the_checker_verifies_the_formula_count(arch, widths, options, expected):
    report, cert = _cert(arch, widths, options)
    checked = check_certificate(cert)
    assert checked.ok, checked.failures
    assert report["laws"] == expected and checked.verdict == {"status": "proven", "laws": expected}
    assert audit_certificate(modular_certificate_text(cert).encode())["status"] == "passed"


@pytest.fixture(scope="module")
def linear_cert():
    return _cert("linear", [2, 3, 2], {})[1]


def test_a_law_that_is_not_conserved_is_rejected(linear_cert):
    cert = copy.deepcopy(linear_cert)
    cert["laws"][0]["terms"][0][0] = str(int(cert["laws"][0]["terms"][0][0]) + 1)
    assert "not conserved" in first_failure(cert)


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_the_first_law_that_fails_is_named_whatever_the_threads(linear_cert, monkeypatch, threads):
    """Parts of the laws are checked side by side and stop once an earlier part fails: the law named is still the
    first one that fails, here law 2 of 6 with the last law also broken."""
    from conslaw.verification.checker import modular as checker

    monkeypatch.setattr(checker, "THREADS", threads)
    cert = copy.deepcopy(linear_cert)
    assert len(cert["laws"]) == 6
    for n in (2, 5):
        cert["laws"][n]["terms"][0][0] = str(int(cert["laws"][n]["terms"][0][0]) + 1)
    assert first_failure(cert).startswith("law 2 is not conserved")


def test_dependent_laws_are_rejected(linear_cert):
    cert = copy.deepcopy(linear_cert)
    cert["laws"].append(copy.deepcopy(cert["laws"][0]))
    cert["law_rank"] += 1
    assert "not shown independent" in first_failure(cert)


def test_an_overclaimed_rank_is_rejected(linear_cert):
    cert = copy.deepcopy(linear_cert)
    cert["rank"] += 1
    assert "claims" in first_failure(cert)


def test_rows_missing_leave_a_bound_not_a_count(linear_cert):
    """Without its bracket rows the linear net's rows span less than D − L: the verdict "proven" is refused."""
    cert = copy.deepcopy(linear_cert)
    assert cert["rows"]["brackets"]
    cert["rows"]["brackets"] = []
    checked = check_certificate(cert)
    assert not checked.ok  # the claimed rank no longer holds
    cert["rank"] = int(checked.failures[0].split("rank ")[1].split()[0])
    assert "verdict" in first_failure(cert)


def test_another_architecture_is_rejected(linear_cert):
    cert = copy.deepcopy(linear_cert)
    cert["architecture"] = {"name": "linear", "widths": [2, 3, 3]}
    assert "not the" in first_failure(cert)


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(prime=1048575), "not a prime"),
    (lambda c: c.update(prime=7), "outside"),
    (lambda c: c.update(D=10**6), "outside"),
    (lambda c: c["point"].append(1), "list of"),
    (lambda c: c["laws"][0]["terms"][0].__setitem__(0, "1/2"), "not an integer"),
    (lambda c: c["laws"][0]["terms"][0].__setitem__(0, "__import__('os')"), "not an integer"),
    (lambda c: c["laws"][0]["terms"][0][1].__setitem__(0, [0, 50]), "exponent"),
    (lambda c: c["rows"]["combinations"][0].__setitem__(0, [10**6, 1]), "component index"),
    (lambda c: c["rows"]["combinations"][0].__setitem__(0, [0, 0]), "coefficient"),
    (lambda c: c["architecture"].update(name="softmax"), "softmax"),
    (lambda c: c.update(component_order="as written"), "component order"),
])
def test_malformed_certificates_are_refused_with_a_reason(linear_cert, change, message):
    cert = copy.deepcopy(linear_cert)
    change(cert)
    with pytest.raises(CertificateFormatError, match=message):
        check_certificate(cert)


def test_cli_writes_checks_and_reports_the_certificate(tmp_path, capsys):
    path = tmp_path / "c.json"
    assert run(["count", "attention", "--d", "3", "--dk", "2", "--dv", "2", "--modular", "--json",
                "--certificate", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["laws"] == 6 and report["certificate"] == str(path)
    assert "verified by the independent checker" in report["evidence"]
    assert run(["check", str(path)]) == 0
    assert "exactly 6 independent" in capsys.readouterr().out
    assert run(["count", "relu", "2", "2", "2", "--certificate", str(path)]) == 2  # exact counts: 'certify'


def test_checking_a_modular_certificate_loads_no_producer_code(tmp_path):
    """In a fresh interpreter: the modular checker loads NumPy and FLINT, and none of conslaw's producer
    modules (the proofs, the architectures, the polynomial tables)."""
    path = tmp_path / "c.json"
    path.write_text(modular_certificate_text(_cert("relu", [2, 3, 2], {})[1]))
    code = ("import sys\nfrom conslaw.verification.checker import check_file\n"
            f"assert check_file({str(path)!r}).ok\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('conslaw'))))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                            env=dict(os.environ)).stdout.split()
    producer = [m for m in loaded if m.startswith(("conslaw.verification.proofs", "conslaw.algebra.architectures",
                                                    "conslaw.verification.numeric"))]
    assert not producer and "conslaw.verification.checker.modular" in loaded


def test_a_residual_block_has_the_count_of_its_g():
    """Prop. 3.2: x + g(theta, x) has g's fields; the certificate names the residual block, the checker rebuilds
    g's phi, and unequal input and output sizes are refused on both sides."""
    report = modular_count("relu", [3, 4, 3], residual=True, certify=True)
    cert = json.loads(modular_certificate_text(report["certificate"]))
    assert report["laws"] == 4 and cert["architecture"]["name"] == "residual-relu"
    assert check_certificate(cert).ok
    cert["architecture"]["widths"] = [3, 4, 2]
    with pytest.raises(CertificateFormatError, match="equal input and output"):
        check_certificate(cert)
    with pytest.raises(Exception, match="equal input and output"):
        modular_count("relu", [3, 4, 2], residual=True)


@pytest.mark.parametrize("widths, expected", [([2, 3, 3, 2], 12), ([2, 4, 4, 2], 20), ([2, 3, 3, 3, 2], 18)])
def test_deep_linear_nets_need_and_get_depth_two_brackets(widths, expected):
    """Deep linear nets: sum over hidden layers of n_l(n_l+1)/2 laws (each hidden width at most its neighbours'
    sum); level 1 falls short and the certificate carries brackets of depth 2, re-evaluated by the checker."""
    report, cert = _cert("linear", widths, {})
    assert report["laws"] == expected and cert["rows"]["brackets2"]
    assert check_certificate(cert).ok
    cert["rows"]["brackets2"] = []
    assert not check_certificate(cert).ok


def test_the_checker_brackets_are_lie_brackets():
    """The checker's values of [X_a, X_b] and [X_a, [X_b, X_c]] at a point equal SymPy's brackets of the same
    gradient fields (Jacobians of expression matrices), mod p: the formulas behind the rank are right."""
    import numpy as np
    import sympy

    from conslaw.verification.checker import modular as checker

    D, comp, coef, var = checker.modular_phi("linear", {"widths": [2, 2, 2, 2], "bias": False, "residual": False})
    K, p = int(comp.max()) + 1, 1048573
    theta = sympy.symbols(f"t0:{D}")
    phi = [sum((c * sympy.Mul(*[theta[v] for v in row if v >= 0]) for k2, c, row in zip(comp, coef, var) if k2 == k),
               sympy.Integer(0)) for k in range(K)]
    x = np.array([3, -5, 7, 2, -4, 6, 1, -2, 5, 8, -3, 4], dtype=np.int64)  # degree 3: third derivatives matter
    at = dict(zip(theta, x.tolist()))
    a, b, c = (np.array([0, 2]), np.array([5, 7])), (np.array([1, 3]), np.array([11, 2])), (np.array([0, 3]),
                                                                                            np.array([4, 9]))
    field = {name: sympy.Matrix([sympy.diff(sum(int(w) * phi[k] for k, w in zip(*ws)), t) for t in theta])
             for name, ws in (("a", a), ("b", b), ("c", c))}
    T = sympy.Matrix(theta)

    def bracket(X, Y):
        return Y.jacobian(T) * X - X.jacobian(T) * Y

    def mod(v):
        return [int(e) % p for e in v.subs(at)]

    from conslaw.verification.checker.modular_loops import grouped_entries

    dc, dj, dk, dr = checker._derivatives(comp, coef, var)
    xm = np.mod(x, p)
    jac = checker._Entries(*grouped_entries(dc, dj, np.mod(dk, p), dr, xm, p, K, 0))
    hess = checker._Entries(*grouped_entries(dc, dj, np.mod(dk, p), dr, xm, p, K, 1))
    third = checker._Entries.sorted_from(*checker._third_derivatives(dc, dj, dk, dr, xm, p, K))
    Xa, Xb = (checker._combination(jac, *ws, D, p) for ws in (a, b))
    level1 = (checker._hessian_times(hess, *b, Xa, D, p) - checker._hessian_times(hess, *a, Xb, D, p)) % p
    assert level1.tolist() == mod(bracket(field["a"], field["b"]))
    depth2 = checker._depth2_value(jac, hess, third, a, b, c, D, p)
    assert depth2.tolist() == mod(bracket(field["a"], bracket(field["b"], field["c"])))


def test_the_identity_check_refuses_monomials_it_cannot_pack(linear_cert, monkeypatch):
    """Where a product's monomial does not fit one int64 the checker refuses with the reason, never a verdict."""
    from conslaw.verification.checker import modular as checker

    monkeypatch.setattr(checker, "ONE_KEY_LIMIT", 0)
    with pytest.raises(CertificateFormatError, match="too large for the checker's packed identity check"):
        check_certificate(copy.deepcopy(linear_cert))
