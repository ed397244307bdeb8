"""Check kind ``count``: the exact number of laws of an instance, from a certificate that the checker re-verifies,
against the paper's formula."""
from __future__ import annotations

from sympy import QQ

from conslaw.algebra import gradient_rank
from conslaw.algebra.polynomial_text import parse_rational

from ..schema import Instance, Result
from ..verdicts import judge_count
from .common import _certified


def check_count(result: Result, inst: Instance, seed: int) -> dict:
    """Certify the instance (exact rank witness + degree-2 laws) and compare the certified count with the formula."""
    arch, cert, record = _certified(result, inst, seed)
    expected = result.formula(inst)
    verdict = cert["verdict"]
    record.update({"expected": expected.laws, "argument": expected.argument, "in_hypotheses": expected.in_hypotheses})
    if arch.known_laws:  # an independent code path: the rank of the stated laws' gradients at the same point
        point = [QQ(r.numerator, r.denominator) for r in map(parse_rational, cert["point"])]
        record["stated_laws_independent"] = gradient_rank(arch.space, arch.known_laws, point)
    return judge_count(record, verdict, expected, {"point": cert["point"], "rank": record["rank"], "D": cert["D"]})
