"""The numerical law count of any ``nn.Module``, set against the laws the pattern matcher found.

For a model g(θ, x) trained with a loss whose gradient in the outputs spans a space S of
directions (all directions for the square loss; the zero-sum ones for cross-entropy, which
is invariant under adding a constant to the logits), the fields are
X_{x,w}(θ) = ∂_θ⟨w, g(θ, x)⟩, w ∈ S (docs/THEORY.md §1).  On a pool of inputs, the map
θ ↦ (P_S g(θ, x_s))_s has exactly these fields as the gradients of its components, so the
scalable trace of :func:`numeric_random.random_lie_trace` counts D − dim Lie(fields)(θ): the
number of laws the model has at θ, *as seen from these inputs* (more inputs can only lower
it), in floating point — evidence, not a proof.  :func:`find_laws` gives the laws it
recognises; the gap between the two is what the pattern matcher missed (or, where it is
negative, laws it claims that these inputs do not confirm).
"""
from __future__ import annotations

import time
from typing import Optional, TypedDict

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ..numeric.random_trace import left_normed, random_lie_trace
from ..numeric.rank import NumericalRank, numerical_rank
from .laws import LawInventory, dropout_off, find_laws
from .laws.inventory import law_gradients
from .model_map import LOSSES, batches_map, class_axis, module_map  # noqa: F401  (re-exported: the count's map)
from .search.inputs import other_batch
from .search.search import law_matrix, symmetry_search
from .search.solve import independent_rows, unmoved

# a found law whose gradient leans on a field by more than this (relative) is not confirmed by the fields
OVERLAP_TOL = 1e-6


def _unit_rows(rows: torch.Tensor) -> torch.Tensor:
    return rows / rows.norm(dim=1, keepdim=True).clamp_min(torch.finfo(rows.dtype).tiny)


LOCATE_MAX_D = 6000  # the missed laws are located by one SVD of the values drawn: D² floats

# float64: the trace keeps a direction down to this relative residual.  Where the rank at the deciding tolerance
# (1e-8, relative to the largest singular value) falls short of the found laws' bound D − F, the absolute singular
# values of the unit rows drawn (the trace's own SVD) decide: the goal-th must stand NOISE_MARGIN times above the noise
# floor ε·√rows, ε the found laws' largest |cos| with a value drawn (how large a true zero comes out)
FINE_TOL = 1e-10
NOISE_MARGIN = 10.0
NOISE_EPS = 1e-16  # ε where no law was found to measure it


def _fine_rank(rank: NumericalRank, goal: int, noise: float) -> tuple[bool, str]:
    """Whether the values drawn have rank ``goal`` (= D − laws found) above the noise floor, when the deciding
    tolerance fell short — singular values that decay with no gap at 1e-8 relative (the ViT's LayerNorm and
    attention brackets reach 1e-12 absolute) —, with the note that says so.  ``rank``: the trace's own, whose
    singular values are those of the unit rows drawn (less the rows at rounding level).  Lower-bound argument: every
    row is a unit vector computed with a relative error of about ε (what the found laws' |cos| with them shows,
    since those are exact zeros), so the rounding moves no singular value by more than ε·√rows; the goal-th
    standing NOISE_MARGIN times above that gives rank ≥ goal, and the found laws give rank ≤ goal."""
    s = rank.singular_values
    if goal < 1 or len(s) < goal:  # len(s) = min(rows, D)
        return False, ""
    floor = max(noise, NOISE_EPS) * rank.rows ** 0.5
    smallest = s[goal - 1] * rank.top
    if smallest < NOISE_MARGIN * floor:
        return False, ""
    after = f", the next {s[goal] * rank.top:.1e}" if goal < len(s) else ""
    return True, (f"the trace's rank meets D − F only below the deciding tolerance (singular values with no gap at "
                  f"1e-8 relative): the {goal}-th singular value of the {rank.rows} unit values drawn is "
                  f"{smallest:.1e}{after}, {smallest / floor:.0f} times the noise floor ε·√rows = {floor:.1e} "
                  f"(ε = {max(noise, NOISE_EPS):.1e}, the found laws' largest |cos| with a value drawn)")


# the recount, started from the first count's values, meets its target on the basis alone after few new draws: where
# the singular values then fall short, it draws again (up to this many rounds in all)
RECOUNT_ROUNDS = 3


def _stop_reason(result) -> str:
    """Why the trace stopped growing ("" at its closure): a limit, or its target reached."""
    return next((lv["stopped"] for lv in result.levels if "stopped" in lv), "")


