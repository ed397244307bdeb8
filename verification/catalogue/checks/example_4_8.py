"""Check kind ``example_4_8`` (Example 4.8): three laws on a domain where the block laws are two."""
from __future__ import annotations

from conslaw.algebra import (
    lie_trace,
    working_points,
)
from conslaw.algebra.activation_regions import activation_regions, region_generators
from conslaw.algebra.deep import restrict_to_subset
from conslaw.algebra.points import format_point

from ..schema import Instance, Result, Verdict
from .projection import _resnet


def _example_point(net, seed: int, inside: bool) -> tuple[int, list]:
    """The first seed from ``seed`` on whose rational point lies in Example 4.8's domain (u₁u₂ > 0 and
    1 + u₁v₁ > 0), or outside it when ``inside`` is False."""
    for s in range(seed, seed + 1000):
        point = working_points(net.space.dim, s, 1)[0]
        v = dict(zip(net.space.names, point))
        u1, v1, u2 = v["U1[0,0]"], v["V1[0,0]"], v["U2[0,0]"]
        if (u1 * u2 > 0 and 1 + u1 * v1 > 0) == inside:
            return s, point
    raise RuntimeError("no seeded point found in the domain")  # pragma: no cover - the domain has positive measure


def check_example_4_8(result: Result, inst: Instance, seed: int) -> dict:
    """Example 4.8: two residual ReLU blocks of width 1 on a line (d = 1).  On the domain u₁u₂ > 0, 1 + u₁v₁ > 0
    the network is x for u₁x ≤ 0 and (1 + u₁v₁)(1 + u₂v₂)x otherwise, so one field spans W_θ and there are
    D − 1 = 3 laws, where the block laws are two (one per block).  Checked exactly over every activation region:
    the trace rank is 1 at three seeded rational points of the domain (three laws there by Theorem 2.11), each
    block alone has one law there, and at a point outside the domain the rank is 2 (only the two block laws)."""
    net, o = _resnet(inst)
    ranks, points, blocks = [], [], []
    s = seed
    for _ in range(3):
        s, point = _example_point(net, s, inside=True)
        fields = region_generators(net, activation_regions(net, point).regions)
        ranks.append(lie_trace(fields, points=[point]).rank)
        for l in (1, 2):
            names = net.block_names(l)
            sub_space, sub = restrict_to_subset(fields, names)
            sub_point = [point[net.space.index(n)] for n in names]
            blocks.append(len(names) - lie_trace(sub, points=[sub_point]).rank)
        points.append(format_point(point))
        s += 1
    _, outside = _example_point(net, seed, inside=False)
    fields_out = region_generators(net, activation_regions(net, outside).regions)
    rank_out = lie_trace(fields_out, points=[outside]).rank
    D = net.space.dim
    record = {"instance": inst.label, "D": D, "points_in_domain": points, "trace_ranks": ranks,
              "laws_in_domain": [D - r for r in ranks], "block_laws_per_block": blocks,
              "point_outside": format_point(outside), "laws_outside": D - rank_out}
    if ranks == [1, 1, 1] and blocks == [1] * 6 and D - rank_out == 2:
        record["verdict"] = Verdict.HOLDS
    else:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"trace ranks in the domain": ranks, "block laws": blocks,
                                    "laws outside": D - rank_out}
    return record
