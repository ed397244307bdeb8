"""The null space of the candidates' linear system, numerically, and a readable basis of it.

The system E c = 0 (one row per gradient ∇_θ⟨w, g(θ, x)⟩ at a random θ, one column per candidate) is solved by an
SVD of E with unit columns: singular values below ``REL_TOL`` times the largest span the symmetries.  The gap
(largest kept singular value over the smallest discarded) is returned as the evidence; it is floating point, so a
symmetry found here is confirmed afterwards on fresh points and inputs before its law is claimed."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

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
    """The same row space in reduced row echelon form (partial pivoting along the columns in their order): each row
    has a leading 1 where the others have 0, so most laws read as a few terms with coefficients ±1, ±½.  Entries
    within ``tol`` (relative) of a fraction with denominator ≤ 12 are snapped to it."""
    A = basis.clone()
    k, U = A.shape
    row = 0
    for col in range(U):
        if row == k:
            break
        piv = row + int(A[row:, col].abs().argmax())
        if float(A[piv, col].abs()) <= tol * float(A.abs().max()):
            continue
        A[[row, piv]] = A[[piv, row]]
        A[row] = A[row] / A[row, col]
        others = torch.arange(k) != row
        A[others] -= A[others, col:col + 1] * A[row]
        row += 1
    A = A[:row]
    return snap(A, tol)


def snap(A: torch.Tensor, tol: float = 1e-7) -> torch.Tensor:
    """Entries within ``tol`` of a fraction p/q with q ≤ 12 replaced by it; entries below ``tol`` by 0."""
    out = A.clone().contiguous()
    flat = out.view(-1)
    for pos in torch.nonzero(flat.abs() > 0).flatten().tolist():
        x = float(flat[pos])
        if abs(x) < tol:
            flat[pos] = 0.0
            continue
        f = Fraction(x).limit_denominator(12)
        if abs(float(f) - x) <= tol * max(1.0, abs(x)):
            flat[pos] = float(f)
    return out


def independent_rows(rows: torch.Tensor, span: torch.Tensor | None = None, rel: float = 1e-8) -> list[int]:
    """The indices of the rows that each add a direction to the span of ``span`` (rows) and of the rows kept before,
    in order (Gram–Schmidt: kept when the part outside is above ``rel`` of the row's norm)."""
    basis: list[torch.Tensor] = []
    if span is not None and span.shape[0]:
        q, r = torch.linalg.qr(span.T)
        keep = r.diagonal().abs() > 1e-10 * r.diagonal().abs().max().clamp_min(1e-300)
        basis = list(q[:, keep].T)
    kept = []
    for k, row in enumerate(rows):
        res = row.clone()
        for b in basis:
            res -= (res @ b) * b
        if float(res.norm()) > rel * float(row.norm()):
            basis.append(res / res.norm())
            kept.append(k)
    return kept


def unmoved(rows: torch.Tensor, rel: float = 1e-13) -> torch.Tensor:
    """The coordinates (columns) that no row moves: every entry at most ``rel`` of the largest (a boolean mask)."""
    return rows.abs().amax(0) <= rel * rows.abs().max().clamp_min(1e-300)
