"""Count the laws of an architecture numerically (torch), with the evidence a report needs.

The numerical counterpart of :func:`counting.count_laws`, for sizes beyond exact arithmetic:
φ in torch (:mod:`numeric_phi`), a seeded Gaussian point θ, the trace grown from random
brackets (:func:`numeric_random.random_lie_trace`; with ``named``, brackets of the generators themselves, each kept
one named), and the rank decided by the tolerance
policy of :mod:`numeric_rank`.  Floating point: the count is evidence (ranks at three
tolerances, a status and the singular-value gap), not a proof.
"""
from __future__ import annotations

import re
import time
from contextlib import nullcontext
from typing import Callable, Optional, Sequence, TypedDict

import torch

from conslaw.algebra import build_architecture
from conslaw.algebra.architectures import check_request, residual_description, softmax_widths
from conslaw.algebra.errors import ConslawError

from ..proofs.claims import as_bound
from .fields import default_device, family_from_map, resolve_dtype
from .phi import NumericMap, attention_model_map, attention_sizes, numeric_map, softmax_model_map
from .random_trace import random_lie_trace
from .threads import cpu_threads, torch_threads
from .trace import LEVEL_SVD_MAX_D, numeric_lie_trace


def resolve_device(name: Optional[str]) -> torch.device:
    """``None`` or "auto": CUDA when present, else the CPU; "cuda" without a GPU is refused, by name."""
    if name in (None, "auto"):
        return default_device()
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConslawError(f"unknown device {name!r}; use cpu, cuda, cuda:N or auto") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConslawError(f"device {name!r} asked for, but torch {torch.__version__} sees no CUDA GPU here")
    if device.type not in ("cpu", "cuda"):
        raise ConslawError(f"device {name!r} is not supported; use cpu, cuda, cuda:N or auto")
    return device


MODEL_TOKENS = 4  # tokens of an attention model's random inputs when --tokens is not given

#: architecture → its model g(θ, x) as a torch map on random inputs, where φ's fields are not the model's
MODEL_MAPS: dict[str, Callable[[Sequence[int], bool, dict, Optional[int], int], NumericMap]] = {
    "attention": lambda widths, bias, options, inputs, seed: attention_model_map(
        *attention_sizes(options), tokens=options.get("tokens") or MODEL_TOKENS, inputs=inputs, seed=seed),
    "softmax": lambda widths, bias, options, inputs, seed: softmax_model_map(
        *softmax_widths(widths), bias=bias, inputs=inputs, seed=seed),
}


def model_request(name: str, widths: Sequence[int] = (), *, bias: bool = False, residual: bool = False,
                  inputs: Optional[int] = None, seed: int = 0, **options) -> NumericMap:
    """The map whose gradients are the *model's* own fields (attention: softmax included; the classification layer:
    the per-sample cross-entropy gradients)."""
    key = check_request(name, widths, bias, **options)
    build = MODEL_MAPS.get(key)
    if build is None:
        raise ConslawError(f"the model's own fields (--model) are built for {', '.join(sorted(MODEL_MAPS))}; for {key} "
                           "the fields of phi are the model's (drop --model)")
    out = build(widths, bias, options, inputs, seed)
    if residual:
        out.description = residual_description(out.description)
    return out


class NumericCountReport(TypedDict, total=False):
    """The keys of :func:`count_laws_numerically`'s report that readers rely on; ``laws`` only when the growth
    converged, ``laws_at_most`` otherwise (:mod:`~..proofs.claims`)."""

    description: str
    D: int
    components_of_phi: int
    rank: int
    laws: int
    laws_at_most: int
    levels: list[dict]
    evidence: dict
    method: str
    point_distribution: str
    notes: list[str]
    torch: str
    device: str
    hardware: str
    dtype: str
    stopped_by: str
    seconds: float


NAMED_MAX_D = 1000  # --named: the m × D Jacobian and every generator against every kept field


def _generator_legend(levels: list[dict], phi: NumericMap, model: bool, name: str, widths, bias: bool,
                      options: dict) -> dict[str, str]:
    """What each generator X_k named in the kept brackets is: the gradient of φ's k-th component (its label from
    the exact builder where the array φ has none) or of the model's k-th value at its inputs."""
    used = sorted({int(k) for lv in levels for kept in lv.get("kept", []) for k in re.findall(r"X(\d+)", kept)})
    labels = phi.labels
    if labels is None and not model:
        arch = build_architecture(name, list(widths), bias=bias, **options)
        labels = list(arch.phi_labels) if len(arch.phi) == phi.components else None
    if labels is None:
        return {f"X{k}": f"grad of {'the model value' if model else 'phi component'} number {k}" for k in used}
    return {f"X{k}": f"grad of {labels[k]}" if model else f"grad of phi's component {labels[k]}" for k in used}


