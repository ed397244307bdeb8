"""Every quadratic law supported on a few tensors of a zoo model: h(θ) = ½θ_Sᵀ S θ_S + vᵀθ_S over the chosen
tensors' coordinates θ_S (S symmetric: d(d+1)/2 + d unknowns), from gradients at seeded random points (both
batches, as the symmetry search draws them), the null space by an SVD with unit columns.  A probe for laws the
search's family cannot express: if none beyond the known ones appears, the missed laws are not quadratic there.

``python benchmarks/quadratic_laws_probe.py "ConvNeXt block" block.norm.weight block.norm.bias
block.pwconv1.weight block.pwconv1.bias`` (numerical: evidence, not a proof)."""
from __future__ import annotations

import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from model_zoo import ZOO  # noqa: E402

from conslaw.verification.nn.search.inputs import other_batch  # noqa: E402
from conslaw.verification.nn.search.sampler import Sampler  # noqa: E402
from conslaw.verification.nn.search.solve import null_space  # noqa: E402


def quadratic_laws(name: str, tensors: list[str], rows_per_unknown: int = 4, seed: int = 0) -> dict:
    model, x = ZOO[name]()
    sampler = Sampler(model, [x, other_batch(model, x, seed)], "cross_entropy", None, seed)
    index, offset = [], 0
    for n, size in zip(sampler.names, sampler.sizes):
        if n in tensors:
            index.append(torch.arange(offset, offset + size))
        offset += size
    if len(index) != len(tensors):
        raise SystemExit(f"unknown tensors: {sorted(set(tensors) - set(sampler.names))}")
    idx = torch.cat(index)
    d = idx.numel()
    iu = torch.triu_indices(d, d)
    unknowns = iu.shape[1] + d
    t0, blocks, got = time.perf_counter(), [], 0
    while got < rows_per_unknown * unknowns:
        theta, rows = sampler.rows(96)
        J, th = rows[:, idx], theta[idx]
        quad = J[:, iu[0]] * th[iu[1]] + J[:, iu[1]] * th[iu[0]]  # ⟨J, S θ⟩ for S = E_ab + E_ba
        quad[:, iu[0] == iu[1]] *= 0.5  # and for S = E_aa
        blocks.append(torch.cat([quad, J], 1))
        got += J.shape[0]
    ns = null_space(torch.cat(blocks))
    return {"model": name, "tensors": tensors, "coordinates": d, "unknowns": unknowns, "rows": got,
            "quadratic laws": ns.basis.shape[0], "gap": [ns.null_sv, ns.kept_sv],
            "seconds": round(time.perf_counter() - t0, 1)}


if __name__ == "__main__":
    print(quadratic_laws(sys.argv[1], sys.argv[2:]))
