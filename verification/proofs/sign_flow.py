"""The sign flow θ' = −sign(∇L(θ)), the simplified Adam of the main paper (Section 2.3, Appendix R).

Its fields are X_w(θ) = sign(∂φ(θ)ᵀ w), one per direction w ∈ R^d.  Near a generic θ each is constant (the
signs of the entries of ∂φ(θ)ᵀw do not change), so every bracket vanishes there and the trace of the Lie
algebra is the span of the sign vectors themselves; the laws near θ are the linear functions c·θ with c
orthogonal to that span, D − rank of them.  In an orthant (signs s_i of θ_i fixed) c·θ = Σ (c_i s_i)|θ_i|: a law
written with absolute values, which :func:`sign_flow_laws` checks at points of other orthants too.

Everything is exact at a rational point: ∂φ(θ) over QQ, the signs of ∂φ(θ)ᵀw for seeded integer w, their rank
over QQ.  The w are sampled, so in general the rank is a lower bound of the trace's dimension and D − rank an
upper bound of the count; it is exact when the rank is D (no law) or when d = 1 (the patterns are ±sign ∇φ(θ):
all of them are seen).
"""
from __future__ import annotations

import random
from typing import Sequence, TypedDict

from sympy import QQ

from conslaw.algebra import PolynomialVectorField, exact_rank, working_points
from conslaw.algebra.parameters import latex_name
from conslaw.algebra.points import format_point


def sign_patterns(arch, point: Sequence, samples: int = 400, seed: int = 0,
                  with_w: bool = False) -> list[tuple[int, ...]] | list[tuple[tuple[int, ...], list[int]]]:
    """The distinct nonzero sign vectors sign(∂φ(θ)ᵀw) at ``point`` for ``samples`` seeded integer w (for d = 1,
    exactly the two of w = ±1).  A vector with a 0 where the column of ∂φ(θ) is not zero is left out: that 0
    comes from a cancellation at this w, and the field X_w is not constant near θ there.  ``with_w``: pairs
    (pattern, the first w that gave it)."""
    grads = [PolynomialVectorField.gradient(arch.space, p).evaluate(point) for p in arch.phi]
    structural_zero = [all(g[i] == 0 for g in grads) for i in range(arch.dim)]
    rng = random.Random(seed)
    ws = [[1], [-1]] if len(grads) == 1 else [[rng.randint(-9, 9) for _ in grads] for _ in range(samples)]
    seen: dict[tuple[int, ...], list[int]] = {}
    for w in ws:
        v = [sum((wk * g[i] for wk, g in zip(w, grads)), QQ(0)) for i in range(arch.dim)]
        pattern = tuple((x > 0) - (x < 0) for x in v)
        if any(pattern) and all(p or z for p, z in zip(pattern, structural_zero)):
            seen.setdefault(pattern, w)
    return list(seen.items()) if with_w else list(seen)


def _null_space(rows: list[tuple[int, ...]], dim: int) -> list[list]:
    """A basis of {c ∈ QQ^dim : r·c = 0 for every row r} (reduced echelon form, exact)."""
    from sympy import Matrix

    if not rows:
        return [[QQ(int(i == j)) for i in range(dim)] for j in range(dim)]
    return [[QQ(int(x.p), int(x.q)) for x in v] for v in Matrix(rows).nullspace()]


def _orthant_points(dim: int, seed: int, count: int) -> list[list]:
    """``count`` seeded rational points with random signs (other orthants than the first point's)."""
    rng = random.Random(seed + 101)
    points = []
    for p in working_points(dim, seed=seed + 1, count=count):
        points.append([abs(x) * rng.choice((1, -1)) for x in p])
    return points


class SignFlowReport(TypedDict, total=False):
    """The keys of :func:`sign_flow_laws`'s report that readers rely on (:func:`~..report.text.sign_flow_text`)."""

    D: int
    patterns: int
    w_samples: int
    rank: int
    laws: int
    exact: bool
    count_kind: str
    laws_text: list[str]
    laws_hold_in_other_orthants: list[bool]


