"""A certificate's verdict: its wording and the types of its fields."""
from __future__ import annotations

from .reading import LIMITS, _int, _need, _show


def verdict_text(status: str, D: int, rank: int, laws: int, single_field: bool = False) -> str:
    """The only verdict sentences a certificate may carry (the checker's own copy of the format)."""
    if single_field:
        return (f"exactly {D - 1} independent conservation laws (one field, nonzero at the point: the flow-box "
                f"theorem; {laws} of them written out)")
    if status == "proven":
        return f"exactly {laws} independent conservation laws (rank {rank} + {laws} laws = D = {D})"
    return f"count bounded between {laws} and {D - rank}"


def check_verdict_types(verdict: dict) -> None:
    """A verdict's numbers are JSON integers (``2.0`` or ``true`` is not a count) and its status one of two words."""
    _need(verdict.get("status") in ("proven", "bounded"),
          f"the verdict's status must be \"proven\" or \"bounded\", got {_show(verdict.get('status'))}")
    for key in ("laws", "lower", "upper"):
        if key in verdict:
            _int(verdict[key], f"the verdict's {key!r}", 0, 2 * LIMITS.max_parameters + 1)
