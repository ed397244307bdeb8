"""The checker's side of sign-flow certificates (format ``conslaw-sign-flow-certificate``), independent of
:mod:`sign_flow`, which writes them.

Near a rational θ_0 the sign flow's fields sign(∂φ(θ)ᵀw) are constant, so the laws near θ_0 are the linear
functions c·θ with c orthogonal to the sign vectors.  The certificate lists the integer w it used, their sign
vectors, their rank r and the laws' coefficients c.  The checker rebuilds φ from the architecture with SymPy
expressions, recomputes each sign vector sign(∂φ(θ_0)ᵀw) exactly (refusing a zero from a cancellation: there the
field is not constant near θ_0), the rank r (``DomainMatrix`` over QQ), each law's orthogonality and their
independence.  What that proves: at most D − r laws near θ_0 (the sampled sign vectors are in the trace).  The
count is proven when r = D (no law), or when d = 1 and both patterns ±sign ∇φ(θ_0) are listed — all of them —
and the laws meet D − r; otherwise the verdict is an upper bound, and the laws are only candidates.
"""
from __future__ import annotations

from typing import Any

import sympy

from .exact import _gradient, _rank
from .phi import _check_parameters, _rebuild_phi, check_presentation, phi_size
from .reading import (
    LIMITS,
    CheckReport,
    _int,
    _need,
    _parameters,
    _rational,
    _show,
    strictly_equal,
)
from .running import _budget, tick
from .verdicts import check_verdict_types

VERSION = 1


def _vector(value: Any, D: int, what: str) -> list:
    _need(isinstance(value, list) and len(value) == D, f"{what} must be a list of {D} numbers")
    out = []
    for c in value:
        q = _rational(c, what)
        out.append(sympy.Rational(q.numerator, q.denominator))
    return out


def check_sign_flow_certificate(cert: dict) -> CheckReport:
    for key in ("version", "architecture", "parameters", "point", "w", "patterns", "rank", "laws", "verdict"):
        _need(key in cert, f"missing key {key!r}")
    _need(cert["version"] == VERSION, f"unsupported sign-flow certificate version {_show(cert['version'])}")
    names = _parameters(cert)
    _need(isinstance(cert["verdict"], dict), f"\"verdict\" must be an object, got {_show(cert['verdict'])}")
    check_verdict_types(cert["verdict"])
    _int(cert["rank"], "the rank", 0, LIMITS.max_parameters)
    D = len(names)
    symbols = [sympy.Symbol(n) for n in names]
    size = phi_size(cert["architecture"])
    _check_parameters(cert, names)
    _budget(size.components * size.terms * size.degree * D, "the sign flow's Jacobian dphi(theta_0)")
    phi = _rebuild_phi(cert["architecture"])
    point = _vector(cert["point"], D, "the point")
    at = dict(zip(symbols, point))
    J = [[g.xreplace(at) for g in _gradient(p, symbols)] for p in phi]
    structural_zero = [all(row[i] == 0 for row in J) for i in range(D)]
    ws, patterns = cert["w"], cert["patterns"]
    _need(isinstance(ws, list) and isinstance(patterns, list) and len(ws) == len(patterns) <= LIMITS.max_brackets,
          f"\"w\" and \"patterns\" must be lists of the same length, at most {LIMITS.max_brackets}")
    fails: list[str] = []
    facts: list[str] = [f"parameters: the {D} of the architecture, in its order"]
    check_presentation(cert, fails, facts)
    rows = []
    for j, (w, pattern) in enumerate(zip(ws, patterns)):
        tick("recomputing the sign vectors")
        _need(isinstance(w, list) and len(w) == len(phi), f"w {j} must have {len(phi)} integer entries")
        w = [_int(x, f"w {j} entry", -10**6, 10**6) for x in w]
        _need(isinstance(pattern, list) and len(pattern) == D, f"pattern {j} must have {D} signs")
        for x in pattern:
            _need(type(x) is int and x in (-1, 0, 1), f"pattern {j}: a sign is -1, 0 or 1, got {_show(x)}")
        v = [sum(wk * row[i] for wk, row in zip(w, J)) for i in range(D)]
        signs = [int(sympy.sign(x)) for x in v]
        if signs != pattern:
            fails.append(f"pattern {j} is not sign(dphi(theta_0)^T w) for its w")
        if any(s == 0 and not z for s, z in zip(signs, structural_zero)):
            fails.append(f"w {j} gives a zero by cancellation: its field is not constant near theta_0")
        rows.append(signs)
    rank = _rank(rows) if rows else 0
    _need(isinstance(cert["laws"], list) and len(cert["laws"]) <= min(D, LIMITS.max_laws),
          f"\"laws\" must be a list of at most {D} laws")
    if not strictly_equal(cert["rank"], rank):
        fails.append(f"the sign vectors have rank {rank}, not the claimed {_show(cert['rank'])}")
    laws = []
    for i, law in enumerate(cert["laws"]):
        _need(isinstance(law, dict) and "coefficients" in law, f"law {i} must be an object with \"coefficients\"")
        c = _vector(law["coefficients"], D, f"law {i} coefficients")
        if all(x == 0 for x in c):
            fails.append(f"law {i} is zero")
        elif any(sum(a * b for a, b in zip(c, r)) != 0 for r in rows):
            fails.append(f"law {i} is not orthogonal to every sign vector")
        laws.append(c)
    m = _rank(laws) if laws else 0
    if m != len(laws):
        fails.append(f"the laws have rank {m}, not {len(laws)}: they are not independent")
    facts.append(f"{len(rows)} sign vectors recomputed from phi rebuilt independently, rank {rank}; {m} laws "
                 "orthogonal to them")
    both = len(phi) == 1 and sorted(map(tuple, ws)) == [(-1,), (1,)]
    if rank == D or (both and rank + m == D):
        expected = {"status": "proven", "laws": D - rank}
    else:
        expected = {"status": "bounded", "upper": D - rank}
    verdict = cert["verdict"]
    if not isinstance(verdict, dict) or not strictly_equal({k: verdict.get(k) for k in expected}, expected):
        fails.append(f"the verdict {_show(verdict)} is not what the verified numbers give, {expected}")
    return CheckReport(not fails, fails, facts, expected, "sign")


__all__ = ["VERSION", "check_sign_flow_certificate"]
