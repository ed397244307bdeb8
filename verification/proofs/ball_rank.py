"""A proven lower bound on the rank of a model's own fields and brackets at a rational point, from one r × r minor
whose ball-arithmetic determinant excludes 0 (issue 25), and its certificate.  The models (:data:`BALL_MODELS`):
the attention layer (:mod:`.attention_ball`) and the cross-entropy classification layer (:mod:`.softmax_ball`).

Soundness.  Each row is the value at θ of a field of the model (attention: X_{X,W} = ∇_θ⟨W, Y(θ, X)⟩; the
classification layer: the cross-entropy gradient of one sample) or of a bracket of two, computed in
:class:`flint.arb` balls that contain the exact values (:mod:`.ball_fields`).  The determinant of
the chosen r × r submatrix, computed by FLINT in ball arithmetic, is a ball containing the exact determinant; if
it excludes 0 the exact minor is nonzero, so those r values are linearly independent and dim Lie(model)(θ) ≥ r.
Floats only *choose* the rows and columns (midpoints, Gaussian elimination with complete pivoting); a bad choice
can only fail to prove, never prove something false.  When the ball contains 0 the precision is doubled, up to
``max_precision``; past it the rank is reported as not proven, never as a count.

The other bound (Theorem 3.8's argument on instances): every model field is Σ_k c_k(θ) ∇φ_k with smooth c_k, so
brackets of model fields stay in the C^∞-span of Lie(V_φ) and dim Lie(model)(θ) ≤ dim Lie(V_φ)(θ) = D − N_φ,
N_φ the certified count of φ (attention: (Q_h K_hᵀ, V_h O_hᵀ)_h; the classification layer: the differences of W's
rows to its last, whose gradients span the matrices with zero column sums).  When r = D − N_φ the model has
exactly N_φ laws near θ (the minor stays nonzero near θ), the laws of φ.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from fractions import Fraction
from typing import Iterator

import flint
import numpy as np

from conslaw.algebra.architectures import check_attention_sizes, check_softmax_sizes, softmax_widths

from .attention_ball import AttentionShape
from .ball_fields import POINT_BOUND, BallModel, bracket_value, draw_rational, field_value
from .ball_jets import rational_ball
from .softmax_ball import SoftmaxShape

FORMAT = "conslaw-ball-rank"
VERSION = 1
START_PRECISION = 128
MAX_PRECISION = 2048
DRAW_ROUNDS = 3


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """FLINT's working precision (a process-wide setting), restored afterwards."""
    old = flint.ctx.prec
    flint.ctx.prec = bits
    try:
        yield
    finally:
        flint.ctx.prec = old


def row_values(model: BallModel, point: list[Fraction], rows: list[dict]) -> list[list[flint.arb]]:
    """The balls of every row (``{"field": data}`` or ``{"bracket": (data, data′)}``) at the current precision;
    fields shared by brackets are computed once."""
    theta = [rational_ball(v) for v in point]
    cache: dict[int, list[flint.arb]] = {}

    def field(pair: tuple) -> list[flint.arb]:
        key = id(pair)
        if key not in cache:
            cache[key] = field_value(model, theta, pair)
        return cache[key]

    out = []
    for row in rows:
        if "field" in row:
            out.append(field(row["field"]))
        else:
            a, b = row["bracket"]
            out.append(bracket_value(model, theta, a, b, field(a), field(b)))
    return out


def _choose(mid: np.ndarray, r: int) -> tuple[list[int], list[int]]:
    """r rows and r columns of a float matrix by Gaussian elimination with complete pivoting (fewer when the
    matrix looks rank-deficient: a pivot below 1e-9 of the largest entry ends the choice)."""
    A = mid / np.maximum(np.abs(mid).max(axis=1, keepdims=True), 1e-300)  # rows scaled: brackets are far larger
    rows, cols = list(range(A.shape[0])), list(range(A.shape[1]))
    chosen_r, chosen_c = [], []
    scale = float(np.abs(A).max(initial=0.0)) or 1.0
    for _ in range(min(r, *A.shape)):
        i, j = np.unravel_index(np.argmax(np.abs(A)), A.shape)
        if abs(A[i, j]) < 1e-9 * scale:
            break
        chosen_r.append(rows.pop(i))
        chosen_c.append(cols.pop(j))
        pivot_row, pivot_col = A[i].copy(), A[:, j].copy()
        A = np.delete(np.delete(A, i, axis=0), j, axis=1)
        A -= np.outer(np.delete(pivot_col, i), np.delete(pivot_row, j)) / pivot_row[j]
    return chosen_r, chosen_c


def _leading_rank(vals: list, cols: list[int]) -> tuple[int, flint.arb]:
    """The largest k whose leading k × k minor (rows and columns in the chosen order) has a determinant ball that
    excludes 0, and that ball (k = 0: the empty minor, 1)."""
    for k in range(len(vals), 0, -1):
        det = flint.arb_mat([[row[c] for c in cols[:k]] for row in vals[:k]]).det()
        if not det.contains(0):
            return k, det
    return 0, flint.arb(1)


