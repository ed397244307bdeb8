"""One instance's verdict from a certified count and the catalogue's expectation (:mod:`verify`, :mod:`theorem_checks`).

``not proven`` when the count is only bounded; otherwise ``holds`` (or ``holds outside the hypotheses``) when it
equals the expected value, and ``fails`` (or ``differs outside the hypotheses``) with the counterexample when not.
"""
from __future__ import annotations

from .theorems import Expectation


def judge_count(record: dict, verdict: dict, expected: Expectation, counterexample: dict) -> dict:
    """Set ``record``'s verdict from ``verdict`` (a certificate's: ``status``, ``laws``, ``text``) against ``expected``;
    ``counterexample`` (the point, ranks, sizes) is kept, with the certified and the claimed counts, on a mismatch."""
    if verdict["status"] != "proven":
        record["verdict"] = "not proven"
        record["evidence"] = verdict["text"]
    elif verdict["laws"] == expected.laws:
        record["verdict"] = "holds" if expected.in_hypotheses else "holds outside the hypotheses"
    else:
        record["verdict"] = "fails" if expected.in_hypotheses else "differs outside the hypotheses"
        record["counterexample"] = {**counterexample, "certified_laws": verdict["laws"], "claimed": expected.laws}
    return record


__all__ = ["judge_count"]
