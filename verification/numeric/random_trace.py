"""Numerical trace at scale: brackets of random combinations of the generators.

The brackets are bilinear, so span{[X, Y](θ) : X ∈ W_0, Y ∈ W_k} is spanned, with probability
one, by brackets of random combinations X_a = Σ_k a_k X_k.  For a map φ (or a model), a
combination is the gradient of one scalar, X_a(θ) = ∇_θ⟨a, φ(θ)⟩ — one backward pass, never the
m × D matrix of all generators — and a bracket is two Hessian-vector products
(forward-over-reverse ``jvp``).  A level-k candidate is a left-normed bracket
[X_{a_k}, […, [X_{a_1}, X_{a_0}]]] of fresh random combinations, and a batch of them is one
``vmap``.  This is what reaches thousands of parameters on a CPU.

Stopping rule.  For any polynomial map F, b independent random draws F(z_1), …, F(z_b) span,
with probability one, a space of dimension min(b, dim span F(·)) (a non-vanishing minor is a
non-zero polynomial in the z's).  So a batch that adds fewer directions than its size has
exhausted what its level can add, and the level stops there; a level starts with a small probe
(``probe`` brackets), so that a level that adds nothing — the last one — costs a few brackets
rather than a full batch.  The final rank uses the tolerance policy of :mod:`numeric_rank` on
every value drawn, each level's zero test against the largest size met up to that level.
"""
from __future__ import annotations

import math
import time
from typing import Callable, Optional

import torch
from torch.func import grad, jvp, vmap

from conslaw.algebra.errors import ConslawError

from .rank import (
    TOLERANCES,
    NumericalRank,
    numerical_rank,
    rank_by_level,
    trace_tolerances,
)
from .trace import NumericTraceResult, _Basis, audit_levels

Field = Callable[[torch.Tensor], torch.Tensor]

# entries of the random coefficient block (batch × m) drawn at once: bounds the memory of a batch
# (256 MiB of float64 on the CPU; eight times that on a GPU, whose memory is larger and faster)
MAX_BATCH_ENTRIES = 1 << 25
GPU_BATCH_FACTOR = 8


def _combination(phi: Callable, a: torch.Tensor) -> Field:
    """X_a = ∇_θ⟨a, φ(θ)⟩ = Σ_k a_k ∇φ_k."""
    return grad(lambda t: (a * phi(t)).sum())


def _bracket(X: Field, Y: Field) -> Field:
    """[X, Y] = ∂Y·X − ∂X·Y; the jvp through Y also returns Y(θ), so Y (the deep one) is run once."""

    def field(t: torch.Tensor) -> torch.Tensor:
        y, dy_x = jvp(Y, (t,), (X(t),))
        return dy_x - jvp(X, (t,), (y,))[1]

    return field


def left_normed(phi: Callable, coeffs: torch.Tensor) -> Field:
    """[X_{a_k}, [X_{a_{k−1}}, …, [X_{a_1}, X_{a_0}]…]] for the rows a_0, …, a_k of ``coeffs``.

    The level-k brackets L_k = [W_0, L_{k−1}] are spanned by these (bilinearity), so independent
    random rows give random elements of L_k; the cost is about 3^k gradients, whatever the
    number of directions found so far.
    """
    field = _combination(phi, coeffs[0])
    for j in range(1, coeffs.shape[0]):
        field = _bracket(_combination(phi, coeffs[j]), field)
    return field


def _output_size(phi: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor) -> int:
    """len φ(θ), from shapes alone (the "meta" device) when φ allows it, so a huge φ is refused before it is computed."""
    try:
        return int(phi(theta.to("meta")).shape[0])
    except Exception:  # φ does something the meta device cannot (data-dependent shapes, CPU-only ops)
        return int(phi(theta).shape[0])