def sign_flow_laws(arch, seed: int = 0, samples: int = 400, other_orthants: int = 6) -> SignFlowReport:
    """The sign flow's laws near a seeded rational θ_0: the rank of the sign vectors, the count D − rank (exact or
    an upper bound, see the module), and the laws as Σ a_i |θ_i| — each checked orthogonal to the sign vectors at
    ``other_orthants`` more points with other signs."""
    point = working_points(arch.dim, seed=seed, count=1)[0]
    patterns = sign_patterns(arch, point, samples, seed)
    rank = exact_rank([list(p) for p in patterns]) if patterns else 0
    complete = len(arch.phi) == 1 or rank == arch.dim
    signs = [(x > 0) - (x < 0) for x in point]
    abs_coeffs = [[c * s for c, s in zip(v, signs)] for v in _null_space(patterns, arch.dim)]
    elsewhere = _orthant_points(arch.dim, seed, other_orthants)
    held = []
    for a in abs_coeffs:
        ok = True
        for q in elsewhere:
            s_q = [(x > 0) - (x < 0) for x in q]
            c_q = [ai * si for ai, si in zip(a, s_q)]
            if any(sum((ci * pi for ci, pi in zip(c_q, p)), QQ(0)) != 0 for p in sign_patterns(arch, q, samples, seed)):
                ok = False
                break
        held.append(ok)
    names = arch.space.names
    return {
        "D": arch.dim, "point": format_point(point), "w_samples": 2 if len(arch.phi) == 1 else samples,
        "patterns": len(patterns), "rank": rank, "laws": arch.dim - rank,
        "exact": complete,
        "count_kind": ("exact: the sign vectors span R^D" if rank == arch.dim else
                       "exact: d = 1, both patterns ±sign ∇φ seen" if len(arch.phi) == 1 else
                       "upper bound: sampled w may miss sign patterns"),
        "laws_text": [_abs_text(a, names) for a in abs_coeffs],
        "laws_latex": [_abs_latex(a, names) for a in abs_coeffs],
        "laws_hold_in_other_orthants": held,
    }


def sign_flow_certificate(arch, seed: int = 0, samples: int = 400) -> dict:
    """The certificate of :func:`sign_flow_laws`' count at its seeded θ_0 (format
    ``conslaw-sign-flow-certificate``, checked by :mod:`checker_sign_flow`): the w used, their sign vectors, the
    rank, the laws' coefficients c (c·θ near θ_0), and the verdict those numbers support."""
    from ..checker.sign_flow import VERSION
    from .certificate import architecture_spec

    point = working_points(arch.dim, seed=seed, count=1)[0]
    pairs = sign_patterns(arch, point, samples, seed, with_w=True)
    patterns = [p for p, _ in pairs]
    rank = exact_rank([list(p) for p in patterns]) if patterns else 0
    laws = _null_space(patterns, arch.dim)
    signs = [(x > 0) - (x < 0) for x in point]
    names = arch.space.names
    proven = rank == arch.dim or len(arch.phi) == 1
    verdict = ({"status": "proven", "laws": arch.dim - rank,
                "text": f"exactly {arch.dim - rank} independent laws near theta_0"} if proven else
               {"status": "bounded", "upper": arch.dim - rank,
                "text": f"at most {arch.dim - rank} laws near theta_0 (sampled w may miss sign patterns)"})
    return {"format": "conslaw-sign-flow-certificate", "version": VERSION, "architecture": architecture_spec(arch),
            "description": f"{arch.description}, sign flow theta' = -sign(grad L) near a seeded rational theta_0",
            "parameters": list(names), "D": arch.dim, "point": format_point(point), "seed": seed,
            "w": [list(w) for _, w in pairs], "patterns": [list(p) for p in patterns], "rank": rank,
            "laws": [{"coefficients": [str(x) for x in c],
                      "text": _abs_text([ci * si for ci, si in zip(c, signs)], names)} for c in laws],
            "verdict": verdict}


def _terms(a: Sequence, names: Sequence[str]) -> list[tuple[object, str]]:
    return [(c, n) for c, n in zip(a, names) if c != 0]


def _abs_text(a: Sequence, names: Sequence[str]) -> str:
    parts = []
    for c, n in _terms(a, names):
        sign = "-" if c < 0 else "+"
        mag = abs(c)
        parts.append(f"{sign} {'' if mag == 1 else str(mag) + '*'}|{n}|")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def _abs_latex(a: Sequence, names: Sequence[str]) -> str:
    parts = []
    for c, n in _terms(a, names):
        mag = abs(c)
        coef = "" if mag == 1 else (rf"\tfrac{{{mag.numerator}}}{{{mag.denominator}}}" if mag.denominator != 1
                                     else str(mag.numerator))
        parts.append(("-" if c < 0 else "+") + f" {coef}\\lvert {latex_name(n)} \\rvert")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else text


__all__ = ["sign_flow_laws", "sign_patterns"]
