"""Check kinds ``mirror`` and ``mirror_momentum`` (Keep the Momentum): the NMF geometry's entropic mirror flow and
the ICNN metric, with and without momentum."""
from __future__ import annotations

from ..schema import CheckKind, Instance, Result
from .common_flows import _flow_record


def check_mirror(result: Result, inst: Instance, seed: int) -> dict:
    """Keep the Momentum's non-Euclidean geometries on an instance: the entropic mirror flow θ̇ = −θ ⊙ ∇L (check
    ``mirror``; for the ``…icnn…`` results, entropic only on the weights after the first layer) or its momentum
    version on (s, θ, p) (check ``mirror_momentum``), certified at a seeded positive rational point
    (:func:`certificate.build_mirror_certificate`); the Euclidean gradient flow's count is computed beside it."""
    from conslaw.algebra.metric_flows import icnn_positive

    from ...proofs.certificate import build_mirror_certificate

    arch = inst.build()
    momentum = result.check is CheckKind.MIRROR_MOMENTUM
    positive = icnn_positive(arch) if "icnn" in result.id else None  # ICNN: entropic on the later layers only
    cert = build_mirror_certificate(arch, momentum=momentum, degree=2, seed=seed, positive=positive)
    return _flow_record(result, inst, seed, arch, cert, "space_dim", "laws")
