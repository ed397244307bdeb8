"""Exact polynomial maps φ (SymPy ring elements) as vectorised torch functions, for cross-checks.

Every term c·θ_{i1}⋯θ_{iq} becomes a row of an index matrix (padded with a
slot that holds 1), so φ(θ) is one gather, one product and one index_add.
"""
from __future__ import annotations

from typing import Sequence

import torch
from sympy.polys.rings import PolyElement


def torch_polynomial_map(polys: Sequence[PolyElement], dtype=torch.float64, device=None):
    """θ ↦ (φ_1(θ), …, φ_d(θ)) with float coefficients (a numerical copy of an exact map)."""
    rows, coeffs, owners = [], [], []
    dim = polys[0].ring.ngens if polys else 0
    for k, p in enumerate(polys):
        for monom, c in p.iterterms():
            rows.append([j for j, e in enumerate(monom) for _ in range(e)])
            coeffs.append(float(c.numerator) / float(c.denominator))
            owners.append(k)
    width = max((len(r) for r in rows), default=0)
    index = torch.tensor([r + [dim] * (width - len(r)) for r in rows] or [[dim]], dtype=torch.long, device=device)
    coeff = torch.tensor(coeffs or [0.0], dtype=dtype, device=device)
    owner = torch.tensor(owners or [0], dtype=torch.long, device=device)
    d = len(polys)

    def phi(theta: torch.Tensor) -> torch.Tensor:
        padded = torch.cat([theta, theta.new_ones(1)])
        terms = coeff.to(theta) * padded[index.to(theta.device)].prod(dim=1)
        return theta.new_zeros(d).index_add(0, owner.to(theta.device), terms)

    return phi
