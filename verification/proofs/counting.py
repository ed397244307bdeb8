"""Count the conservation laws of an architecture, with the evidence a report needs."""
from __future__ import annotations

import time
from typing import Optional, Sequence, TypedDict

from conslaw.algebra import build_architecture, gradient_rank, lie_trace, violations
from conslaw.algebra.architectures import Architecture, spec_of
from conslaw.algebra.architectures.relu import coinciding_hyperplanes
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
) -> tuple[Architecture, TraceResult, CountReport]:
    """Build the architecture, grow its Lie algebra's trace, and assemble a JSON-ready report.

    Returns ``(architecture, trace result, report)``; the report has the keys
    ``D``, ``rank``, ``laws``, ``seed``, ``points``, ``seconds`` and more.
    """
    t0 = time.perf_counter()
    a = arch if isinstance(arch, Architecture) else build_architecture(arch, list(widths), bias=bias)
    gens = a.generators()
    result = lie_trace(gens, seed=seed, n_points=n_points, max_level=max_level, record=record, progress=progress)
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
    report["seconds"] = round(time.perf_counter() - t0, 4)
    return a, result, report
