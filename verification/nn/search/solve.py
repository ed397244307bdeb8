"""The null space of the candidates' linear system, numerically, and a readable basis of it.

The system E c = 0 (one row per gradient ∇_θ⟨w, g(θ, x)⟩ at a random θ, one column per candidate) is solved by an
SVD of E with unit columns: singular values below ``REL_TOL`` times the largest span the symmetries.  The gap
(largest kept singular value over the smallest discarded) is returned as the evidence; it is floating point, so a
symmetry found here is confirmed afterwards on fresh points and inputs before its law is claimed."""
from __future__ import annotations

from dataclasses import dataclass

import torch

REL_TOL = 1e-8
ZERO_COLUMN = 1e-11  # relative to the largest column


@dataclass
class NullSpace:
    """A basis (k × U, rows) of {c : E c = 0}, the largest singular value counted as null and the smallest not
    (relative to the largest): the gap that decided k."""

    basis: torch.Tensor
    null_sv: float
    kept_sv: float


def null_space(E: torch.Tensor, rel_tol: float = REL_TOL, reference: float | None = None) -> NullSpace:
    """The null space of E (R × U).  Columns are scaled to unit norm first (a column at rounding level, relative
    ``ZERO_COLUMN``, is a candidate no row sees: free); rows fewer than U leave the surplus directions null, so
    callers draw more rows than unknowns.  ``reference``: E's columns are on a common scale already (no rescaling)
    and singular values below ``rel_tol`` × ``reference`` are null."""
    R, U = E.shape
    if U == 0:
        return NullSpace(E.new_zeros((0, 0)), 0.0, 1.0)
    if reference is not None:  # columns already on a common scale: no rescaling, singular values against it
        _, s, vh = torch.linalg.svd(E, full_matrices=True)
        rank = int((s > rel_tol * reference).sum())
        return NullSpace(vh[rank:], float(s[rank]) if rank < s.numel() else 0.0, float(s[rank - 1]) if rank else 1.0)
    scale = E.norm(dim=0)
    # a column at rounding level (a candidate every row misses up to rounding, e.g. a translation the loss removes)
    # is zero: scaled up to unit norm its rounding noise would look like a constraint
    zero = scale <= ZERO_COLUMN * scale.max().clamp_min(1e-300)
    scale = torch.where(zero, torch.ones_like(scale), scale)
    _, s, vh = torch.linalg.svd(torch.where(zero, 0.0, E / scale), full_matrices=True)
    top = float(s[0]) if s.numel() and float(s[0]) > 0 else 1.0
    rank = int((s > rel_tol * top).sum())
    null = vh[rank:] / scale
    null_sv = float(s[rank] / top) if rank < s.numel() else 0.0
    kept_sv = float(s[rank - 1] / top) if rank else 1.0
    return NullSpace(null, null_sv, kept_sv)


def readable(basis: torch.Tensor, tol: float = 1e-7) -> torch.Tensor:
    """The same row space in reduced row echelon form (pivots along the columns in their order): each row has a
    leading 1 where the others have 0, so most laws read as a few terms with coefficients ±1, ±½.  Entries within
    ``tol`` (relative) of a fraction with denominator ≤ 12 are snapped to it.

    The pivots are the columns, in order, whose part outside the span of the columns before them exceeds ``tol``
    times the largest column (:func:`independent_rows` on the columns: blocked, matrix products); with P the pivot
    columns (k × r, full column rank), the echelon form is P⁺·basis, whose pivot columns are then exactly I."""
    k, U = basis.shape
    if not k or not U:
        return basis.new_zeros((0, U))
    columns = basis.T.contiguous()
    pivots = independent_rows(columns, rel=0.0, floor=tol * float(columns.norm(dim=1).max()))
    if not pivots:
        return basis.new_zeros((0, U))
    A = torch.linalg.pinv(basis[:, pivots]) @ basis
    A[:, pivots] = torch.eye(len(pivots), dtype=A.dtype, device=A.device)
    return snap(A, tol)


def snap(A: torch.Tensor, tol: float = 1e-7) -> torch.Tensor:
    """Entries within ``tol`` of a fraction p/q with q ≤ 12 replaced by it (the smallest such q: two fractions of
    denominators ≤ 12 are 1/132 apart, so at most one is that close); entries below ``tol`` by 0."""
    out = A.clone()
    done = out.abs() < tol
    out[done] = 0.0
    near = tol * out.abs().clamp_min(1.0)
    for q in range(1, 13):
        p = torch.round(A * q)
        hit = ~done & ((p / q - A).abs() <= near)
        out[hit] = (p / q)[hit]
        done |= hit
    return out


INDEPENDENT_BLOCK = 64  # rows projected off the basis together (one matrix product) before the in-block loop


def independent_rows(rows: torch.Tensor, span: torch.Tensor | None = None, rel: float = 1e-8,
                     floor: float = 0.0) -> list[int]:
    """The indices of the rows that each add a direction to the span of ``span`` (rows) and of the rows kept before,
    in order (Gram–Schmidt: kept when the part outside is above ``rel`` of the row's norm and above ``floor``).  Blocked: each block of
    rows is projected off the basis so far in two matrix products (the second removes the first's rounding), then
    the rows of the block are tested in turn against the ones it kept."""
    if span is not None and span.shape[0]:
        q, r = torch.linalg.qr(span.T)
        keep = r.diagonal().abs() > 1e-10 * r.diagonal().abs().max().clamp_min(1e-300)
        basis = q[:, keep].T.contiguous()
    else:
        basis = rows.new_zeros((0, rows.shape[1]))
    kept = []
    for start in range(0, rows.shape[0], INDEPENDENT_BLOCK):
        block = rows[start:start + INDEPENDENT_BLOCK]
        res = block - (block @ basis.T) @ basis
        res = res - (res @ basis.T) @ basis
        new: list[torch.Tensor] = []
        for i, (row, r) in enumerate(zip(block, res)):
            for b in new:
                r = r - (r @ b) * b
            for b in new:  # twice, as for the basis
                r = r - (r @ b) * b
            if float(r.norm()) > max(rel * float(row.norm()), floor):
                new.append(r / r.norm())
                kept.append(start + i)
        if new:
            basis = torch.cat([basis, torch.stack(new)])
    return kept


def unmoved(rows: torch.Tensor, rel: float = 1e-13) -> torch.Tensor:
    """The coordinates (columns) that no row moves: every entry at most ``rel`` of the largest (a boolean mask)."""
    return rows.abs().amax(0) <= rel * rows.abs().max().clamp_min(1e-300)
