"""Which mixings stage 2 of the symmetry search tries (the indices stage 1 scales unlike the others), and which
axes it tried in vain."""
from __future__ import annotations

import torch

from .candidates import DIAGONAL, PAIR, Candidate


def active_indices(basis: torch.Tensor, cands: list[Candidate], shapes: dict) -> dict[tuple[str, int], list[int]]:
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


def broken_mixings(extra: list[Candidate], pair_part: torch.Tensor, points: int) -> list[str]:
    """The (tensor, axis) pairs whose mixings were candidates but where no symmetry of the solved system moves any
    of them, each as "NAME axis A (N mixings)": the GL mixing that the axis's independent scalings suggest is
    broken on the way between the tensors (an elementwise weight, a rotary embedding, a non-homogeneous
    activation, a key head shared by several queries).  The test is the solved system itself."""
    used = (pair_part.abs() > 1e-9 * pair_part.abs().max().clamp_min(1e-300)).any(0) if pair_part.numel() else \
        torch.zeros(len(extra), dtype=torch.bool)
    by_axis: dict[tuple[str, int], list[bool]] = {}
    for c, u in zip(extra, used.tolist()):
        if c.kind != PAIR:
            continue
        by_axis.setdefault((c.tensor, c.axis), []).append(u)
    return [f"{tensor} axis {axis} ({len(flags)} mixings)" for (tensor, axis), flags in by_axis.items()
            if not any(flags)]
