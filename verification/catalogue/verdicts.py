"""One instance's verdict from a certified count and the catalogue's expectation (:mod:`.checks`).

``not proven`` when the count is only bounded; otherwise ``holds`` (or ``holds outside the hypotheses``) when it
equals the expected value, and ``fails`` (or ``differs outside the hypotheses``) with the counterexample when not.
"""
from __future__ import annotations

from .schema import Expectation, Verdict


def judge_count(record: dict, verdict: dict, expected: Expectation, counterexample: dict) -> dict:
    """Set ``record``'s verdict from ``verdict`` (a certificate's: ``status``, ``laws``, ``text``) against ``expected``;
    ``counterexample`` (the point, ranks, sizes) is kept, with the certified and the claimed counts, on a mismatch."""
    if verdict["status"] != "proven":
        record["verdict"] = Verdict.NOT_PROVEN
        record["evidence"] = verdict["text"]
    elif verdict["laws"] == expected.laws:
        record["verdict"] = Verdict.HOLDS if expected.in_hypotheses else Verdict.HOLDS_OUTSIDE
    else:
        record["verdict"] = Verdict.FAILS if expected.in_hypotheses else Verdict.DIFFERS_OUTSIDE
        record["counterexample"] = {**counterexample, "certified_laws": verdict["laws"], "claimed": expected.laws}
    return record


__all__ = ["judge_count"]