def _locate_missed(drawn: list[torch.Tensor], laws: torch.Tensor, rank: int, names: list[str],
                   model: nn.Module) -> dict[str, float]:
    """Where the laws not found live: the space orthogonal to every field and bracket drawn and to the found laws'
    gradients (dimension D − rank − F) is projected on each parameter tensor; its share there (summing to that
    dimension) says which tensors the missed laws involve.  Tensors with a share ≥ 0.05, largest first."""
    rows = torch.cat([_unit_rows(b) for b in drawn] + [laws])
    _, _, vh = torch.linalg.svd(rows, full_matrices=True)
    null = vh[rank:]
    if null.shape[0] == 0:
        return {}
    params = dict(model.named_parameters())
    sizes = [params[n].numel() for n in names]
    shares = {n: float(part.pow(2).sum()) for n, part in zip(names, torch.split(null, sizes, dim=1))}
    return {n: round(v, 2) for n, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v >= 0.05}


def _random_fields(g, theta0: torch.Tensor, seed: int, probes: int = 16) -> torch.Tensor:
    """``probes`` random fields X_a(θ_0) = ∂_θ⟨a, g(θ_0)⟩ (rows), seeded."""
    generator = torch.Generator(device=theta0.device).manual_seed(seed + 1)
    coeffs = torch.randn((probes, 1, g(theta0).shape[0]), generator=generator, dtype=theta0.dtype,
                         device=theta0.device)
    return torch.func.vmap(lambda a: left_normed(g, a)(theta0))(coeffs)


def _lean_on_fields(fields: torch.Tensor, unit: torch.Tensor) -> torch.Tensor:
    """Per found law, its largest |cos| with random fields X_a(θ_0): a law that does not hold (e.g. column sums
    under the square loss) leans on the fields themselves, and the count is bounded by the others."""
    if not unit.shape[0]:
        return unit.new_zeros(0)
    return (_unit_rows(fields) @ unit.T).abs().amax(0)


INERT_TOL = 1e-13  # a coordinate whose component in every random field is below this (relative) is inert


def _inert_rows(fields: torch.Tensor) -> torch.Tensor:
    """Unit rows e_k for the coordinates that no random field moves at θ_0 (a weight of a unit inactive on every
    input, of a transposed-convolution tap that no input reaches): inert here, so conserved near θ_0 wherever the
    inactivity is an open condition — laws of this point, not of the model (the trace confirms each one)."""
    inert = unmoved(fields, INERT_TOL)
    idx = torch.nonzero(inert).flatten()
    rows = fields.new_zeros((idx.numel(), fields.shape[1]))
    rows[torch.arange(idx.numel()), idx] = 1.0
    return rows


def _refuted_groups(inventory: LawInventory, lean: torch.Tensor) -> list[str]:
    """The law groups with a law whose gradient leans on a field (they do not hold for this loss), each named."""
    out, start = [], 0
    for group in inventory.groups:
        part = lean[start:start + group.count]
        start += group.count
        if part.numel() and float(part.max()) > OVERLAP_TOL:
            out.append(f"{group.kind} laws of {', '.join(group.modules)}: {int((part > OVERLAP_TOL).sum())} of "
                       f"{group.count} lean on a field by up to {float(part.max()):.1e}: not laws of this model and loss")
    return out


class ModuleCountReport(TypedDict, total=False):
    """The keys of :func:`count_module_laws`'s report that readers rely on (:func:`~..report.text.module_count_text`;
    the JSON has them all)."""

    model: str
    loss: str
    inputs: int
    D: int
    rank: int
    laws: int
    laws_at_most: int
    evidence: dict
    found: int
    found_independent: int
    laws_on_these_inputs: Optional[int]
    laws_of_inputs: Optional[int]
    laws_of_this_point: int
    warnings: list[str]
    recount_inputs: int
    refuted: list[str]
    missed_in: dict[str, float]
    rank_note: str
    region_search: dict
    status: str
    verdict: str
    traced_by: Optional[str]
    not_analysed: list[str]
    batch_norm: bool
    batch_norm_eps: object
    torch: str
    seconds: float


