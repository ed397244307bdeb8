"""The record of a flow's certified count (momentum and mirror flows), shared by their checks."""
from __future__ import annotations

from conslaw.algebra import (
    lie_trace,
)

from ..schema import Instance, Result
from ..verdicts import judge_count
from .common import certificate_name


def _flow_record(result: Result, inst: Instance, seed: int, arch, cert: dict, dim_key: str, laws_key: str) -> dict:
    """The record of a certified count of another flow than the gradient flow (momentum, mirror): the
    certificate's numbers, the Euclidean gradient flow's count beside them, the verdict against the formula."""
    from ...proofs.certificate import certificate_text

    verdict, rank = cert["verdict"], cert["rank_witness"]["rank"]
    gradient_flow = arch.dim - lie_trace(arch.generators(), seed=seed, n_points=2).rank
    expected = result.formula(inst)
    record = {"instance": inst.label, "D": arch.dim, dim_key: cert["D"], "rank": rank,
              "laws_found": len(cert["laws"]), laws_key: cert["D"] - rank, "gradient_flow_laws": gradient_flow,
              "expected": expected.laws, "in_hypotheses": expected.in_hypotheses, "argument": expected.argument,
              "certificate_status": verdict["status"], "laws_text": [law["text"] for law in cert["laws"]][:12],
              "_certificate": (certificate_name(result.id, inst), certificate_text(cert))}
    return judge_count(record, verdict, expected, {"point": cert["point"], "rank": rank, dim_key: cert["D"]})
