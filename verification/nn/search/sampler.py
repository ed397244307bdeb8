"""Gradients of a model at seeded random points, the rows of the symmetry search's system: every trainable tensor
drawn N(0, rms(θ_t)²) entrywise — or, near the model's θ (``spread``), θ_t + spread·rms(θ_t)·N(0, 1) — on the
example inputs and a second batch in turn, the loss's directions as the numerical count takes them
(:func:`~..model_map.module_map`)."""
from __future__ import annotations

import time
from typing import Optional

import torch
from torch import nn

from conslaw.algebra import ConslawError

from ..model_map import module_map
from .candidates import Candidate, equations
from .solve import unmoved

MAX_RETRIES = 20  # random points in a row where the model is not finite before giving up
MIN_POINTS = 8  # random points θ per solved system (a symmetry must hold at every θ)


class Sampler:
    """Gradients ∇_θ⟨w, g(θ, x)⟩ of the model at random points θ, on the example inputs and on another batch."""

    def __init__(self, model: nn.Module, batches: list[torch.Tensor], loss: str, class_dim, seed: int,
                 batch_norm_eps: Optional[float] = 0.0, spread: Optional[float] = None):
        self.maps = [module_map(model, x, loss, batch_norm_eps, class_dim) for x in batches]
        theta0, self.names, _ = self.maps[0]
        params = dict(model.named_parameters())
        self.shapes = {n: params[n].shape for n in self.names}
        self.sizes = [params[n].numel() for n in self.names]
        self.theta0 = theta0.to(torch.float64) if theta0.dtype != torch.float64 else theta0
        self.rms = {n: float(t.pow(2).mean().sqrt()) or 1.0 for n, t in self.split(theta0).items()}
        self.batch_norm_eps = batch_norm_eps
        self.spread = spread  # None: points anywhere; else relative distance of the points from the model's θ
        self.gen = torch.Generator().manual_seed(seed)
        self.point = 0
        self.skipped = 0  # random points where the model was not finite (skipped, counted in the evidence)

    def split(self, theta: torch.Tensor) -> dict[str, torch.Tensor]:
        return {n: t.reshape(s) for n, t, s in zip(self.names, torch.split(theta, self.sizes), self.shapes.values())}

    def random_theta(self) -> torch.Tensor:
        parts = [torch.randn(s, generator=self.gen, dtype=self.theta0.dtype) * self.rms[n]
                 for n, s in zip(self.names, self.sizes)]
        step = torch.cat(parts).to(self.theta0.device)
        return step if self.spread is None else self.theta0 + self.spread * step

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
        rows = torch.cat([self.rows(64)[1] for _ in range(points)])
        still = unmoved(rows)
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