def count_laws_numerically(name: str, widths: Sequence[int] = (), *, bias: bool = False, residual: bool = False,
                           device: Optional[str] = None, precision: str = "float64", seed: int = 0,
                           max_level: int = 10, progress: Optional[Callable[[str, int, int], None]] = None,
                           model: bool = False, inputs: Optional[int] = None, time_limit: Optional[float] = None,
                           started: Optional[float] = None, threads: Optional[int] = None, points: int = 1,
                           named: bool = False, **options) -> dict:
    """D − dim Lie(∇φ)(θ) at a seeded Gaussian θ, as a JSON-ready report with the rank's evidence.

    With ``model=True`` the fields are the model's own (:func:`model_request`, ``inputs`` random inputs).
    On the CPU, ``threads`` torch threads (default: :func:`numeric_threads.cpu_threads`'s choice for this D).
    ``time_limit`` counts from ``started`` (a ``time.perf_counter()`` value; default: this call): the trace gets
    what is left less 10 % for the report and the process's exit.  A run stopped by it reports ``laws_at_most``
    and ``status: stopped``, never ``laws`` (:func:`claims.as_bound`).

    ``points``: the trace is grown at that many seeded Gaussian points (the first is the one reported in full);
    ``ranks_per_point`` lists each rank, and ``points_agree`` is False when they differ — the count then rests on
    a rank that is not the same everywhere (a degenerate point or a numerical failure), and says so.

    ``named``: bracket the generators themselves rather than random combinations of them
    (:func:`numeric_trace.numeric_lie_trace`), so that every kept direction has a name — ``[X3, [X1, X0]]`` —
    listed per level, with ``generators`` saying what each X_k named there is.  It forms the m × D Jacobian and
    brackets every kept field with every generator: for D up to :data:`NAMED_MAX_D`."""
    t0 = time.perf_counter()
    started = t0 if started is None else started
    try:
        dtype = resolve_dtype(precision)
    except ValueError as exc:
        raise ConslawError(str(exc)) from None
    dev = resolve_device(device)
    if model:
        phi = model_request(name, widths, bias=bias, residual=residual, inputs=inputs, seed=seed, **options)
    elif inputs is not None:
        raise ConslawError("--inputs goes with --model (the model's own fields at that many random inputs)")
    else:
        phi = numeric_map(name, widths, bias=bias, residual=residual, **options)
    if not isinstance(points, int) or points < 1:
        raise ConslawError(f"--points must be an integer >= 1, got {points!r}")
    if named and phi.dim > NAMED_MAX_D:
        raise ConslawError(f"--named brackets every generator with every kept field: D = {phi.dim} is over its limit "
                           f"of {NAMED_MAX_D}; drop --named (random combinations, no names) at this size")
    if named and time_limit is not None:
        raise ConslawError("--time-limit goes with the default growth (random combinations), not with --named")
    generator = torch.Generator().manual_seed(seed)
    thetas = [torch.randn(phi.dim, generator=generator, dtype=torch.float64).to(dtype).to(dev) for _ in range(points)]
    if time_limit is not None and time_limit <= 0:
        raise ConslawError(f"the time limit must be positive, got {time_limit:g} s")
    results = []
    n_threads, why = cpu_threads(phi.dim, threads)
    for theta in thetas:
        left = None if time_limit is None else max(0.9 * time_limit - (time.perf_counter() - started), 1e-3)
        with torch_threads(n_threads) if dev.type != "cuda" else nullcontext():
            if named:
                results.append(numeric_lie_trace(family_from_map(phi.phi), theta, max_level=max_level,
                                                 progress=progress, name_kept=True))
            else:
                results.append(random_lie_trace(phi.phi, theta, seed=seed, max_level=max_level, progress=progress,
                                                time_limit=left, audit=phi.dim <= LEVEL_SVD_MAX_D))
        if results[-1].cut:
            break
    result = results[0]
    hardware = torch.cuda.get_device_name(dev) if dev.type == "cuda" else \
        f"{n_threads} CPU thread{'s' if n_threads > 1 else ''} ({why})"
    report = {
        "architecture": name.lower(),
        "description": phi.description,
        "method": "numerical, the model's own fields" if model else "numerical, the fields of phi",
        "components_of_phi": phi.components,
        **result.to_dict(),
        "hardware": hardware,
        "torch": torch.__version__,
        "seed": seed,
        "point_distribution": f"standard Gaussian θ (torch generator, seed {seed}), random combinations seeded likewise",
        "notes": phi.notes,
        "seconds": round(time.perf_counter() - t0, 4),
    }
    if named:
        report["growth"] = "named"
        report["point_distribution"] = (f"standard Gaussian θ (torch generator, seed {seed}); the generators "
                                        "themselves bracketed, no random combinations")
        report["generators"] = _generator_legend(result.levels, phi, model, name, widths, bias, options)
    if points > 1:
        ranks = [r.rank.rank for r in results]
        report["ranks_per_point"] = ranks
        report["points_agree"] = len(set(ranks)) == 1 and len(ranks) == points
        report["point_distribution"] += f"; {points} points drawn in turn from that generator"
        if not report["points_agree"]:
            report["notes"] = list(report["notes"]) + [
                f"the ranks at the {len(ranks)} points differ ({', '.join(map(str, ranks))}) or a limit stopped a "
                "point: the rank is not the same everywhere, so the count at the first point is not a count of the "
                "architecture"]
    audited = [lv for lv in result.levels if "rank_by_svd" in lv]
    svd = [lv["rank_by_svd"] for lv in audited]
    if svd != sorted(svd) or any(lv["rank_by_svd"] != lv["rank_after"] for lv in audited):
        report["notes"] = list(report["notes"]) + [
            "a level's rank by SVD (" + ", ".join(map(str, svd)) + ") falls between levels or differs from the "
            "directions kept there (" + ", ".join(str(lv["rank_after"]) for lv in audited) + "): the rank is not "
            "clear-cut at this point"]
    grown = result.levels[-1].get("rank_after") if result.levels else None
    if grown is not None and grown != result.rank.rank:
        report["notes"] = list(report["notes"]) + [
            f"the final rank ({result.rank.rank}, singular values of every value drawn) differs from the "
            f"{grown} directions kept while growing: a rank that changed between levels"]
    if result.cut:
        as_bound(report, upper=report["laws"], status="stopped",
                 why=next(lv["stopped"] for lv in reversed(result.levels) if "stopped" in lv))
        report["stopped_by"] = result.cut
    else:
        report["count_kind"] = "numerical (floating-point rank with its evidence; not a proof)"
    return report
