"""Count the conservation laws of an architecture, with the evidence a report needs."""
from __future__ import annotations

import time
from typing import Optional, Sequence, TypedDict

from conslaw.algebra import build_architecture, gradient_rank, lie_trace, violations
from conslaw.algebra.architectures import Architecture, spec_of
from conslaw.algebra.architectures.relu import coinciding_hyperplanes
from conslaw.algebra.errors import ShapeError
from conslaw.algebra.points import DEFAULT_BOUND
from conslaw.algebra.trace import ProgressCallback, TraceResult


def model_scope(a: Architecture) -> dict:
    """What the count says about the model: equal to φ's count (a theorem applies) or only bounded below by it."""
    if a.phi_count_is_model_count:
        return {"relation": "equal", "reasons": []}
    return {"relation": "lower bound", "reasons": list(a.model_gaps)}


class CountReport(TypedDict, total=False):
    """The keys of :func:`count_laws`'s report that readers rely on (:func:`~..report.text.count_text`; the JSON
    has them all, with the architecture's sizes)."""

    architecture: str
    description: str
    D: int
    generators: int
    rank: int
    laws: int
    ranks_per_point: list[int]
    levels: list[dict]
    status: str
    points: list
    seed: int
    known_laws: dict
    notes: list[str]
    model_count: dict
    point_distribution: str
    seconds: float


def count_laws(
    arch: str | Architecture,
    widths: Sequence[int] = (),
    *,
    bias: bool = False,
    seed: int = 0,
    n_points: int = 2,
    max_level: int = 50,
    record: str = "kept",
    progress: Optional[ProgressCallback] = None,
    known: Optional[int] = None,
) -> tuple[Architecture, TraceResult, CountReport]:
    """Build the architecture, grow its Lie algebra's trace, and assemble a JSON-ready report.

    Returns ``(architecture, trace result, report)``; the report has the keys
    ``D``, ``rank``, ``laws``, ``seed``, ``points``, ``seconds`` and more.

    ``known``: a claimed number N of laws (``count --known N``).  The trace stops as soon as its rank reaches
    D − N (:func:`lie_trace`'s ``target_rank``); the architecture's stated laws, verified as identities and
    independent at the point, then give the other bound.  The report's ``known`` says the outcome: ``confirmed``
    (rank D − N and N laws: the count N is proven), ``not proven`` (rank D − N but fewer laws verified: ``laws``
    is None, the bounds are given), or ``refuted`` (the trace closed below D − N, or its proven rank is above it).
    """
    t0 = time.perf_counter()
    a = arch if isinstance(arch, Architecture) else build_architecture(arch, list(widths), bias=bias)
    gens = a.generators()
    if known is not None and not 0 <= known <= a.dim:
        raise ShapeError(f"--known {known}: a number of laws between 0 and D = {a.dim}")
    target = a.dim - known if known is not None else None
    result = lie_trace(gens, seed=seed, n_points=n_points, max_level=max_level, record=record, progress=progress,
                       target_rank=target)
    refuted = sorted({i for i, _, _ in violations(a.known_laws, gens)}) if a.known_laws else []
    verified = [h for i, h in enumerate(a.known_laws) if i not in refuted]  # each an identity ⟨∇h, X⟩ ≡ 0 first
    known_rank = gradient_rank(a.space, verified, result.points[0]) if verified else 0
    hyperplane_notes = []
    if "widths" in a.shape and spec_of(a.name.removeprefix("residual-")).piecewise_linear:
        for pt in result.points:
            hyperplane_notes += coinciding_hyperplanes(a, pt)
    report = {
        "architecture": a.name,
        "description": a.description,
        **a.shape,
        "generators": len(gens),
        **result.to_dict(),
        "known_laws": {"stated": len(a.known_laws), "verified": len(verified),
                       "refuted": [str(a.known_laws[i].as_expr()) for i in refuted],
                       "independent_at_first_point": known_rank},
        "notes": list(a.notes) + result.notes + hyperplane_notes,
        "model_count": model_scope(a),
        "point_distribution": f"seeded random rationals ±a/b with 1 ≤ a, b ≤ {DEFAULT_BOUND}",
    }
    if known is not None:
        report.update(_known_outcome(known, a.dim, result, known_rank))
    report["seconds"] = round(time.perf_counter() - t0, 4)
    return a, result, report


def _known_outcome(known: int, D: int, result: TraceResult, verified: int) -> dict:
    """The keys a ``known`` count adds to the report (see :func:`count_laws`).  The exact rank r is a proven lower
    bound on dim Lie(V), so there are at most D − r laws; ``verified`` independent stated laws are at least that
    many.  A trace that closed (``converged``, ``full_rank``) gives the engine's count D − r as usual."""
    r = result.rank
    closed = result.status in ("converged", "full_rank")
    proven = D - r if closed or verified == D - r else None
    bounds = {} if proven is not None else {"laws": None, "laws_at_most": D - r, "laws_at_least": verified}
    if proven == known:
        how = "the trace closed" if closed and verified < known else \
            f"rank D - N = {r} reached and {known} stated laws verified as identities and independent at the point"
        return {"known": {"claimed": known, "outcome": "confirmed", "reason": how}}
    if proven is not None:
        return {"known": {"claimed": known, "outcome": "refuted",
                          "reason": f"rank {r} and {'a closed trace' if closed else f'{verified} verified laws'}: "
                                    f"exactly {proven} laws, not {known}"}}
    if r > D - known:
        return {**bounds, "known": {"claimed": known, "outcome": "refuted",
                                    "reason": f"the rank {r} (exact at a point) is above D - N = {D - known}: at most "
                                              f"{D - r} laws, fewer than the {known} claimed"}}
    why = f"rank D - N = {r} reached (so at most {known} laws), but only {verified} stated laws verified and " \
        "independent" if r == D - known else f"max level reached at rank {r}, below D - N = {D - known}"
    return {**bounds, "known": {"claimed": known, "outcome": "not proven", "reason": why}}
