"""Check kind ``momentum`` (Keep the Momentum): the heavy-ball flow's laws on phase space, beside the gradient
flow's."""
from __future__ import annotations

from ..schema import Instance, Result
from .common_flows import _flow_record


def check_momentum(result: Result, inst: Instance, seed: int) -> dict:
    """Keep the Momentum on an instance: the heavy-ball flow on phase space (s = e^{τt}, θ, v), τ = 1, certified
    (:func:`certificate.build_momentum_certificate`: witness brackets of exact rank r at a seeded rational point, and
    laws of degree ≤ 3 verified as polynomial identities; proven when they meet 2D + 1).  The gradient flow's count
    is computed beside it (the conservation loss)."""
    from ...proofs.certificate import build_momentum_certificate

    arch = inst.build()
    return _flow_record(result, inst, seed, arch, build_momentum_certificate(arch, seed=seed), "phase_space_dim",
                        "momentum_laws")