def certified_rank(model: BallModel, target: int, *, seed: int = 0, extra_rows: int = 8,
                   max_precision: int = MAX_PRECISION) -> dict:
    """Draw fields and brackets of the model at a seeded rational point, choose ``target`` rows and columns, and
    prove their minor nonzero in ball arithmetic.  The report: ``rank`` (the proven lower bound: the size of the
    chosen minor when its ball excludes 0, else of the largest leading minor whose ball does, possibly 0),
    ``proven_full`` (whether ``rank == target``), the precision, the choice, and the certificate (:data:`FORMAT`,
    holding exactly the rows and columns of the proven minor)."""
    t0 = time.perf_counter()
    rng = np.random.default_rng([seed, model.D, 25])
    point = [draw_rational(rng) for _ in range(model.D)]
    fields = [model.draw(rng) for _ in range(model.D)]
    rows: list[dict] = [{"field": f} for f in fields]
    values: list = []
    n_brackets = max(0, target) + extra_rows
    for _ in range(DRAW_ROUNDS):  # more brackets while the floats see fewer than ``target`` independent rows
        drawn = []
        for _ in range(n_brackets):
            a, b = rng.choice(len(fields), 2, replace=False)
            drawn.append({"bracket": (fields[a], fields[b])})
        with precision(START_PRECISION):
            values += row_values(model, point, rows[len(values):] + drawn)
        rows += drawn
        mid = np.array([[float(v.mid()) if not v.contains(0) else 0.0 for v in row] for row in values])
        chosen_rows, chosen_cols = _choose(mid, target)
        if len(chosen_rows) >= target:
            break
        n_brackets *= 2
    kept = [rows[i] for i in chosen_rows]
    bits = START_PRECISION
    while True:
        with precision(bits):
            vals = [values[i] for i in chosen_rows] if bits == START_PRECISION else row_values(model, point, kept)
            rank, det = _leading_rank(vals, chosen_cols)
        if rank == len(chosen_rows) or bits >= max_precision:
            break
        bits *= 2
    kept, chosen_rows, chosen_cols = kept[:rank], chosen_rows[:rank], chosen_cols[:rank]
    certificate = {
        "format": FORMAT, "version": VERSION,
        "architecture": model.architecture(),
        "parameter_order": model.parameter_order,
        "point": [str(v) for v in point],
        "rows": [_row_record(model, r) for r in kept],
        "columns": chosen_cols,
        "precision": bits,
        "rank": rank,
        "claim": f"the {rank} x {rank} minor of these rows of the model's fields and brackets on these columns is "
                 "nonzero, so dim Lie(model)(theta) >= " + str(rank),
    }
    return {"rank": rank, "target": target, "proven_full": rank == target, "precision": bits,
            "determinant": str(det), "rows_drawn": len(rows), "rows": chosen_rows, "columns": chosen_cols,
            "point": point, "seconds": round(time.perf_counter() - t0, 3), "certificate": certificate}


def ball_certificate_text(certificate: dict) -> str:
    """The bytes a ball-rank certificate is written as (and audited from)."""
    return json.dumps(certificate, indent=1) + "\n"


def _row_record(model: BallModel, row: dict) -> dict:
    if "field" in row:
        return {"field": model.record(row["field"])}
    return {"bracket": [model.record(data) for data in row["bracket"]]}


def shape_of(d: int, dk: int, dv: int, heads: int = 1, tokens: int = 2) -> AttentionShape:
    """The attention model of eq. (19) with these sizes (each refused by name unless an integer ≥ 1)."""
    return AttentionShape(*check_attention_sizes(d, dk, dv, heads, tokens))


def softmax_of(n: int, classes: int, bias: bool = False) -> SoftmaxShape:
    """The cross-entropy classification layer of eq. (20) with n inputs and K ≥ 2 classes."""
    return SoftmaxShape(*check_softmax_sizes(n, classes), bool(bias))


def _attention(widths, bias: bool, options: dict) -> AttentionShape:
    missing = [k for k in ("d", "dk", "dv") if options.get(k) is None]
    if missing:
        raise ValueError(f"attention needs d, dk and dv (missing: {', '.join(missing)})")
    return shape_of(options["d"], options["dk"], options["dv"], options.get("heads") or 1, options.get("tokens") or 2)


def _softmax(widths, bias: bool, options: dict) -> SoftmaxShape:
    return softmax_of(*softmax_widths(widths), bias)


#: the architectures whose own fields are evaluated in balls: name → (widths, bias, options) → the model
BALL_MODELS = {"attention": _attention, "softmax": _softmax}


def ball_model(name: str, widths=(), bias: bool = False, **options) -> BallModel:
    """The ball model of a registered architecture, from its sizes as ``build_architecture`` takes them."""
    if name not in BALL_MODELS:
        raise ValueError(f"no ball-arithmetic model for {name!r}: there are {', '.join(sorted(BALL_MODELS))}")
    return BALL_MODELS[name](list(widths), bias, options)


def model_rank_report(model: BallModel, *, phi_laws: int, seed: int = 0, max_precision: int = MAX_PRECISION) -> dict:
    """Theorem 3.8's argument on an instance: the model's rank, proven ≥ D − N_φ in ball arithmetic, meets the
    upper bound D − N_φ from φ's certified count ``phi_laws``; then the model has exactly N_φ laws near the
    point."""
    out = certified_rank(model, model.D - phi_laws, seed=seed, max_precision=max_precision)
    out["D"], out["phi_laws"] = model.D, phi_laws
    out["model_laws"] = phi_laws if out["proven_full"] else None
    return out


__all__ = ["BALL_MODELS", "FORMAT", "POINT_BOUND", "ball_certificate_text", "ball_model", "certified_rank", "model_rank_report",
           "precision", "row_values", "shape_of", "softmax_of"]