def _count_on(model: nn.Module, batches: list[torch.Tensor], inventory: LawInventory, *, loss: str, seed: int,
              max_level: int, time_limit: Optional[float], batch_norm_eps: Optional[float], batch: int,
              class_dim: Optional[int], region: Optional[torch.Tensor] = None,
              initial: Optional[list[torch.Tensor]] = None) -> tuple[ModuleCountReport, list[torch.Tensor]]:
    """One count on ``batches`` (:func:`~.model_map.batches_map`; :func:`count_module_laws`'s docstring), against
    ``inventory``; ``region``: the gradients at θ of the laws of its region (rows), set apart with the inert
    coordinates; ``initial``: values known to lie in the Lie algebra at θ (the count on some of the batches), which
    the trace starts from.  Returns (the report, every value the trace drew, ``initial`` included, where D ≤
    ``LOCATE_MAX_D``; else none kept)."""
    t0 = time.perf_counter()
    theta0, names, g = batches_map(model, batches, loss, batch_norm_eps, class_dim)
    jac = law_gradients(inventory.groups, model, names, theta0)
    unit = _unit_rows(jac)
    overlap, floor = [0.0], [0.0]
    drawn: list[torch.Tensor] = []
    with dropout_off(model) as dropped:
        fields = _random_fields(g, theta0, seed)
        lean = _lean_on_fields(fields, unit)
        refuted = _refuted_groups(inventory, lean)
        unit = unit[lean <= OVERLAP_TOL]
        found_rank = numerical_rank(jac[lean <= OVERLAP_TOL]).rank if unit.shape[0] else 0
        inert = _inert_rows(fields)
        if region is not None and region.shape[0]:  # the region's laws that add to the found laws and inert rows
            region = _unit_rows(region.to(inert.device, inert.dtype))
            inert = torch.cat([inert, region[independent_rows(region, torch.cat([unit, inert]))]])
        with_inert = numerical_rank(torch.cat([jac[lean <= OVERLAP_TOL], inert])).rank if inert.shape[0] else found_rank
        n_found = unit.shape[0]
        unit = torch.cat([unit, inert])

        def watch(block: torch.Tensor) -> None:
            if theta0.shape[0] <= LOCATE_MAX_D:
                drawn.append(block)
            if unit.shape[0] and block.shape[0]:
                cos = (_unit_rows(block) @ unit.T).abs()
                overlap[0] = max(overlap[0], float(cos.max()))
                if n_found:  # the noise floor: the found laws' (exact zeros, up to rounding)
                    floor[0] = max(floor[0], float(cos[:, :n_found].max()))

        goal = theta0.shape[0] - with_inert
        for attempt in range(1 if initial is None else RECOUNT_ROUNDS):
            t_left = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - t0))
            result = random_lie_trace(g, theta0, seed=seed + attempt, max_level=max_level, time_limit=t_left,
                                      batch=batch, target=goal, watch=watch, initial=initial,
                                      probe=8 if attempt == 0 else 64,
                                      accept_tol=FINE_TOL if theta0.dtype == torch.float64 else None)
            if initial is None or result.cut or result.rank.rank >= goal or not drawn \
                    or not _stop_reason(result).startswith("target") or _fine_rank(result.rank, goal, floor[0])[0]:
                break
            # the basis met the target on a direction that is rounding (accepted at FINE_TOL) while the values drawn
            # fall short: draw again, from everything drawn so far, with larger probes of the fields and brackets
            initial = list(drawn)
            drawn.clear()
    report = result.to_dict()
    D = report["D"]
    rank, fine_note = report["rank"], ""
    confirmed = overlap[0] <= OVERLAP_TOL
    if theta0.dtype == torch.float64 and not result.cut and rank < D - with_inert and confirmed:
        met, fine_note = _fine_rank(result.rank, D - with_inert, floor[0])
        rank = D - with_inert if met else rank
    report.update({"rank": rank, "laws": D - rank, "rank_note": fine_note})
    point = with_inert - found_rank  # laws of this θ: inert coordinates and region laws beyond the laws found
    stopped = _stop_reason(result)
    if rank >= D - with_inert and confirmed:
        status = "all found"
        verdict = (f"the {found_rank} independent laws found are all the laws"
                   + (f" with {point} laws of this θ (coordinates inert at θ, symmetries of the region around θ)"
                      if point else "")
                   + f": the trace reached D − {with_inert} = {D - with_inert} directions, orthogonal to every law found"
                   + (f"; {fine_note}" if fine_note else ""))
    elif not confirmed:
        status = "found laws not confirmed"
        verdict = (f"a law found (or a coordinate taken as inert at θ, or a law of its region) leans on a field or "
                   f"bracket by {overlap[0]:.1e} "
                   f"(> {OVERLAP_TOL:g}): it does not hold for this model and loss")
    elif stopped.startswith("target"):
        status = "bounds"
        verdict = (f"between {found_rank} and {D - rank} laws: the trace's basis reached D − {with_inert} directions, "
                   f"but the values drawn have rank {rank} (their singular values decide, not the basis)")
    elif stopped:
        status = "bounds"
        verdict = (f"between {found_rank} and {D - rank} laws: the trace was cut ({stopped}) before meeting the "
                   "laws found")
    else:
        status = "missed"
        verdict = (f"{D - rank} laws, {D - rank - with_inert} of them not found by find_laws"
                   + (f" ({point} more are laws of this θ: inert coordinates, symmetries of its region)" if point else ""))
    missed_in = _locate_missed(drawn, unit, rank + with_inert, names, model) \
        if status == "missed" and D <= LOCATE_MAX_D else {}
    report.update({
        "model": type(model).__name__,
        "loss": loss,
        "inputs": sum(int(x.shape[0]) for x in batches),
        "found": inventory.count,
        "found_independent": found_rank,
        "refuted": list(inventory.refuted) + refuted,  # refuted on the inputs by find_laws, then by the fields
        "missed_in": missed_in,
        "missed": report["laws"] - with_inert if status != "bounds" else None,
        "laws_of_this_point": point,
        "laws_at_most": D - rank,
        "law_overlap": overlap[0],
        "status": status,
        "verdict": verdict,
        "traced_by": inventory.traced_by,
        "not_analysed": inventory.unsupported + inventory.without_laws + inventory.skipped,
        "seed": seed,
        "method": "numerical (floating point): the model's own fields on these inputs; evidence, not a proof",
        "dropout_off": dropped,
        "batch_norm_eps": "the model's own" if batch_norm_eps is None else batch_norm_eps,
        "batch_norm": any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()),
        "torch": torch.__version__,
        "seconds": round(time.perf_counter() - t0, 4),
    })
    return report, drawn


