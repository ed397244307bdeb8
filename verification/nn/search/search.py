"""The symmetry search: every combination of the candidate actions (:mod:`.candidates`) under which the loss is
invariant, found from gradients at random points and confirmed on fresh ones, and its Noether laws.

Two stages keep the system small.  Stage 1 solves for the diagonal scalings and slice translations (Σ_a n_a
unknowns per tensor).  Stage 2 adds the symmetric mixings (E_ij + E_ji) of every axis between the indices that stage 1
found in a symmetry, and solves again with the stage-1 symmetries as unknowns: GL(n) laws such as
W_Q W_Qᵀ − W_K W_Kᵀ, AAᵀ − BᵀB (LoRA) or those of a linear layer pair appear there.  A mixing among indices that
carry no diagonal symmetry is not searched (said in the result's notes).

The random points: every trainable tensor drawn afresh, N(0, rms(θ_t)²) entrywise, with the example inputs and a
second batch of the same kind (:func:`.inputs.other_batch`) in turn, so that a symmetry that holds only at the
model's θ (a dead unit) or only on these inputs (an unused embedding row) is not found.  Laws are returned as
coefficients over the candidates (plain data); :mod:`..laws.searched` makes law groups of them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ...report.prose import text_latex
from ..model_map import dropout_off
from .candidates import (
    DIAGONAL,
    ENTRY,
    FIBER,
    SHIFT,
    Candidate,
    diagonal_and_shift,
    entries,
    equations,
    pairs,
    quantities,
)
from .inputs import other_batch
from .solve import ZERO_COLUMN, null_space, readable

MAX_UNKNOWNS = 6000  # a larger system is not solved (an SVD of about 1.5 U × U doubles): said in the notes
MAX_COST = 2e9  # D × rows (the gradients' floats over the search): a costlier search is not run, said in the notes
CONFIRM_TOL = 1e-8  # |cos| between a law's gradient and any fresh field, in float64
MAX_RETRIES = 20  # random points in a row where the model is not finite before giving up
REFINE_ROUNDS = 8  # rounds of fresh points after a solve, each refining the null space until one changes nothing
MIN_POINTS = 8  # random points θ per solved system (a symmetry must hold at every θ)


@dataclass
class SearchResult:
    """The laws found (coefficients over ``candidates``, one row per law, readable) and the evidence."""

    candidates: list[Candidate] = field(default_factory=list)
    coefficients: Optional[torch.Tensor] = None
    evidence: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # the axes whose indices stage 1 scales independently but where no tested mixing is a symmetry, with the test
    broken: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 0 if self.coefficients is None else int(self.coefficients.shape[0])


class _Sampler:
    """Gradients ∇_θ⟨w, g(θ, x)⟩ of the model at random points θ, on the example inputs and on another batch."""

    def __init__(self, model: nn.Module, batches: list[torch.Tensor], loss: str, class_dim, seed: int,
                 batch_norm_eps: Optional[float] = 0.0):
        from ..count import module_map  # the map the numerical count uses: same loss directions, frozen as constants

        self.maps = [module_map(model, x, loss, batch_norm_eps, class_dim) for x in batches]
        theta0, self.names, _ = self.maps[0]
        params = dict(model.named_parameters())
        self.shapes = {n: params[n].shape for n in self.names}
        self.sizes = [params[n].numel() for n in self.names]
        self.theta0 = theta0.to(torch.float64) if theta0.dtype != torch.float64 else theta0
        self.rms = {n: float(t.pow(2).mean().sqrt()) or 1.0 for n, t in self.split(theta0).items()}
        self.gen = torch.Generator().manual_seed(seed)
        self.point = 0
        self.skipped = 0  # random points where the model was not finite (skipped, counted in the evidence)

    def split(self, theta: torch.Tensor) -> dict[str, torch.Tensor]:
        return {n: t.reshape(s) for n, t, s in zip(self.names, torch.split(theta, self.sizes), self.shapes.values())}

    def random_theta(self) -> torch.Tensor:
        parts = [torch.randn(s, generator=self.gen, dtype=self.theta0.dtype) * self.rms[n]
                 for n, s in zip(self.names, self.sizes)]
        return torch.cat(parts).to(self.theta0.device)

    def rows(self, most: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(θ, up to ``most`` gradients at θ as rows) at the next random point, the batches taken in turn."""
        _, _, g = self.maps[self.point % len(self.maps)]
        self.point += 1
        for _ in range(MAX_RETRIES):
            theta = self.random_theta()
            out, pullback = torch.func.vjp(g, theta)
            if not torch.isfinite(out).all():  # e.g. a batch norm at eps 0 on a channel with no variance here
                self.skipped += 1
                continue
            k = max(1, min(most, out.shape[0]))
            W = torch.randn((k, out.shape[0]), generator=self.gen, dtype=out.dtype).to(out.device)
            (rows,) = torch.func.vmap(pullback, chunk_size=32)(W)
            if torch.isfinite(rows).all():
                return theta, rows
            self.skipped += 1
        raise ConslawError(f"the model's outputs or gradients are not finite at {MAX_RETRIES} random points in a row "
                           "(a batch norm over a channel with no variance?): the symmetry search cannot sample it")

    def inert(self, points: int = 2) -> dict[str, list[int]]:
        """Per tensor, the flat indices of the coordinates that no gradient moves at ``points`` random points (both
        batches): candidates for single-entry translations."""
        moved = None
        for _ in range(points):
            _, rows = self.rows(64)
            size = rows.abs().amax(0)
            moved = size if moved is None else torch.maximum(moved, size)
        still = moved <= 1e-13 * float(moved.max().clamp_min(1e-300))
        out = {}
        for name, part in zip(self.names, torch.split(still, self.sizes)):
            idx = torch.nonzero(part).flatten().tolist()
            if idx:
                out[name] = idx
        return out

    def system(self, cands: list[Candidate], needed: int, project: Optional[torch.Tensor] = None,
               extra: Optional[list[Candidate]] = None, deadline: float = float("inf")):
        """At least ``needed`` rows of the system over ``cands`` (mapped through ``project``ᵀ when given: unknowns
        are then its rows) followed by ``extra`` candidates; the points used."""
        blocks, got, points = [], 0, 0
        per_point = max(8, -(-needed // MIN_POINTS))  # rows at one θ are few of the constraints: many points
        start = time.perf_counter()
        while got < needed or points < MIN_POINTS:
            now = time.perf_counter()
            left = max(MIN_POINTS - points, -(-(needed - got) // per_point))
            if points and now + (now - start) / points * left > deadline:  # the rest would run past the limit
                raise TimeoutError(f"{got} of {needed} rows after {points} points; the remaining {left} points "
                                   f"would take about {(now - start) / points * left:.0f} s more")
            theta, rows = self.rows(per_point)
            th, rs = self.split(theta), {n: r.reshape(r.shape[0], *self.shapes[n]) for n, r in
                                         zip(self.names, torch.split(rows, self.sizes, dim=1))}
            E = equations(rs, th, cands)
            if project is not None:
                E = E @ project.T
            if extra:
                E = torch.cat([E, equations(rs, th, extra)], dim=1)
            blocks.append(E)
            got += E.shape[0]
            points += 1
        return torch.cat(blocks), points


def _refined(sampler: _Sampler, cands: list[Candidate], basis: torch.Tensor, deadline: float,
             project: Optional[torch.Tensor] = None, extra: Optional[list[Candidate]] = None) -> tuple[torch.Tensor, int]:
    """The null space restricted further by fresh points until a round of ``MIN_POINTS`` new points leaves it
    unchanged (the symmetries of the first solve that hold only at its points — too few rows, a near-null column —
    drop out); (basis, rounds).  Each round solves the small system E_new Nᵀ."""
    for rounds in range(1, REFINE_ROUNDS + 1):
        if not basis.shape[0]:
            return basis, rounds
        E, _ = sampler.system(cands, basis.shape[0] + 16, project=project, extra=extra, deadline=deadline)
        # in the coordinates where E's columns have unit norm, with an orthonormal basis: residuals of true
        # symmetries are at rounding level against 1, whatever the scale of the model
        scale = E.norm(dim=0)
        scale = torch.where(scale > ZERO_COLUMN * scale.max().clamp_min(1e-300), scale, torch.ones_like(scale))
        q, _ = torch.linalg.qr((basis * scale).T)
        sub = null_space(E / scale @ q, reference=1.0)
        if sub.basis.shape[0] == basis.shape[0]:
            return basis, rounds
        basis = (sub.basis @ q.T) / scale
    raise TimeoutError(f"the null space still shrank after {REFINE_ROUNDS} rounds of fresh points")


def _active(basis: torch.Tensor, cands: list[Candidate], shapes: dict) -> dict[tuple[str, int], list[int]]:
    """Per (tensor, axis), the indices that stage 1 scales unlike the others: for each symmetry the scaling factor
    of every entry, s_t[i_0, …] = Σ_a c_{t,a,i_a} (an axis's dropped last index has c = 0), gives along each axis
    the vector of slice means; index i is marked when some combination of those vectors, less its mean, is nonzero
    at i (a uniform scaling of the axis marks nothing; the scalings of a block of indices shared by several heads
    mark the block).  A GL(n) mixing of an axis contains such scalings, so the mixings are searched between marked
    indices only."""
    diag = {}  # (tensor, axis) → [(index, column)]
    for u, c in enumerate(cands):
        if c.kind == DIAGONAL:
            diag.setdefault((c.tensor, c.axis), []).append((c.i, u))
    means: dict[tuple[str, int], list[torch.Tensor]] = {}
    for row in basis:
        for t, shape in shapes.items():
            factors = []
            for axis, n in enumerate(shape):
                c = row.new_zeros(n)
                for i, u in diag.get((t, axis), []):
                    c[i] = row[u]
                factors.append(c)
            if not any(bool(f.abs().gt(0).any()) for f in factors):
                continue
            for axis, f in enumerate(factors):
                if len(f) > 1:
                    means.setdefault((t, axis), []).append(f + sum(float(g.mean()) for k, g in enumerate(factors)
                                                                   if k != axis))
    active = {}
    for key, vecs in means.items():
        M = torch.stack(vecs)
        M = M - M.mean(dim=1, keepdim=True)  # the part of each that is not a uniform scaling
        if float(M.abs().max()) <= 1e-9:
            continue
        _, sv, vh = torch.linalg.svd(M, full_matrices=False)
        q = vh[sv > 1e-8 * sv[0]]  # orthonormal rows spanning the non-uniform scalings of this axis
        varied = torch.nonzero(q.pow(2).sum(0) > 1e-12).flatten().tolist()
        if len(varied) > 1:
            active[key] = varied
    return active


def _broken_mixings(extra: list[Candidate], pair_part: torch.Tensor, points: int) -> list[str]:
    """The (tensor, axis) pairs whose mixings were candidates but where no symmetry of the solved system moves any
    of them, each as "NAME axis A (N mixings)": the GL mixing that the axis's independent scalings suggest is
    broken on the way between the tensors (an elementwise weight, a rotary embedding, a non-homogeneous
    activation, a key head shared by several queries).  The test is the solved system itself."""
    used = (pair_part.abs() > 1e-9 * pair_part.abs().max().clamp_min(1e-300)).any(0) if pair_part.numel() else \
        torch.zeros(len(extra), dtype=torch.bool)
    by_axis: dict[tuple[str, int], list[bool]] = {}
    for c, u in zip(extra, used.tolist()):
        by_axis.setdefault((c.tensor, c.axis), []).append(u)
    return [f"{tensor} axis {axis} ({len(flags)} mixings)" for (tensor, axis), flags in by_axis.items()
            if not any(flags)]


def symmetry_search(model: nn.Module, inputs: torch.Tensor, *, loss: str = "cross_entropy",
                    class_dim: Optional[int] = None, seed: int = 0, other_inputs: Optional[torch.Tensor] = None,
                    max_unknowns: int = MAX_UNKNOWNS, max_cost: float = MAX_COST, margin: int = 48,
                    time_limit: float = 60.0) -> SearchResult:
    """The laws of every symmetry the candidates span (module docstring), confirmed on fresh random points.

    ``other_inputs``: the second batch (default :func:`.inputs.other_batch`).  A system over ``max_unknowns`` is not
    solved, nor one whose gradients would hold more than ``max_cost`` floats in all, and a search past ``time_limit``
    seconds stops; either is said in ``notes`` (with what was found so
    far, nothing claimed from an unsolved stage).  Runs in float64 on a copy of the model."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 1:
        raise ConslawError("the symmetry search needs example inputs: a tensor with a batch dimension")
    result = SearchResult()
    shapes = {n: p.shape for n, p in model.named_parameters() if p.requires_grad}
    cands = diagonal_and_shift(shapes)
    D = sum(s.numel() for s in shapes.values())
    result.evidence.update({"D": D, "stage 1 unknowns": len(cands)})
    cost = D * (3 * len(cands) // 2 + margin)
    if len(cands) > max_unknowns or cost > max_cost:
        result.notes.append(
            f"symmetry search not run: {len(cands)} candidate scalings and translations over D = {D} parameters "
            + (f"exceed max_unknowns={max_unknowns}" if len(cands) > max_unknowns else
               f"cost D × rows = {cost:.1e} > max_cost={max_cost:.0e}")
            + "; the patterns' laws only (a narrower copy of the model can be searched)")
        return result
    import copy

    model = copy.deepcopy(model).to(torch.float64)
    if inputs.is_floating_point():
        inputs = inputs.to(torch.float64)
    other = other_inputs if other_inputs is not None else other_batch(model, inputs, seed)
    if other.is_floating_point():
        other = other.to(torch.float64)
    with dropout_off(model):
        sampler = _Sampler(model, [inputs, other], loss, class_dim, seed)
        try:
            sampler.rows(1)
        except ConslawError:  # batch norms at eps 0 on channels with no variance: their own eps, scale laws then broken
            sampler = _Sampler(model, [inputs, other], loss, class_dim, seed, batch_norm_eps=None)
            result.notes.append("symmetry search with the batch norms' own eps (at eps 0 the model is not finite at "
                                "random points): the scale laws a batch norm gives, exact only at eps 0, are not found")
        ev = result.evidence
        inert = sampler.inert()
        if inert:
            cands = cands + entries(inert)
            ev["entries untouched by every gradient"] = sum(len(v) for v in inert.values())
        basis = None
        try:
            E, pts = sampler.system(cands, 3 * len(cands) // 2 + margin, deadline=deadline)
            first = null_space(E)
            first.basis, ev["stage 1 rounds"] = _refined(sampler, cands, first.basis, deadline)
            ev.update({"stage 1 rows": int(E.shape[0]), "stage 1 points": pts, "stage 1 symmetries": first.basis.shape[0],
                       "stage 1 gap": [first.null_sv, first.kept_sv]})
            basis, coeff_cands = first.basis, cands
            if first.basis.shape[0]:
                extra = pairs(_active(readable(first.basis), cands, sampler.shapes))
                ev["stage 2 unknowns"] = first.basis.shape[0] + len(extra)
                if extra and first.basis.shape[0] + len(extra) > max_unknowns:
                    result.notes.append(f"mixing symmetries not searched: {len(extra)} candidate mixings exceed "
                                        f"max_unknowns={max_unknowns}; the scalings and translations are complete")
                elif extra:
                    E2, pts2 = sampler.system(cands, 3 * (first.basis.shape[0] + len(extra)) // 2 + margin,
                                              project=first.basis, extra=extra, deadline=deadline)
                    second = null_space(E2)
                    second.basis, ev["stage 2 rounds"] = _refined(sampler, cands, second.basis, deadline,
                                                                  project=first.basis, extra=extra)
                    k1 = first.basis.shape[0]
                    basis = torch.cat([second.basis[:, :k1] @ first.basis, second.basis[:, k1:]], dim=1)
                    coeff_cands = cands + extra
                    ev.update({"stage 2 rows": int(E2.shape[0]), "stage 2 points": pts2,
                               "stage 2 symmetries": second.basis.shape[0], "stage 2 gap": [second.null_sv, second.kept_sv]})
                    result.broken = _broken_mixings(extra, second.basis[:, k1:], pts2)
        except TimeoutError as exc:
            stage = "stage 1 (scalings and translations)" if basis is None else "stage 2 (mixings)"
            result.notes.append(f"symmetry search stopped at its time limit of {time_limit:g} s in {stage} ({exc}); "
                                "nothing claimed from the unfinished stage"
                                + ("" if basis is None else "; the scalings and translations of stage 1 stand"))
            if basis is None:
                ev["seconds"] = round(time.perf_counter() - t0, 3)
                return result
        if basis.shape[0]:
            # scalings and mixings before translations: a law then reads without translation terms where the
            # symmetries split into linear ones and translations (readable's pivots come first)
            order = sorted(range(len(coeff_cands)), key=lambda u: coeff_cands[u].kind in (SHIFT, FIBER, ENTRY))
            coeff_cands, basis = [coeff_cands[u] for u in order], basis[:, order]
            laws = readable(basis)
            laws, worst = _confirmed(sampler, coeff_cands, laws, result.notes)
            ev["confirmation |cos| max"] = worst
            laws = _independent(sampler, coeff_cands, laws)
            result.candidates, result.coefficients = coeff_cands, laws
    ev["points skipped (not finite)"] = sampler.skipped
    ev["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def _gradients(sampler: _Sampler, cands: list[Candidate], laws: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """∇h_i(θ) for every law h_i = Σ_u c_iu q_u (rows, laws × D)."""
    return torch.func.jacrev(lambda th: laws @ quantities(sampler.split(th), cands))(theta)


def law_matrix(cands: list[Candidate], laws: torch.Tensor, theta: dict[str, torch.Tensor],
               names: list[str]) -> torch.Tensor:
    """The laws' gradients at ``theta`` (tensors by name), as rows over the flat θ of ``names`` in order."""
    sizes = [theta[n].numel() for n in names]
    flat = torch.cat([theta[n].reshape(-1) for n in names])

    def values(th):
        parts = {n: t.reshape(theta[n].shape) for n, t in zip(names, torch.split(th, sizes))}
        return laws.to(th.dtype) @ quantities(parts, cands)

    return torch.func.jacrev(values)(flat)


def _confirmed(sampler: _Sampler, cands, laws: torch.Tensor, notes: list[str], points: int = 4):
    """The laws whose gradients stay orthogonal (|cos| ≤ CONFIRM_TOL) to fresh gradients at ``points`` new random
    points, both batches in turn; the others dropped and named in ``notes``.  Returns (laws kept, worst |cos|)."""
    worst = torch.zeros(laws.shape[0], dtype=laws.dtype)
    for _ in range(points):
        theta, rows = sampler.rows(64)
        grads = _gradients(sampler, cands, laws, theta)
        cos = (rows @ grads.T).abs() / (rows.norm(dim=1, keepdim=True) * grads.norm(dim=1).clamp_min(1e-300))
        worst = torch.maximum(worst, cos.amax(0))
    keep = worst <= CONFIRM_TOL
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} symmetries of the solved system were not confirmed on fresh points "
                     f"(|cos| up to {float(worst.max()):.1e} > {CONFIRM_TOL:g}); not claimed")
    return laws[keep], float(worst[keep].max()) if keep.any() else 0.0


def _independent(sampler: _Sampler, cands, laws: torch.Tensor) -> torch.Tensor:
    """The laws whose gradients at a random point are independent, kept in order (Gram–Schmidt, relative 1e-8)."""
    if not laws.shape[0]:
        return laws
    grads = _gradients(sampler, cands, laws, sampler.random_theta())
    kept, basis = [], []
    for k, g in enumerate(grads):
        r = g.clone()
        for b in basis:
            r -= (r @ b) * b
        if float(r.norm()) > 1e-8 * float(g.norm()):
            basis.append(r / r.norm())
            kept.append(k)
    return laws[kept]


def _tex(name: str) -> str:
    return r"\mathtt{" + text_latex(name) + "}"


def _slice(name: str, ndim: int, axis: int, i: str) -> str:
    idx = [":"] * ndim
    idx[axis] = i
    return _tex(name) + ("[" + ",".join(idx) + "]" if ndim > 1 else f"_{{{i}}}")


def _coef(c: float, first: bool) -> str:
    from fractions import Fraction

    f = Fraction(c).limit_denominator(12)
    sign = "-" if c < 0 else ("" if first else "+")
    mag = abs(float(f)) if abs(float(f) - c) < 1e-9 else abs(c)
    if abs(float(f) - c) < 1e-9:
        body = "" if f.denominator == 1 and abs(f.numerator) == 1 else (
            str(abs(f.numerator)) if f.denominator == 1 else rf"\tfrac{{{abs(f.numerator)}}}{{{f.denominator}}}")
    else:
        body = f"{mag:.3g}"
    return f"{sign}{body}"


def law_latex(cands: list[Candidate], row: torch.Tensor, shapes: dict) -> str:
    """One law Σ_u c_u q_u in LaTeX: ½‖slice‖² terms, ⟨slice_i, slice_j⟩ terms, Σ slice terms; every slice of
    axis 0 with one coefficient reads as the whole tensor (½‖T‖², Σ T)."""
    terms = []
    support = torch.nonzero(row).flatten().tolist()
    whole: dict[tuple[str, str], float] = {}  # (kind, tensor) whose axis-0 slices all carry one coefficient
    for kind in (DIAGONAL, SHIFT):
        for t in {cands[u].tensor for u in support if cands[u].kind == kind and cands[u].axis == 0}:
            coefs = {cands[u].i: float(row[u]) for u in support
                     if cands[u].kind == kind and cands[u].tensor == t and cands[u].axis == 0}
            if len(coefs) == shapes[t][0] and len(set(coefs.values())) == 1:
                whole[(kind, t)] = next(iter(coefs.values()))
    for (kind, t), c in whole.items():
        coef = _coef(c * (0.5 if kind == DIAGONAL else 1.0), not terms)
        terms.append(coef + (rf"\|{_tex(t)}\|^2" if kind == DIAGONAL else rf"\textstyle\sum {_tex(t)}"))
    for u in support:
        c, cand = float(row[u]), cands[u]
        if cand.axis == 0 and (cand.kind, cand.tensor) in whole:
            continue
        nd = len(shapes[cand.tensor])
        coef = _coef(c * (0.5 if cand.kind == DIAGONAL else 1.0), not terms)
        if cand.kind == DIAGONAL:
            body = rf"\|{_slice(cand.tensor, nd, cand.axis, str(cand.i))}\|^2"
        elif cand.kind == SHIFT:
            body = rf"\textstyle\sum {_slice(cand.tensor, nd, cand.axis, str(cand.i))}"
        elif cand.kind == ENTRY:
            pos = [int(v) for v in torch.unravel_index(torch.tensor(cand.i), shapes[cand.tensor])]
            body = rf"{_tex(cand.tensor)}[{','.join(map(str, pos))}]"
        elif cand.kind == FIBER:
            rest = [int(v) for v in torch.unravel_index(torch.tensor(cand.i), shapes[cand.tensor][1:])]
            body = rf"\textstyle\sum_k {_tex(cand.tensor)}[k,{','.join(map(str, rest))}]"
        else:
            body = (rf"\langle {_slice(cand.tensor, nd, cand.axis, str(cand.i))}, "
                    rf"{_slice(cand.tensor, nd, cand.axis, str(cand.j))}\rangle")
        terms.append(f"{coef}{body}")
    return " ".join(terms) if terms else "0"
