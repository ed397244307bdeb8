"""Check kind ``counting`` (Theorem 2.11): where the trace has constant dimension r there are exactly D − r laws —
the certified rank, D − r laws found and verified, and the rank compared at three points."""
from __future__ import annotations

from ..schema import Instance, Result, Verdict
from .common import _certified


def check_counting(result: Result, inst: Instance, seed: int) -> dict:
    """Theorem 2.11 on an instance: the certificate proves D − r laws (r the exact trace rank at its point, and
    D − r independent polynomial laws verified as identities), and the exact rank is the same at three seeded
    points (the theorem needs it locally constant; equal ranks at independent generic points are the evidence)."""
    from ...proofs.counting import count_laws

    arch, cert, record = _certified(result, inst, seed)
    _, _, counted = count_laws(arch, seed=seed, n_points=3)
    ranks = record["ranks_at_three_points"] = counted["ranks_per_point"]
    verdict = cert["verdict"]
    if len(set(ranks)) != 1:
        record["verdict"] = Verdict.HYPOTHESIS_FAILS
        record["evidence"] = f"exact ranks {ranks} differ between the points"
    elif verdict["status"] != "proven":  # the laws of degree ≤ 2 do not reach D − r: no proof either way
        record["verdict"] = Verdict.NOT_PROVEN
        record["evidence"] = verdict["text"]
    elif cert["D"] - record["rank"] == record["laws_found"]:
        record["verdict"] = Verdict.HOLDS
    else:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"point": cert["point"], "rank": record["rank"], "D": cert["D"],
                                    "independent_laws_found": record["laws_found"]}
    return record