class _Draws:
    """Seeded Gaussian coefficients on θ's device.

    On the CPU they are drawn in float32 and widened (400 × 64,000 draws: 0.16 s against 0.75 s in float64, and a
    random combination needs genericity, not precision); on CUDA, by the device's own generator.
    """

    def __init__(self, theta: torch.Tensor, seed: int):
        self.device, self.dtype = theta.device, theta.dtype
        self.gen = torch.Generator(device=self.device).manual_seed(seed)

    def __call__(self, *shape: int) -> torch.Tensor:
        if self.device.type == "cpu":
            return torch.randn(shape, generator=self.gen, dtype=torch.float32).to(self.dtype)
        return torch.randn(shape, generator=self.gen, dtype=self.dtype, device=self.device)


def _svd_seconds(rows: int, cols: int, like: torch.Tensor) -> float:
    """An estimate of ``svdvals`` on a rows × cols matrix here: one timed on a small square matrix, scaled by the
    flop count rows·cols·min(rows, cols)."""
    n = min(256, rows, cols)
    probe = torch.randn(n, n, dtype=like.dtype, device=like.device)
    t = time.perf_counter()
    torch.linalg.svdvals(probe)
    if like.device.type == "cuda":
        torch.cuda.synchronize()
    small = time.perf_counter() - t
    return small * rows * cols * min(rows, cols) / max(n ** 3, 1)


