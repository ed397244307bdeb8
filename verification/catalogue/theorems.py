"""The theorem catalogue: each paper result as data — statement, hypotheses, instances, method, expected value.

One entry per result, not one function per theorem: an entry names a *check* (``count`` — the exact number
of laws against a formula of the sizes; ``laws_hold`` — the literature's laws are conserved, as polynomial
identities, and a perturbed function is not) and, for counts, a *formula* with the hypothesis under which the
paper proves it.  Instances are chosen at the hypotheses' edges (width 1, more hidden units than inputs plus
outputs, with and without biases); where an instance leaves the hypotheses, the expected value comes from an
independent argument and the instance is reported as outside the hypotheses, never as a failure of the
theorem.  Results conslaw cannot check yet are listed with that status and the reason.

Papers: ``tc25`` — Marcotte, Gribonval, Peyré, "Transformative or Conservative? Conservation laws for ResNets
and Transformers" (the main paper); ``abide23`` — their 2023 "Abide by the Law and Follow the Flow"; ``km24`` —
their 2024 "Keep the Momentum"; ``mpg25`` — Marcotte, Peyré, Gribonval 2025, "Intrinsic training dynamics";
``gsf26`` — Galley, Shahverdi, Flinth, "Conservation Laws from Data Symmetry"; ``kunin21`` — Kunin et al.,
"Neural Mechanics".
"""
from __future__ import annotations

from typing import Optional

from conslaw.algebra import ConslawError

from .papers import abide23, gsf26, km24, kunin21, mpg25, tc25
from .schema import PAPERS, Expectation, Instance, Result


def assemble(*parts: tuple[Result, ...]) -> tuple[Result, ...]:
    """The catalogue in the order given; an id listed twice or a dependency on an unknown id is an error at
    import (a typo never silently drops a dependency)."""
    results = tuple(r for part in parts for r in part)
    ids = [r.id for r in results]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ConslawError(f"catalogue: result ids listed twice: {', '.join(twice)}")
    for r in results:
        unknown = [d for d in r.depends if d not in ids]
        if unknown:
            raise ConslawError(f"catalogue: {r.id} depends on unknown result ids {', '.join(unknown)}")
    return results


CATALOGUE: tuple[Result, ...] = assemble(tc25.SHALLOW, abide23.RESULTS, km24.RESULTS, mpg25.RESULTS, gsf26.RESULTS,
                                         kunin21.RESULTS, tc25.DEEP)


def by_id(catalogue: tuple[Result, ...] = CATALOGUE) -> dict[str, Result]:
    """The catalogue's results by id."""
    return {r.id: r for r in catalogue}


def select(paper: str | None = None, only: Optional[list[str]] = None,
           catalogue: tuple[Result, ...] = CATALOGUE) -> list[Result]:
    """The entries of ``paper`` (all papers if None), or exactly those named in ``only``; unknown ids are refused."""
    if paper is not None and paper not in PAPERS:
        raise ConslawError(f"unknown paper {paper!r}; known: {', '.join(sorted(PAPERS))}")
    if only:
        known = {r.id: r for r in catalogue}
        missing = [i for i in only if i not in known]
        if missing:
            raise ConslawError(f"unknown result id {', '.join(missing)}; see 'conslaw verify --list'")
        return [known[i] for i in only]
    return [r for r in catalogue if paper is None or r.paper == paper]


__all__ = ["CATALOGUE", "Expectation", "Instance", "PAPERS", "Result", "assemble", "by_id", "select"]
