"""Numerical rank with an explicit tolerance policy (the torch fallback never prints a bare number).

Policy: treat as zero every vector whose norm is at most ``ZERO_TOL`` times the
largest norm met *at its bracket level or below* (a bracket that vanishes
exactly comes out of floating point as noise of size ~1e-16 times the size of
the fields it was computed from, which normalisation would blow up to a full
direction; later levels are left out of the comparison because sizes can grow
by many orders of magnitude with the level, e.g. with a softmax or a scaled φ),
scale every remaining vector to unit
norm (so no field dominates by its size: the column normalisation), take the
singular values s_1 ≥ s_2 ≥ … of the stacked matrix, and count those with
s_i / s_1 > tol for each tolerance in ``TOLERANCES``.  The decided rank is the
one at ``DECIDING_TOLERANCE``; the status says whether the tolerances agree, and
the gap s_r / s_{r+1} is the evidence: a large gap means a clear rank.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

TOLERANCES = (1e-6, 1e-8, 1e-10)
DECIDING_TOLERANCE = 1e-8
ZERO_TOL = 1e-12
# float32 (on request) has a machine epsilon of ~1e-7: its tolerances sit above it
FLOAT32_TOLERANCES = (1e-3, 1e-4, 1e-5)
FLOAT32_DECIDING = 1e-4
FLOAT32_ZERO_TOL = 1e-6


def trace_tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """(accept_tol, zero_tol) of the trace growth for a dtype: the relative residual that counts
    as a new direction, and the norm below which a vector is rounding noise."""
    return (1e-4, FLOAT32_ZERO_TOL) if dtype == torch.float32 else (1e-7, ZERO_TOL)


@dataclass
class NumericalRank:
    rank: int
    dim: int
    ranks_by_tolerance: dict[float, int]
    status: str
    gap: float
    singular_values: list[float]
    dropped_as_zero: int = 0
    top: float = 1.0  # the largest singular value of the unit rows (``singular_values`` are relative to it)
    rows: int = 0  # the unit rows whose singular values these are (after the zero test)

    def to_dict(self) -> dict:
        return {
            # no gap when nothing is dropped (full rank) or nothing kept: null, not Infinity, in JSON
            "rank": self.rank, "status": self.status, "gap": self.gap if math.isfinite(self.gap) else None,
            "dropped_as_zero": self.dropped_as_zero,
            "ranks_by_tolerance": {f"{t:g}": r for t, r in self.ranks_by_tolerance.items()},
            "smallest_kept_singular_value": self.singular_values[self.rank - 1]
            if 0 < self.rank <= len(self.singular_values) else None,
            "largest_dropped_singular_value": self.singular_values[self.rank] if self.rank < len(self.singular_values) else None,
            # the relative singular values on both sides of the cut, for an audit of where the rank was taken
            "singular_values_near_the_cut": [float(v) for v in
                                             self.singular_values[max(0, self.rank - 3):self.rank + 3]],
        }


def stack_levels(blocks: list[tuple[int, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack (level, values) blocks; also return, per row, the largest norm met at its level or
    below (the ``reference`` of :func:`numerical_rank`)."""
    top: dict[int, torch.Tensor] = {}
    for level, block in blocks:
        if block.shape[0]:
            n = block.norm(dim=1).max()
            top[level] = torch.maximum(top[level], n) if level in top else n
    upto: dict[int, torch.Tensor] = {}
    for level in sorted(top):
        upto[level] = top[level] if not upto else torch.maximum(top[level], upto[max(upto)])
    values = torch.cat([b for _, b in blocks])
    reference = torch.cat([upto[level].expand(b.shape[0]) if b.shape[0] else b.new_zeros(0) for level, b in blocks])
    return values, reference


def numerical_rank(vectors: torch.Tensor, tolerances=None, deciding: float | None = None,
                   zero_tol: float | None = None, reference: torch.Tensor | None = None) -> NumericalRank:
    """Rank of the rows of ``vectors`` (n × D) under the policy of the module docstring.

    ``reference`` gives, per row, the norm that the zero test compares it with (the largest at its
    level or below, see :func:`stack_levels`); by default the largest norm of all rows.

    Defaults follow the dtype: (1e-6, 1e-8, 1e-10) deciding at 1e-8 in float64,
    (1e-3, 1e-4, 1e-5) deciding at 1e-4 in float32.
    """
    single = vectors.dtype == torch.float32
    tolerances = tolerances or (FLOAT32_TOLERANCES if single else TOLERANCES)
    deciding = deciding or (FLOAT32_DECIDING if single else DECIDING_TOLERANCE)
    zero_tol = zero_tol or (FLOAT32_ZERO_TOL if single else ZERO_TOL)
    if vectors.ndim != 2:
        raise ValueError(f"expected an (n, D) matrix, got shape {tuple(vectors.shape)}")
    dim = vectors.shape[1]
    if vectors.shape[0] == 0:
        return NumericalRank(0, dim, {t: 0 for t in tolerances}, "empty", math.inf, [])
    norms = vectors.norm(dim=1)
    live = norms > zero_tol * (norms.max() if reference is None else reference)
    rows = vectors[live] / norms[live, None]
    dropped = int((~live).sum())
    if rows.shape[0] == 0:
        return NumericalRank(0, dim, {t: 0 for t in tolerances}, "empty", math.inf, [], dropped)
    s = torch.linalg.svdvals(rows)
    top = float(s[0])
    s = (s / s[0]).cpu().tolist()
    ranks = {t: sum(1 for v in s if v > t) for t in tolerances}
    rank = ranks.get(deciding, ranks[tolerances[len(tolerances) // 2]])
    gap = s[rank - 1] / s[rank] if 0 < rank < len(s) and s[rank] > 0 else math.inf
    if len(set(ranks.values())) > 1:
        status = "tolerance_disagreement"
    elif rank == dim:
        status = "full_rank"
    else:
        status = "plateau"
    return NumericalRank(rank, dim, ranks, status, gap, s, dropped, top, int(rows.shape[0]))


def rank_by_level(blocks: list[tuple[int, torch.Tensor]]) -> NumericalRank:
    """:func:`numerical_rank` of every (level, values) block, the zero test of each against the sizes up to its level."""
    values, reference = stack_levels(blocks)
    return numerical_rank(values, reference=reference)
