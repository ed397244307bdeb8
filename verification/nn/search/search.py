"""The symmetry search: every combination of the candidate actions (:mod:`.candidates`) under which the loss is
invariant, found from gradients at random points and confirmed on fresh ones, and its Noether laws.

Two stages keep the system small.  Stage 1 solves for the scalings and translations (Σ_a n_a unknowns per
tensor, plus single-entry translations of the coordinates no gradient moves).  Stage 2 adds the symmetric mixings
(E_ij + E_ji) of every axis between the indices that stage 1 scales unlike the others (:mod:`.mixings`) and the
mixing 11ᵀ of every axis (all its slices alike: a transformer's stream read by LayerNorms only), and
solves again with the stage-1 symmetries as unknowns: GL(n) laws such as W_Q W_Qᵀ − W_K W_Kᵀ, AAᵀ − BᵀB (LoRA) or
those of a linear layer pair appear there.  A mixing among indices that no stage-1 symmetry scales apart is not
searched: a limitation of the family (the README says so).

The random points (:mod:`.sampler`): every trainable tensor drawn afresh, N(0, rms(θ_t)²) entrywise, with the
example inputs and a second batch of the same kind (:func:`.inputs.other_batch`) in turn, so that a symmetry that
holds only at the model's θ (a dead unit) or only on these inputs (an unused embedding row) is not found.  Laws are returned as
coefficients over the candidates (plain data); :mod:`..laws.searched` makes law groups of them.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Optional

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ..model_map import dropout_off
from .candidates import (
    ENTRY,
    FIBER,
    MEAN,
    SHIFT,
    Candidate,
    diagonal_and_shift,
    diagonal_and_shift_count,
    entries,
    means,
    pairs,
    quantities,
)
from .inputs import other_batch
from .mixings import active_indices, broken_mixings
from .sampler import Sampler
from .solve import REL_TOL, ZERO_COLUMN, independent_rows, null_space, readable

MAX_UNKNOWNS = 6000  # a larger system is not solved (an SVD of about 1.5 U × U doubles): said in the notes
MAX_COST = 2e9  # D × rows (the gradients' floats over the search): a costlier search is not run, said in the notes
CONFIRM_TOL = 1e-8  # |cos| between a law's gradient and any fresh field, in float64
# a law of the region is a law of the model too (not set apart) where its residual at random points is below this
# (relative): only a combination that clearly fails there is a law of this θ — one at 2e-8 there (GPT's LayerNorm
# scalings in a θ-dependent mix, 6e-10 near θ) is a near-law of the solve, not a symmetry of the region
HELD_ANYWHERE_TOL = 1e-6
REFINE_ROUNDS = 8  # rounds of fresh points after a solve, each refining the null space until one changes nothing


@dataclass
class SearchResult:
    """The laws found (coefficients over ``candidates``, one row per law, readable) and the evidence."""

    candidates: list[Candidate] = field(default_factory=list)
    coefficients: Optional[torch.Tensor] = None
    evidence: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # the axes whose indices stage 1 scales independently but where no tested mixing is a symmetry, with the test
    broken: list[str] = field(default_factory=list)
    # with ``spread``: the laws of the region (rows of ``coefficients``' span) that are not laws at random θ
    region_only: Optional[torch.Tensor] = None

    @property
    def count(self) -> int:
        return 0 if self.coefficients is None else int(self.coefficients.shape[0])


def _refined(sampler: Sampler, cands: list[Candidate], basis: torch.Tensor, deadline: float,
             project: Optional[torch.Tensor] = None, extra: Optional[list[Candidate]] = None) -> tuple[torch.Tensor, int]:
    """The null space restricted further by fresh points until a round of ``MIN_POINTS`` new points leaves it
    unchanged (the symmetries of the first solve that hold only at its points — too few rows, a near-null column —
    drop out); (basis, rounds).  Each round solves the small system E_new Nᵀ."""
    for rounds in range(1, REFINE_ROUNDS + 1):
        if not basis.shape[0]:
            return basis, rounds
        E, _ = sampler.system(cands, basis.shape[0] + 16, project=project, extra=extra, deadline=deadline)
        held, q, scale = _held_within(E, basis)
        if held.shape[0] == basis.shape[0]:
            return basis, rounds
        basis = (held @ q.T) / scale
    raise TimeoutError(f"the null space still shrank after {REFINE_ROUNDS} rounds of fresh points")


def _held_within(E: torch.Tensor, basis: torch.Tensor,
                 rel_tol: float = REL_TOL) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The combinations of ``basis``'s rows that E annihilates, as orthonormal rows over q, with (q, scale): in the
    coordinates where E's columns have unit norm (``scale``) and on an orthonormal basis q of ``basis``, the
    residuals of true symmetries are at rounding level against 1, whatever the scale of the model.  A held row r is
    the coefficient vector (r qᵀ) / scale."""
    scale = E.norm(dim=0)
    scale = torch.where(scale > ZERO_COLUMN * scale.max().clamp_min(1e-300), scale, torch.ones_like(scale))
    q, _ = torch.linalg.qr((basis * scale).T)
    return null_space(E / scale @ q, rel_tol=rel_tol, reference=1.0).basis, q, scale


