"""The checker's side of the intrinsic-dynamics claim (Marcotte, Peyré, Gribonval 2025), independent of
:mod:`conslaw.algebra.intrinsic`, which writes it.

A gradient-flow certificate may carry ``"intrinsic": {"holds": …, "rank_dphi_dh": r₁, "rank_with_dM": r₂,
"witness": [δ…]}``: the kernel-inclusion criterion ker[∂φ; ∂h] ⊂ ker ∂M, M = ∂φ∂φᵀ, at the certificate's point,
with h its laws.  The checker rebuilds M from φ with SymPy expressions and recomputes both ranks exactly
(``DomainMatrix`` over QQ).  "Holds" (r₂ = r₁) is valid for any laws; "fails" needs the laws to be complete —
more laws shrink the kernel — so it is accepted only when the certificate's count is proven, and only with a
witness δ that the checker verifies: ∂φδ = 0, ∂hδ = 0 and ∂Mδ ≠ 0.
"""
from __future__ import annotations

import sympy

from .exact import _gradient, _rank
from .laws import _law
from .reading import _int, _need, _rational, _show, strictly_equal
from .running import tick


def check_kernel_inclusion(cert: dict, phi: list, names: list[str], symbols: list, version: int, at: dict,
                           report) -> None:
    """Verify the certificate's ``intrinsic`` claim; failures and facts are added to ``report``."""

    claim = cert["intrinsic"]
    _need(isinstance(claim, dict) and isinstance(claim.get("holds"), bool),
          f"\"intrinsic\" must be an object with a boolean \"holds\", got {_show(claim)}")
    for key in ("rank_dphi_dh", "rank_with_dM"):
        _int(claim.get(key), f"the intrinsic claim's {key!r}", 0, 10**6)
    laws = [_law(h, i, version, names, symbols, report.failures)[0] for i, h in enumerate(cert["laws"])]
    J = [[g.xreplace(at) for g in _gradient(p, symbols)] for p in phi]
    H = [[g.xreplace(at) for g in _gradient(h, symbols)] for h in laws]
    grads = [_gradient(p, symbols) for p in phi]
    entries = [sympy.expand(sum(a * b for a, b in zip(grads[k], grads[l])))
               for k in range(len(grads)) for l in range(k, len(grads))]
    tick("the intrinsic claim's M = dphi dphi^T")
    dM = [[g.xreplace(at) for g in _gradient(e, symbols)] for e in entries]
    fixed = J + H
    r1 = _rank(fixed) if fixed else 0
    r2 = _rank(fixed + dM) if fixed + dM else 0
    fails = []
    if not strictly_equal([claim.get("rank_dphi_dh"), claim.get("rank_with_dM")], [r1, r2]):
        fails.append(f"the kernel-inclusion ranks are {r1} and {r2}, not the claimed {_show(claim.get('rank_dphi_dh'))} "
                     f"and {_show(claim.get('rank_with_dM'))}")
    if claim["holds"] != (r1 == r2):
        fails.append(f"the criterion {'holds' if r1 == r2 else 'fails'} at the point, not as claimed")
    if not claim["holds"]:
        if report.verdict.get("status") != "proven":
            fails.append("a failing criterion needs the complete laws, but the certificate's count is not proven")
        witness = claim.get("witness")
        _need(isinstance(witness, list) and len(witness) == len(names),
              f"a failing criterion needs a witness direction of {len(names)} coordinates")
        delta = [sympy.Rational(q.numerator, q.denominator) for q in (_rational(c, "witness") for c in witness)]

        def apply(rows: list) -> list:
            return [sum(a * d for a, d in zip(row, delta)) for row in rows]

        if any(apply(J)) or any(apply(H)):
            fails.append("the witness direction changes z = phi or a law")
        elif not any(apply(dM)):
            fails.append("the witness direction does not move M")
    report.failures.extend(fails)
    report.ok = report.ok and not fails
    if not fails:
        report.facts.append(f"kernel inclusion ker[dphi; dh] in ker dM {'holds' if claim['holds'] else 'fails'} at the "
                            f"point: ranks {r1} and {r2} (M = dphi dphi^T rebuilt from phi)"
                            + ("" if claim["holds"] else ", witness direction verified"))


__all__ = ["check_kernel_inclusion"]