def random_lie_trace(phi: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor, *, batch: Optional[int] = None,
                     probe: int = 8, max_level: int = 10, accept_tol: Optional[float] = None, seed: int = 0,
                     time_limit: Optional[float] = None,
                     progress: Optional[Callable[[str, int, int], None]] = None, target: Optional[int] = None,
                     watch: Optional[Callable[[torch.Tensor], None]] = None,
                     initial: Optional[list[torch.Tensor]] = None, audit: bool = False) -> NumericTraceResult:
    """Trace of Lie({∇φ_k}) at θ from random combinations; ``.laws`` = D − rank, with evidence.

    ``batch`` (default D/8, capped so that a batch of coefficients holds at most
    ``MAX_BATCH_ENTRIES`` numbers, ``GPU_BATCH_FACTOR`` times more on CUDA) is the number of
    candidates evaluated together; ``levels`` in the result lists, per level, the directions it
    added and the candidates it drew, and ``stopped`` where a time or level limit cut the growth.
    ``progress(stage, done, total)``, if given, hears the number of directions found after each batch
    (of at most D).  ``target``: stop as soon as that many directions are found (a count already bounded from
    the other side, e.g. by known laws: rank ≤ D − their number).  ``watch(block)`` sees every block of
    candidates drawn (e.g. to test known laws against them).  ``initial``: blocks of values already known to lie in
    Lie at θ (the trace of a sub-map: the fields on part of the inputs are fields of the map on all of them), offered
    first as level 0 (each seen by ``watch``); the levels 0 and 1 of φ's own brackets then draw at least one probe
    each even where ``initial`` meets the target, so that ``watch`` sees φ's own fields and brackets.  ``audit``:
    each level also records its own rank decision by SVD (:func:`numeric_trace.audit_levels`; not when a time
    limit stopped the growth).
    """
    t0 = time.perf_counter()
    if theta.ndim != 1:
        raise ValueError(f"θ must be a flat vector, got shape {tuple(theta.shape)}")
    D = theta.shape[0]
    default_accept, zero_tol = trace_tolerances(theta.dtype)
    accept_tol = accept_tol or default_accept
    m = _output_size(phi, theta)
    draw = _Draws(theta, seed)
    batch = batch or max(8, D // 8)
    max_entries = MAX_BATCH_ENTRIES * (GPU_BATCH_FACTOR if theta.device.type == "cuda" else 1)
    if probe * m > 8 * max_entries:
        raise ConslawError(f"phi has {m:,} components: a probe of {probe} random combinations alone holds {probe * m:,} "
                           f"numbers, over the limit of {8 * max_entries:,} on {theta.device.type} (a path lifting grows "
                           "like the product of the widths: use fewer or narrower layers)")
    basis = _Basis(D, theta)
    blocks: list[tuple[int, torch.Tensor]] = []  # (level, values): every candidate drawn
    scale = 0.0  # the largest norm met up to the current level: the zero test's reference
    levels = []
    cut = ""  # what cut the growth short, leaving the rank a lower bound: "time limit", "max level" or ""

    def offer(level: int, block: torch.Tensor) -> int:
        nonlocal scale
        blocks.append((level, block))
        if watch is not None:
            watch(block)
        scale = max(scale, float(block.norm(dim=1).max()))
        added = basis.add_batch(block, accept_tol, zero_tol * scale)
        if progress:
            progress("directions found", basis.q.shape[0], D)
        return added

    goal = min(D, target) if target is not None else D
    reused = sum(offer(0, block.to(theta.device, theta.dtype)) for block in initial or [] if block.shape[0])
    forced = 2 if initial else 0  # with initial values: the levels below 2 draw a probe whatever the basis holds

    def full() -> bool:
        return basis.q.shape[0] >= goal or bool(time_limit and time.perf_counter() - t0 > time_limit)

    def candidates(level: int, size: int) -> torch.Tensor:
        """``size`` random left-normed brackets of depth ``level`` at θ, in one vmap."""
        return vmap(lambda a: left_normed(phi, a)(theta))(draw(size, level + 1, m))

    for level in range(max_level + 1):
        if basis.q.shape[0] >= goal and level >= forced:
            break
        # a batch of coefficients holds at most MAX_BATCH_ENTRIES numbers
        level_batch = max(probe, min(batch, max_entries // max((level + 1) * m, 1)))
        new = drawn = 0
        size = min(probe, max(1, goal - basis.q.shape[0])) if level >= forced else probe
        while True:
            started = time.perf_counter()
            added = offer(level, candidates(level, size))
            new, drawn = new + added, drawn + size
            if added < size or full():
                break  # generic draws: fewer new directions than draws means the level is exhausted
            per_candidate = (time.perf_counter() - started) / size
            # no more than the directions still missing, and within the time left (a deep level costs 3^k gradients)
            size = min(level_batch, goal - basis.q.shape[0])
            if time_limit:  # a batch uses at most half the time left (adding it to the basis costs too)
                left = time_limit - (time.perf_counter() - t0)
                size = max(1, min(size, int(0.5 * left / max(per_candidate, 1e-9))))
        levels.append({"level": level, "new": new, "candidates": drawn, "rank_after": int(basis.q.shape[0])})
        if time_limit and time.perf_counter() - t0 > time_limit:
            levels[-1]["stopped"] = f"time limit of {time_limit:g} s reached: the rank is a lower bound"
            cut = "time limit"
            break
        if basis.q.shape[0] >= goal and goal < D and level + 1 >= forced:
            levels[-1]["stopped"] = f"target of {goal} directions reached"
            break
        if new == 0 and level + 1 >= forced:
            break
        if level == max_level and basis.q.shape[0] < D:
            levels[-1]["stopped"] = f"max level {max_level} reached while still adding directions: the rank is a lower bound"
            cut = "max level"
    if time_limit and blocks and cut != "time limit":
        rows = sum(b.shape[0] for _, b in blocks)
        if time.perf_counter() - t0 + _svd_seconds(rows, D, theta) > time_limit:
            levels[-1]["stopped"] = (f"time limit of {time_limit:g} s: no time left for the final SVD of {rows} x {D}; "
                                     "the rank of the incremental basis is a lower bound")
            cut = "time limit"
    if cut == "time limit":
        # stopped: no final SVD (on thousands of rows it alone can outlast the limit); the incremental basis's
        # size is the rank found so far, a lower bound, and the result says it was stopped
        found = basis.q.shape[0]
        rank = NumericalRank(found, D, {t: found for t in TOLERANCES}, "stopped at the time limit: rank of the "
                             "incremental basis, a lower bound (no SVD)", math.inf, [])
    else:
        rank = rank_by_level(blocks) if blocks else numerical_rank(theta.new_zeros((0, D)))
        if audit:
            audit_levels(levels, blocks)
    return NumericTraceResult(D, rank, levels, time.perf_counter() - t0, str(theta.device),
                              str(theta.dtype).replace("torch.", ""), cut, reused)
