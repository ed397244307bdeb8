"""Trace dimension of Lie(V) at seeded rational points, and the number of laws.

Algorithm (Marcotte–Gribonval–Peyré 2023; docs/THEORY.md §2):

    W_0 = span V,   W_{k+1} = W_k + [W_0, W_k],

grown until a level adds no direction; then ``dim Lie(V)(θ_0) = r`` and there
are ``D − r`` independent conservation laws near θ_0 (Theorem 2.11).

How each level is screened.  The fields kept so far have *stacked* values
(at all P working points) spanning a subspace S of F_p^{P·D}.  Let N be a
basis of its annihilator (``c = P·D − dim S`` rows).  A candidate [G, Y] adds
a direction iff its residue N·[G, Y](θ) is nonzero, and

    N·[G, Y](θ) = (N ∂Y) G(θ) − (N ∂G) Y(θ),

so after precomputing the c-row matrices ``N ∂F`` of every kept field, each
candidate costs O(c · nnz) operations, and a level stops early once its new
directions fill the annihilator.  Candidates are the brackets of the kept
generators with the directions new at the previous level (a basis of W_0
and of the new part of W_k suffices by bilinearity; fields whose values are
already spanned are not expanded further).

Exactness.  The screen works modulo the prime of :mod:`modular`; everything
it keeps is independent over QQ (see there).  The reported rank at each
point is then computed *exactly* over QQ (FLINT) from the exact values of
the kept fields at that rational point; it is a proven lower bound for
``dim Lie(V)(θ_0)``, so ``D − rank`` is a proven upper bound on the number
of laws.  Matching independent laws (issue #3's certificates) close the gap.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Callable, Iterator, Optional, Sequence

import flint

from .bracket_graph import BracketGraph
from .errors import ShapeError
from .evaluation import StackedEvaluation, evaluate_stacked
from .exact_rank import exact_rank, modular_rank
from .fields import PolynomialVectorField
from .modular import PRIME, ModularEchelon, point_mod
from .points import format_point, working_points
from .rationals import to_qq

ProgressCallback = Callable[[str, int, int], None]
RECORD_MODES = ("kept", "all")


@dataclass
class LevelReport:
    """What one level W_k of the growth did."""

    level: int
    candidates: int
    examined: int
    new: int
    ranks_mod_p: list[int]
    seconds: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class TraceResult:
    """Exact trace ranks at the working points and the resulting number of laws."""

    dim: int
    ranks: list[int]
    seed: Optional[int]
    points: list[list]
    status: str
    levels: list[LevelReport]
    graph: BracketGraph
    seconds: float
    prime: int = PRIME
    notes: list[str] = dc_field(default_factory=list)

    @property
    def rank(self) -> int:
        """Generic trace dimension: the largest rank over the points (rank is lower semicontinuous)."""
        return max(self.ranks)

    @property
    def laws(self) -> int:
        """Number of independent conservation laws, D − rank (Theorem 2.11)."""
        return self.dim - self.rank

    def kept_nodes(self) -> list[int]:
        """The graph nodes whose values were kept (the directions found), in the order found."""
        return [n for n, d in self.graph.graph.nodes(data=True) if d["status"] == "new"]

    def to_dict(self) -> dict:
        return {
            "D": self.dim,
            "rank": self.rank,
            "laws": self.laws,
            "ranks_per_point": self.ranks,
            "seed": self.seed,
            "points": [format_point(p) for p in self.points],
            "status": self.status,
            "levels": [lv.to_dict() for lv in self.levels],
            "graph": self.graph.summary(),
            "seconds": round(self.seconds, 4),
            "screen_prime": self.prime,
            "exact": "ranks are exact over QQ at the listed rational points",
            "notes": self.notes,
        }


def _dense_rows(evals: Sequence[StackedEvaluation], start: int, stop: int) -> list[list[int]]:
    return [[ev.value.get(s, 0) for s in range(start, stop)] for ev in evals]


def _annihilator_columns(evals: Sequence[StackedEvaluation], width: int, p: int) -> list:
    """Columns of N (as ``nmod_poly`` of length c), N a basis of the annihilator of the stacked values."""
    if evals:
        basis, nullity = flint.nmod_mat(_dense_rows(evals, 0, width), p).nullspace()
        rows = basis.tolist()
        return [flint.nmod_poly([int(v) for v in rows[s][:nullity]], p) for s in range(width)], nullity
    return [flint.nmod_poly([0] * s + [1], p) for s in range(width)], width


def _annihilated_jacobian(ev: StackedEvaluation, ncols: list, p: int) -> dict:
    """Columns of N·∂F: stacked column s ↦ Σ_r ∂F[r, s] · N[:, r]."""
    out = {}
    for s, entries in ev.jacobian.items():
        acc = flint.nmod_poly([], p)
        for r, val in entries:
            acc += val * ncols[r]
        if acc:
            out[s] = acc
    return out


def _residue(x: StackedEvaluation, my: dict, y: StackedEvaluation, mx: dict, p: int):
    """N·[X, Y](θ) = (N∂Y)·X(θ) − (N∂X)·Y(θ)."""
    acc = flint.nmod_poly([], p)
    for s, a in x.value.items():
        col = my.get(s)
        if col is not None:
            acc += a * col
    for s, a in y.value.items():
        col = mx.get(s)
        if col is not None:
            acc -= a * col
    return acc


def _pairs(gens: Sequence[int], frontier: Sequence[int], first_level: bool) -> Iterator[tuple[int, int]]:
    for y in frontier:
        for g in gens:
            if first_level and g >= y:
                continue  # [g, g] = 0 and [y, g] = −[g, y]
            yield g, y


def lie_trace(
    generators: Sequence[PolynomialVectorField],
    *,
    seed: int = 0,
    n_points: int = 2,
    points: Optional[Sequence[Sequence]] = None,
    max_level: int = 50,
    record: str = "kept",
    labels: Optional[Sequence[str]] = None,
    progress: Optional[ProgressCallback] = None,
    target_rank: Optional[int] = None,
) -> TraceResult:
    """Grow W_k at the working points until it stops; exact trace ranks and the law count.

    Parameters
    ----------
    generators: the fields V (e.g. ``PolynomialVectorField.gradients_of_map``).
    seed, n_points: the working points are ``points.working_points(D, seed, n_points)``
        unless ``points`` (rational coordinates) are given.
    max_level: stop after this many bracket levels (status ``"max_level"``).
    record: ``"kept"`` puts only directions into the bracket graph (fast);
        ``"all"`` also forms every redundant bracket symbolically and adds it
        (deduplicated) as a ``redundant`` node.
    labels: names of the generators in the graph (default ``X0, X1, …``).
    progress: called as ``progress(stage, done, total)``.
    target_rank: stop as soon as the rank mod p at every point reaches it (status ``"target"``), mid-level
        included — ``count --known N`` with ``D − N``: the exact ranks are then lower bounds for dim Lie(V), which
        N verified independent laws close (the 2023 paper's code confirms counts it cannot compute this way).
    """
    t0 = time.perf_counter()
    if not generators:
        raise ShapeError("no generators: the Lie algebra of an empty family is {0}")
    if record not in RECORD_MODES:
        raise ShapeError(f"record must be one of {RECORD_MODES}, got {record!r}")
    space = generators[0].space
    if any(g.space != space for g in generators):
        raise ShapeError("all generators must live on the same parameter space")
    if labels is not None and len(labels) != len(generators):
        raise ShapeError(f"{len(labels)} labels for {len(generators)} generators")
    D = space.dim
    p = PRIME
    if points is None:
        pts = working_points(D, seed, n_points)
    else:
        pts = [list(pt) for pt in points]
        if not pts or any(len(pt) != D for pt in pts):
            raise ShapeError(f"each working point needs {D} coordinates")
        seed = None
    pts_mod = [point_mod(pt, p) for pt in pts]
    P = len(pts)
    width = P * D
    notify = progress or (lambda stage, done, total: None)

    graph = BracketGraph()
    evals: dict[int, StackedEvaluation] = {}
    kept: list[int] = []
    levels: list[LevelReport] = []

    # ---- level 0: the generators themselves
    tl = time.perf_counter()
    echelon = ModularEchelon(p)
    for k, g in enumerate(generators):
        node = graph.add_generator(g, labels[k] if labels else f"X{k}", index=k)
        if node is not None:
            ev = evaluate_stacked(g, pts_mod, p)
            if echelon.insert(ev.value):
                kept.append(node)
                evals[node] = ev
            else:
                graph.mark(node, "redundant")
        if k % 100 == 0:
            notify("generators", k, len(generators))

    def ranks_mod_p() -> list[int]:
        rows = [evals[n] for n in kept]
        return [modular_rank(_dense_rows(rows, q * D, (q + 1) * D), p) for q in range(P)]

    gens = list(kept)
    frontier = list(kept)
    ranks = ranks_mod_p()
    levels.append(LevelReport(0, len(generators), len(generators), len(kept), ranks, time.perf_counter() - tl))

    def reached(extra: Sequence[int] = ()) -> bool:
        """Every point's rank mod p, with the directions ``extra`` found so far at this level, at the target."""
        if target_rank is None:
            return False
        rows = [evals[n] for n in (*kept, *extra)]
        return all(modular_rank(_dense_rows(rows, q * D, (q + 1) * D), p) >= target_rank for q in range(P))

    level = 0
    while True:
        if all(r == D for r in ranks):
            status = "full_rank"
            break
        if target_rank is not None and all(r >= target_rank for r in ranks):
            status = "target"
            break
        if not frontier:
            status = "converged"
            break
        if level >= max_level:
            status = "max_level"
            break
        level += 1
        tl = time.perf_counter()
        ncols, c = _annihilator_columns([evals[n] for n in kept], width, p)
        involved = set(gens) | set(frontier)
        ann = {n: _annihilated_jacobian(evals[n], ncols, p) for n in involved}
        total = len(gens) * (len(gens) - 1) // 2 if level == 1 else len(frontier) * len(gens)
        level_echelon = ModularEchelon(p)
        new_nodes: list[int] = []
        examined = 0
        next_check = target_rank - len(kept) if target_rank is not None else None  # a rank needs as many values
        for g, y in _pairs(gens, frontier, level == 1):
            if level_echelon.rank == c and record == "kept":
                break
            if next_check is not None and len(new_nodes) >= next_check and record == "kept":
                if reached(new_nodes):
                    break
                next_check = len(new_nodes) + max(1, target_rank // 20)  # checked again after a few more
            examined += 1
            if examined % 200 == 0:
                notify(f"level {level}", examined, total)
            res = _residue(evals[g], ann[y], evals[y], ann[g], p)
            vec = {i: int(v) for i, v in enumerate(res.coeffs()) if int(v)} if res else {}
            if vec and level_echelon.insert(vec):
                z = graph.field(g).bracket(graph.field(y))
                node = graph.add_bracket(g, y, z, level, "new")
                if node is None:  # cannot happen: a new value is nonzero and no scalar multiple of a kept field
                    raise AssertionError("a bracket with a new value was zero or a duplicate")
                new_nodes.append(node)
                evals[node] = evaluate_stacked(z, pts_mod, p)
            elif record == "all":
                graph.add_bracket(g, y, graph.field(g).bracket(graph.field(y)), level, "redundant")
        kept.extend(new_nodes)
        frontier = new_nodes
        ranks = ranks_mod_p()
        levels.append(LevelReport(level, total, examined, len(new_nodes), ranks, time.perf_counter() - tl))

    notify("exact ranks", 0, P)
    fields = [graph.field(n) for n in kept]
    exact = []
    for q, pt in enumerate(pts):
        notify("exact ranks", q, P)
        qpt = [to_qq(c, "point coordinate") for c in pt]
        exact.append(exact_rank([f.evaluate_qq(qpt) for f in fields]))
    notes = []
    if len(set(exact)) > 1:
        notes.append(f"the points disagree on the rank ({exact}): at least one is not generic; the maximum is reported")
    if status == "max_level":
        notes.append(f"stopped after max_level={max_level} levels before the trace stopped growing: rank is a lower bound")
    return TraceResult(D, exact, seed, pts, status, levels, graph, time.perf_counter() - t0, p, notes)
