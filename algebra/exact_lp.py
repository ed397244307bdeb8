"""Exact feasibility of strict linear inequalities over QQ (a small rational simplex).

Decides whether ``{x ∈ R^d : a_i·x + c_i > 0 for every i}`` is empty, exactly, and
returns a rational interior point when it is not.  Homogenising with t ≥ 0,

    the system is feasible  ⇔  max { s : a_i·x + c_i t ≥ s (all i), 0 ≤ t ≤ 1, 0 ≤ s ≤ 1 } > 0,

since a solution with t > 0 gives x/t, and one with t = 0 is a direction along
which every a_i·x > 0, so λx works for λ large.  The LP starts feasible at the
origin (x = p − n, p, n ≥ 0), is bounded (s ≤ 1), and is solved by the simplex
method with Bland's rule in exact rational arithmetic (FLINT's ``fmpq``), so the
answer "empty" is exact, not a tolerance.  No floats.
"""
from __future__ import annotations

from typing import Optional, Sequence

from flint import fmpq

Affine = tuple[Sequence, object]  # (a, c): the function x ↦ a·x + c


def _pivot(rows: list[list], obj: list, r: int, j: int) -> None:
    prow = rows[r]
    inv = 1 / prow[j]
    prow[:] = [v * inv for v in prow]
    for k, row in enumerate(rows):
        if k != r and row[j] != 0:
            f = row[j]
            row[:] = [v - f * w for v, w in zip(row, prow)]
    if obj[j] != 0:
        f = obj[j]
        obj[:] = [v - f * w for v, w in zip(obj, prow)]


def interior_point(constraints: Sequence[Affine], dim: int) -> Optional[list]:
    """A rational x with a_i·x + c_i > 0 for all i, or None when there is none (exact)."""
    cons = [([fmpq(v) for v in a], fmpq(c)) for a, c in constraints]
    if not cons:
        return [fmpq(0)] * dim
    m, d = len(cons), dim
    # columns: p (d), n (d), t, s, then m + 2 slacks; rows: −a·p + a·n − c t + s ≤ 0, t ≤ 1, s ≤ 1
    nv = 2 * d + 2
    width = nv + m + 2
    rows = []
    for i, (a, c) in enumerate(cons):
        row = [-v for v in a] + list(a) + [-c, fmpq(1)] + [fmpq(0)] * (m + 2) + [fmpq(0)]
        row[nv + i] = fmpq(1)
        rows.append(row)
    for k, col in enumerate((2 * d, 2 * d + 1)):  # t ≤ 1, s ≤ 1
        row = [fmpq(0)] * (width + 1)
        row[col] = fmpq(1)
        row[nv + m + k] = fmpq(1)
        row[-1] = fmpq(1)
        rows.append(row)
    basis = [nv + i for i in range(m + 2)]
    # objective row: reduced profits (maximise s), last entry −(objective value)
    obj = [fmpq(0)] * (width + 1)
    obj[2 * d + 1] = fmpq(1)
    s_col = 2 * d + 1
    while True:
        value = next((rows[r][-1] for r, b in enumerate(basis) if b == s_col), fmpq(0))
        if value > 0:
            break
        enter = next((j for j in range(width) if obj[j] > 0), None)
        if enter is None:
            return None  # optimum s = 0: the strict system is empty
        best, leave = None, None
        for r, row in enumerate(rows):
            if row[enter] > 0:
                ratio = row[-1] / row[enter]
                if best is None or ratio < best or (ratio == best and basis[r] < basis[leave]):
                    best, leave = ratio, r
        if leave is None:  # cannot happen: s ≤ 1 and t ≤ 1 bound the LP
            raise ArithmeticError("unbounded LP in interior_point")
        _pivot(rows, obj, leave, enter)
        basis[leave] = enter
    sol = [fmpq(0)] * nv
    for r, b in enumerate(basis):
        if b < nv:
            sol[b] = rows[r][-1]
    x = [sol[k] - sol[d + k] for k in range(d)]
    t = sol[2 * d]
    if t > 0:
        x = [v / t for v in x]
    else:  # a direction: scale it until the constants no longer matter
        lam = fmpq(1)
        for a, c in cons:
            ax = sum((ai * xi for ai, xi in zip(a, x)), fmpq(0))
            lam = max(lam, (-c / ax) + 1)
        x = [lam * v for v in x]
    if not all(sum((ai * xi for ai, xi in zip(a, x)), fmpq(0)) + c > 0 for a, c in cons):
        raise ArithmeticError("interior_point: the witness does not satisfy the system (a bug)")
    return x
