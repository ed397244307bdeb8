"""Law counts for deep residual ReLU networks at a rational point (Section 4, Prop. 4.3)."""
from __future__ import annotations

import time
from typing import Optional

from conslaw.algebra import PolynomialVectorField, independent_rows, lie_trace, polynomial_laws, working_points
from conslaw.algebra.deep import ConvBlock, piecewise_generators, residual_mlp, restrict_to_subset, saturated_generators
from conslaw.algebra.architectures.relu import proportional_pairs
from conslaw.algebra.errors import ShapeError
from conslaw.algebra.points import format_point

from .certificate import verdict_for


def _subset(net, subset: str) -> tuple[str, list[str]]:
    if subset == "all":
        return "all parameters", list(net.space.names)
    if subset == "head":
        return "the softmax layer", net.head_names()
    kind, _, num = subset.partition(":")
    if kind not in ("block", "straddle") or not num.isdigit():
        raise ShapeError(f"subset must be 'all', 'head', 'block:L' or 'straddle:L', got {subset!r}")
    l = int(num)
    if kind == "block":
        return f"the parameters of block {l}", net.block_names(l)
    return f"the second layer of block {l} with the first layer of block {l + 1}", net.straddle_names(l)


def count_resnet(dim: int, hidden, **kwargs) -> dict:
    """Laws of a residual ReLU network depending only on ``subset``, at a seeded rational θ_0 (a JSON-ready report)."""
    return analyse_resnet(dim, hidden, **kwargs)[0]


def analyse_resnet(dim: int, hidden, *, bias: bool = False, classes: int = 0, subset: str = "all",
                   n_inputs: Optional[int] = None, kinds=None, conv=None, seed: int = 0):
    """(report, fields on the subset, its parameter space, the point on the subset).

    Without ``n_inputs`` the inputs are added until the rank settles (see
    :func:`conslaw.algebra.deep.saturated_generators`).
    """
    t0 = time.perf_counter()
    net = residual_mlp(dim, list(hidden), bias, classes, kinds=kinds, conv=conv)
    what, names = _subset(net, subset)
    point = working_points(net.space.dim, seed, 1)[0]
    sub_point = [point[net.space.index(n)] for n in names]

    def restricted(fields):
        return (net.space, fields) if subset == "all" else restrict_to_subset(fields, names)

    def rank_of(fields) -> int:
        fields = restricted(fields)[1]
        return lie_trace(fields, points=[sub_point]).rank if fields else 0

    if n_inputs:
        pg = piecewise_generators(net, point, n_inputs, seed=seed)
        rank = rank_of(pg.fields)
    else:
        pg, rank = saturated_generators(net, point, rank_of, seed=seed)
    notes = []
    for l in range(1, net.blocks + 1):
        unit = "hidden unit (channel, position)" if isinstance(net.layers[l - 1], ConvBlock) else "neuron"
        for j in range(len(pg.patterns[0][l - 1])):
            states = {p[l - 1][j] for p in pg.patterns}
            if len(states) == 1:
                notes.append(f"{unit} {j} of block {l} is {'active' if states.pop() else 'inactive'} for every input "
                             "used: the point lies where the network may have extra local laws (cf. Example 4.8)")
    value = dict(zip(net.space.names, point))
    for l, block in enumerate(net.layers, start=1):
        if isinstance(block, ConvBlock):
            continue
        rows = [[value[f"U{l}[{j},{i}]"] for i in range(net.dim)] + ([value[f"b{l}[{j}]"]] if net.bias else [])
                for j in range(block.width)]
        for j, k in proportional_pairs(rows):
            notes.append(f"neurons {j} and {k} of block {l} define the same hyperplane at this point (Theorem 3.4 "
                         "needs them pairwise distinct)")
    if n_inputs:
        notes.append(f"{len(pg.inputs)} rational inputs (fixed by --inputs); more inputs can only lower the count")
    else:
        notes.append(f"{len(pg.inputs)} rational inputs: added in batches until two batches in a row left the rank unchanged")
    notes += pg.notes
    sub_space, sub_fields = restricted(pg.fields)
    patterns = sorted({" ".join("".join("1" if on else "0" for on in mask) for mask in p) for p in pg.patterns})
    report = {
        "architecture": "resnet",
        "description": f"residual ReLU network with stream dimension {dim} and {net.blocks} "
                       + ("blocks" if not kinds else f"{'/'.join(kinds)} blocks") + f" of widths {tuple(hidden)}"
                       + (" and biases" if bias else "") + (f", ending in a softmax over {classes} classes" if classes else ""),
        "subset": what,
        "D": net.space.dim,
        "subset_size": len(names),
        "rank": rank,
        "laws": len(names) - rank,
        "seed": seed,
        "points": [format_point(point)],
        "inputs": len(pg.inputs),
        "activation_patterns": len(set(pg.patterns)),
        "patterns": patterns,
        "ties_skipped": pg.ties,
        "notes": notes,
        "seconds": round(time.perf_counter() - t0, 4),
    }
    return report, sub_fields, sub_space, sub_point


def resnet_laws(dim: int, hidden, *, degree: int = 2, **kwargs) -> tuple[dict, list, object]:
    """The polynomial laws of degree ≤ ``degree`` on the subset, an independent selection and the verdict."""
    report, fields, space, point = analyse_resnet(dim, hidden, **kwargs)
    basis = polynomial_laws(fields, degree) if fields else None
    laws = basis.laws if basis else []
    grads = [PolynomialVectorField.gradient(space, h).evaluate(point) for h in laws]
    chosen = [laws[i] for i in independent_rows(grads)]
    report["verdict"] = verdict_for(report["subset_size"], report["rank"], len(chosen))
    report["law_search"] = {"degree": degree, "basis_size": len(laws)}
    report["laws_found"] = [str(h.as_expr()) for h in chosen]
    return report, chosen, space
