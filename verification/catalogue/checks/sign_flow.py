"""Check kind ``sign_flow`` (Appendix R): the sign (simplified Adam) flow's laws."""
from __future__ import annotations

from ..schema import Instance, Result, Verdict
from ..verdicts import judge_count
from .common import certificate_name


def check_sign_flow(result: Result, inst: Instance, seed: int) -> dict:
    """Appendix R: the laws of the sign (simplified Adam) flow near a seeded rational θ_0 (:mod:`sign_flow`): the
    exact rank of the sign vectors sign(∂φ(θ_0)ᵀw), their count D − rank against the formula (exact when the rank
    is D or d = 1, otherwise only an upper bound: not proven), and each law, written with absolute values,
    checked at points of other orthants."""
    from ...proofs.certificate import certificate_text
    from ...proofs.sign_flow import sign_flow_certificate, sign_flow_laws

    arch = inst.build()
    report = sign_flow_laws(arch, seed=seed)
    expected = result.formula(inst)
    record = {"instance": inst.label, "D": report["D"], "rank": report["rank"], "laws_found": report["laws"],
              "expected": expected.laws, "in_hypotheses": expected.in_hypotheses, "argument": expected.argument,
              "patterns": report["patterns"], "count_kind": report["count_kind"], "point": report["point"],
              "laws_hold_in_other_orthants": report["laws_hold_in_other_orthants"],
              "_certificate": (certificate_name(result.id, inst), certificate_text(sign_flow_certificate(arch, seed)))}
    if report["exact"]:  # otherwise they are only orthogonal to the sampled sign vectors: candidates, not laws
        record["laws_latex"] = report["laws_latex"]
    verdict = {"status": "proven" if report["exact"] else "bounded", "laws": report["laws"],
               "text": report["count_kind"]}
    judge_count(record, verdict, expected, {"point": report["point"], "rank": report["rank"], "D": report["D"]})
    if record["verdict"] == "holds" and not all(report["laws_hold_in_other_orthants"]):
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"note": "a law of the degenerate shape does not hold in another orthant",
                                    "laws": report["laws_text"]}
    return record
