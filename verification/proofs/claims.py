"""What a JSON report may call a count: ``laws`` is a proven count (or a numerical one, marked ``count_kind``),
never a bound.  Where the work stopped at a limit, or the evidence only bounds the count, the number moves to
``laws_at_most`` (and ``laws_at_least`` where a lower bound is known), ``laws`` is removed, and ``status`` says
why: ``stopped`` (a time or level limit cut the work) or ``bounded`` (the evidence meets no count)."""
from __future__ import annotations

from typing import Optional


def as_bound(report: dict, *, upper: Optional[int], lower: Optional[int] = None, status: str = "bounded",
             why: str = "") -> dict:
    """Rewrite ``report`` in place so that its count reads as the bound it is; returns it."""
    report.pop("laws", None)
    if upper is not None:
        report["laws_at_most"] = upper
    if lower is not None:
        report["laws_at_least"] = lower
    report["status"] = status
    if why:
        report["bound_reason"] = why
    return report


__all__ = ["as_bound"]