def _finite_sampler(model: nn.Module, batches: list[torch.Tensor], loss: str, class_dim, seed: int,
                    batch_norm_eps: Optional[float], spread: Optional[float]) -> tuple[Sampler, bool]:
    """A sampler with the batch norms at ``batch_norm_eps``, or at their own eps where the model is not finite at
    its first point (a batch norm at eps 0 over a channel with no variance: the scale laws are then broken);
    (sampler, whether it fell back)."""
    sampler = Sampler(model, batches, loss, class_dim, seed, batch_norm_eps=batch_norm_eps, spread=spread)
    try:
        sampler.rows(1)
    except ConslawError:
        if batch_norm_eps is None:
            raise
        return Sampler(model, batches, loss, class_dim, seed, batch_norm_eps=None, spread=spread), True
    return sampler, False


def symmetry_search(model: nn.Module, inputs: torch.Tensor, *, loss: str = "cross_entropy",
                    class_dim: Optional[int] = None, seed: int = 0, other_inputs: Optional[torch.Tensor] = None,
                    max_unknowns: int = MAX_UNKNOWNS, max_cost: float = MAX_COST, margin: int = 48,
                    time_limit: float = 60.0, spread: Optional[float] = None,
                    inert_entries: bool = True) -> SearchResult:
    """The laws of every symmetry the candidates span (module docstring), confirmed on fresh random points.

    ``other_inputs``: the second batch (default :func:`.inputs.other_batch`).  A system over ``max_unknowns`` is not
    solved, nor one whose gradients would hold more than ``max_cost`` floats in all, and a search past ``time_limit``
    seconds stops; either is said in ``notes`` (with what was found so
    far, nothing claimed from an unsolved stage).  Runs in float64 on a copy of the model.

    ``spread``: draw the points near the model's θ instead (θ_t + spread·rms(θ_t)·N(0, 1)): the symmetries of the
    region around θ, where the units active on every input stay active — laws of this θ, not of the model (the
    count sets them apart, :func:`~..count.count_module_laws`).  ``inert_entries``: add the single-entry translations
    of the coordinates no gradient moves as candidates (the count, which sets those coordinates apart itself, searches
    the region without them: near a θ with dead units they are most of the unknowns)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 1:
        raise ConslawError("the symmetry search needs example inputs: a tensor with a batch dimension")
    result = SearchResult()
    shapes = {n: p.shape for n, p in model.named_parameters() if p.requires_grad}
    unknowns = diagonal_and_shift_count(shapes)  # counted before the list is built: refusing stays instant
    D = sum(s.numel() for s in shapes.values())
    result.evidence.update({"D": D, "stage 1 unknowns": unknowns})
    cost = D * (3 * unknowns // 2 + margin)
    if unknowns > max_unknowns or cost > max_cost:
        result.notes.append(
            f"symmetry search not run: {unknowns} candidate scalings and translations over D = {D} parameters "
            + (f"exceed max_unknowns={max_unknowns}" if unknowns > max_unknowns else
               f"cost D × rows = {cost:.1e} > max_cost={max_cost:.0e}")
            + "; the patterns' laws only (a narrower copy of the model can be searched)")
        return result
    cands = diagonal_and_shift(shapes)
    model = copy.deepcopy(model).to(torch.float64)
    if inputs.is_floating_point():
        inputs = inputs.to(torch.float64)
    other = other_inputs if other_inputs is not None else other_batch(model, inputs, seed)
    if other.is_floating_point():
        other = other.to(torch.float64)
    with dropout_off(model):
        sampler, fell_back = _finite_sampler(model, [inputs, other], loss, class_dim, seed, 0.0, spread)
        if fell_back:
            result.notes.append("symmetry search with the batch norms' own eps (at eps 0 the model is not finite at "
                                "random points): the scale laws a batch norm gives, exact only at eps 0, are not found")
        ev = result.evidence
        inert = sampler.inert() if inert_entries else {}
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
                active = active_indices(readable(first.basis), cands, sampler.shapes)
                extra = pairs(active) + means(sampler.shapes, active)
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
                    result.broken = broken_mixings(extra, second.basis[:, k1:], pts2)
        except TimeoutError as exc:
            stage = "stage 1 (scalings and translations)" if basis is None else "stage 2 (mixings)"
            result.notes.append(f"symmetry search stopped in {stage}: {exc} (time limit {time_limit:g} s); "
                                "nothing claimed from the unfinished stage"
                                + ("" if basis is None else "; the scalings and translations of stage 1 stand"))
            if basis is None:
                ev["seconds"] = round(time.perf_counter() - t0, 3)
                return result
        if basis.shape[0]:
            # scalings and mixings before translations: a law then reads without translation terms where the
            # symmetries split into linear ones and translations (readable's pivots come first)
            # and the mean mixings last: where the translations of an axis are laws, ½‖Σ_i slice_i‖² is a function of
            # them and is the one dropped as dependent
            order = sorted(range(len(coeff_cands)),
                           key=lambda u: 2 if coeff_cands[u].kind == MEAN else coeff_cands[u].kind in (SHIFT, FIBER, ENTRY))
            coeff_cands, basis = [coeff_cands[u] for u in order], basis[:, order]
            laws = readable(basis)
            laws, worst = _confirmed(sampler, coeff_cands, laws, result.notes)
            ev["confirmation |cos| max"] = worst
            laws = _independent(sampler, coeff_cands, laws)
            result.candidates, result.coefficients = coeff_cands, laws
            if spread is not None and laws.shape[0]:
                try:
                    result.region_only = _region_only(model, [inputs, other], loss, class_dim, seed, sampler,
                                                      coeff_cands, laws, deadline, margin)
                except TimeoutError as exc:  # nothing set apart: a law not split off is simply not claimed
                    result.region_only = laws[:0]
                    result.notes.append(f"the region's laws were not split from the model's: {exc} (time limit "
                                        f"{time_limit:g} s); none is set apart as a law of this θ")
                ev["laws of the region only"] = int(result.region_only.shape[0])
    ev["points skipped (not finite)"] = sampler.skipped
    ev["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def _region_only(model: nn.Module, batches: list[torch.Tensor], loss: str, class_dim, seed: int, near: Sampler,
                 cands: list[Candidate], laws: torch.Tensor, deadline: float, margin: int) -> torch.Tensor:
    """The part of the region's laws that is not a symmetry at random θ: the combinations of ``laws`` that hold at
    random points (to ``HELD_ANYWHERE_TOL``) are removed, and the orthogonal complement of them (in the laws'
    coefficients) is returned, as coefficients over ``cands``."""
    anywhere, _ = _finite_sampler(model, batches, loss, class_dim, seed + 1, near.batch_norm_eps, None)
    E, _ = anywhere.system(cands, 3 * laws.shape[0] // 2 + margin, deadline=deadline)
    held, q, scale = _held_within(E, laws, HELD_ANYWHERE_TOL)
    if not held.shape[0]:
        return laws
    _, _, vh = torch.linalg.svd(held, full_matrices=True)
    return (vh[held.shape[0]:] @ q.T) / scale


def _gradients(sampler: Sampler, cands: list[Candidate], laws: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
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


def _confirmed(sampler: Sampler, cands, laws: torch.Tensor, notes: list[str], points: int = 4):
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


def _independent(sampler: Sampler, cands, laws: torch.Tensor) -> torch.Tensor:
    """The laws whose gradients at a random point are independent, kept in order (Gram–Schmidt, relative 1e-8)."""
    if not laws.shape[0]:
        return laws
    return laws[independent_rows(_gradients(sampler, cands, laws, sampler.random_theta()))]