REGION_SPREAD = 1e-3  # the region search's points: θ_t + spread·rms(θ_t)·N(0, 1)
REGION_TIME = 30.0  # seconds for the region search (it stops with a note past them)


def region_laws(model: nn.Module, inputs: torch.Tensor, other: torch.Tensor, *, loss: str, class_dim: Optional[int],
                seed: int) -> tuple[torch.Tensor, list[str], dict]:
    """The laws of the region around the model's θ that are not laws at random θ: :func:`~.search.search.symmetry_search`
    with its points drawn near θ (``REGION_SPREAD``), on ``inputs`` and ``other``, less the combinations that hold at
    random points.  Where every input keeps a unit active, the GL mixing of those units is a symmetry there (a ReLU
    that acts as the identity), not at random θ: a law of this θ.  Returns (their gradients at θ as rows over the
    trainable parameters in order, the search's notes, its evidence)."""
    result = symmetry_search(model, inputs, loss=loss, class_dim=class_dim, seed=seed, other_inputs=other,
                             spread=REGION_SPREAD, time_limit=REGION_TIME, inert_entries=False)
    params = {n: p.detach().to(torch.float64) for n, p in model.named_parameters() if p.requires_grad}
    names = list(params)
    if result.region_only is None or not result.region_only.shape[0]:
        return torch.zeros((0, sum(p.numel() for p in params.values())), dtype=torch.float64), result.notes, \
            result.evidence
    return law_matrix(result.candidates, result.region_only, params, names), result.notes, result.evidence


