"""The running check's work budget and deadline (per thread: Dask workers may check side by side)."""
from __future__ import annotations

import threading

from .reading import CertificateFormatError
from .work import DEADLINE_SECONDS, Deadline, PolySize, WorkRefused, _witness_units, law_units, require


def _budget(units: int, stage: str) -> None:
    """Refuse (exit 2) a stage whose estimated work is over the checker's budget (:mod:`checker_work`)."""
    try:
        require(units, stage)
    except WorkRefused as exc:
        raise CertificateFormatError(str(exc)) from None


_RUNNING = threading.local()  # the running check's backstop (per thread: Dask workers may check side by side)


def tick(stage: str) -> None:
    """Refuse (exit 2) a check that has run past the checker's time budget (:class:`checker_work.Deadline`)."""
    try:
        getattr(_RUNNING, "deadline", None) or _start_deadline(DEADLINE_SECONDS)
        _RUNNING.deadline.check(stage)
    except WorkRefused as exc:
        raise CertificateFormatError(str(exc)) from None


def _start_deadline(seconds: float) -> None:
    _RUNNING.deadline = Deadline(seconds)


def poly_size(poly: dict) -> PolySize:
    """Terms, degree and longest coefficient (bits) of a parsed polynomial {monomial: Fraction}."""
    degree = max((sum(e for _, e in m) for m in poly), default=0)
    bits = max((max(c.numerator.bit_length(), c.denominator.bit_length()) for c in poly.values()), default=0)
    return PolySize(len(poly), degree, bits)


def price_claims(law_polys: list, generator_terms: list[int], brackets: list, D: int) -> None:
    """Refuse, before any algebra, a certificate whose law checks (every law against every generator) or witness
    brackets would exceed the checker's work budget; ``generator_terms``: each generator's terms × degree."""
    _budget(law_units([poly_size(q) for pair in law_polys for q in pair], generator_terms),
            f"checking {len(law_polys)} laws against {len(generator_terms)} generators")
    _budget(_witness_units(brackets, D, max(generator_terms, default=1)), "recomputing the witness brackets")