def count_module_laws(model: nn.Module, inputs: torch.Tensor, *, loss: str = "cross_entropy", seed: int = 0,
                      max_level: int = 10, time_limit: Optional[float] = None,
                      inventory: Optional[LawInventory] = None, batch_norm_eps: Optional[float] = 0.0,
                      batch: int = 64, class_dim: Optional[int] = None, recount: bool = True,
                      other_inputs: Optional[torch.Tensor] = None, region: bool = True) -> ModuleCountReport:
    """The numerical count of ``model``'s laws at its current θ on ``inputs``, set against what :func:`find_laws`
    found.

    Two bounds meet.  The F laws found (independent: their gradients' rank at θ) are orthogonal to every
    field — each is first tested against 16 random fields, and those that lean on one are listed in ``refuted``
    (after those find_laws refuted on the inputs) and left out — so dim Lie ≤ D − F; every direction the trace
    finds is in Lie, so dim Lie ≥ its rank r.  The trace
    therefore stops as soon as r = D − F (``target``), and the found laws are then all the laws — provided
    their gradients are orthogonal to every field and bracket drawn (``law_overlap`` ≤ ``OVERLAP_TOL``), which
    is checked.  Otherwise the trace runs to its closure (``laws`` = D − r, ``missed`` = laws − F) or to a
    limit (``laws_at_most`` = D − r).  Returns a JSON-ready dict with the evidence, the seed and the time.
    Batch norm in training mode couples the inputs of a batch: the count is that of the coupled map.  Its eps
    breaks the scale laws slightly (relative 1e-6 to 1e-2 on narrow layers); the count sets it to
    ``batch_norm_eps`` (default 0, the idealised layer the laws are stated for; None keeps the model's).
    ``batch``: brackets evaluated together (one ``vmap``); each holds the activations of a forward-over-reverse
    pass on all the inputs, so this bounds the memory (64: a peak of 9.1 GiB over the report of
    benchmarks/report_module_counts.py, measured with /usr/bin/time -v).  ``class_dim``: the class axis of the
    outputs for the cross-entropy (default torch's: 1 for outputs of 2 or more dimensions, e.g. (N, C, H, W)).
    Parameters with ``requires_grad=False`` are constants, not coordinates of θ.

    **Laws of this θ**: a coordinate that no random field moves at θ (a weight of a unit inactive on every
    input, whatever the input) is conserved near θ, and so is the Noether quantity of a symmetry of the region
    around θ (``region``, the default: :func:`region_laws`, e.g. the mixings of units active on every input); such
    laws, beyond the laws found, are counted in ``laws_of_this_point`` and the trace stops at D − (found + them).

    **Laws of these inputs** (``recount``, the default): a law can hold only because of the batch — a unit inactive
    on every input, an embedding row no token uses, a channel the batch never excites.  The count is therefore
    made twice: on ``inputs`` (``laws_on_these_inputs``) and on ``inputs`` with a second batch of the same kind
    (``other_inputs``, default :func:`~.search.inputs.other_batch`), each batch run on its own as two minibatches of
    SGD are (:func:`~.model_map.batches_map`: a batch norm normalises each by its own statistics); the report's
    ``laws``, ``status`` and ``verdict`` are those of the two batches (the laws of the model), and ``laws_of_inputs``
    is the difference (None where either count is only a bound).  The fields on ``inputs`` are fields of the two
    batches, so the recount starts from every value the first count drew (D ≤ 6,000) and draws what the second
    batch adds — at least one probe of its fields and of its brackets, which every found law is tested against.
    ``inventory``: default :func:`find_laws` on ``inputs`` (patterns and
    symmetry search) for this loss.
    """
    t0 = time.perf_counter()
    if not isinstance(inputs, torch.Tensor) or inputs.ndim < 1 or inputs.shape[0] < 1:
        raise ConslawError("inputs must be a tensor with a batch dimension of at least one input")
    if inventory is None:
        inventory = find_laws(model, example_inputs=(inputs,), loss=loss, class_dim=class_dim)
    options = dict(loss=loss, seed=seed, max_level=max_level, time_limit=time_limit, batch_norm_eps=batch_norm_eps,
                   batch=batch, class_dim=class_dim)
    other = other_inputs if other_inputs is not None else other_batch(model, inputs, seed)
    if other.shape[1:] != inputs.shape[1:]:
        raise ConslawError(f"other_inputs have shape {tuple(other.shape)}, not a batch like the inputs' "
                           f"{tuple(inputs.shape)}")
    rows, notes, evidence = region_laws(model, inputs, other, loss=loss, class_dim=class_dim, seed=seed) \
        if region else (None, [], {})
    narrow, drawn = _count_on(model, [inputs], inventory, region=rows, **options)
    narrow.update({"region_search": {"notes": notes, "evidence": evidence}})
    if not recount:
        narrow["seconds"] = round(time.perf_counter() - t0, 4)
        return narrow
    # the fields on the inputs are fields on both batches: the recount starts from what the count drew
    report, _ = _count_on(model, [inputs, other.to(inputs.device, inputs.dtype)], inventory, region=rows,
                          initial=drawn, **options)
    report["region_search"] = narrow["region_search"]
    bounded = "bounds" in (narrow["status"], report["status"])
    warnings = []
    if not bounded and report["laws"] > narrow["laws"]:
        warnings.append(f"the recount on {report['inputs']} inputs has more laws ({report['laws']}) than the count on "
                        f"{inputs.shape[0]} ({narrow['laws']}), which cannot be: the numerical rank is unreliable here "
                        "(its singular values decay with no gap), so neither count is more than evidence of its bounds")
    report.update({
        "warnings": warnings,
        "inputs": int(inputs.shape[0]),
        "recount_inputs": int(inputs.shape[0] + other.shape[0]),
        "laws_on_these_inputs": None if narrow["status"] == "bounds" else narrow["laws"],
        "laws_of_inputs": None if bounded or warnings else narrow["laws"] - report["laws"],
        "seconds": round(time.perf_counter() - t0, 4),
    })
    return report
