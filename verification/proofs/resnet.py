"""Law counts for deep residual ReLU networks at a rational point (Section 4, Prop. 4.3)."""
from __future__ import annotations

import time
from typing import Optional, TypedDict

from conslaw.algebra import (
    PolynomialVectorField,
    independent_rows,
    lie_trace,
    polynomial_laws,
    working_points,
)
from conslaw.algebra.activation_regions import (
    activation_regions,
    dead_and_always_active,
    region_generators,
)
from conslaw.algebra.architectures.relu import proportional_pairs
from conslaw.algebra.deep import (
    ConvBlock,
    piecewise_generators,
    residual_mlp,
    restrict_to_subset,
)
from conslaw.algebra.errors import ShapeError
from conslaw.algebra.notes import Note, NoteKind
from conslaw.algebra.points import format_point

from .certificate import verdict_for


def subset_names(net, subset: str) -> tuple[str, list[str]]:
    """(what the subset is, in words; its parameter names) for 'all', 'head', 'block:L' or 'straddle:L'."""
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


class ResnetCountReport(TypedDict, total=False):
    """The keys of :func:`count_resnet`'s report that readers rely on (:func:`~..report.text.resnet_count_text`)."""

    description: str
    subset: str
    subset_size: int
    D: int
    rank: int
    laws: int
    seed: int
    coverage: str
    verdict: dict
    notes: list[str]
    patterns: list[str]


def count_resnet(dim: int, hidden, **kwargs) -> ResnetCountReport:
    """Laws of a residual ReLU network depending only on ``subset``, at a seeded rational θ_0 (a JSON-ready report).

    The count is ``proven`` only when the degree-2 laws found (verified exactly
    against the generators of every activation region) meet the exact trace rank.
    """
    report, fields, space, point = analyse_resnet(dim, hidden, **kwargs)
    _add_laws(report, fields, space, point, degree=2)
    return report


def _add_laws(report: dict, fields, space, point, degree: int) -> list:
    basis = polynomial_laws(fields, degree) if fields else None
    laws = basis.laws if basis else []
    grads = [PolynomialVectorField.gradient(space, h).evaluate(point) for h in laws]
    chosen = [laws[i] for i in independent_rows(grads)]
    verdict = verdict_for(report["subset_size"], report["rank"], len(chosen))
    if report["method"] != "regions" and verdict["status"] == "proven":
        # sampled inputs: the laws were checked only against the regions the samples met
        verdict = {"status": "bounded", "lower": None, "upper": report["laws"],
                   "text": f"at most {report['laws']} laws (sampled inputs: the laws found were checked only on "
                           f"the {report['activation_patterns']} activation patterns met, so none is proven)"}
    elif report["method"] != "regions":
        verdict = {**verdict, "lower": None,
                   "text": f"at most {report['laws']} laws (sampled inputs: nothing proven)"}
    report["verdict"] = verdict
    report["law_search"] = {"degree": degree, "basis_size": len(laws)}
    report["laws_found"] = [str(h.as_expr()) for h in chosen] if report["method"] == "regions" else []
    return chosen if report["method"] == "regions" else []


def analyse_resnet(dim: int, hidden, *, bias: bool = False, classes: int = 0, subset: str = "all",
                   n_inputs: Optional[int] = None, kinds=None, conv=None, seed: int = 0, max_regions: int = 5000):
    """(report, fields on the subset, its parameter space, the point on the subset).

    By default every activation region reachable at θ_0 is enumerated exactly
    (:func:`conslaw.algebra.activation_regions.activation_regions`) and its
    generators are taken in closed form, so the generators are all of them.
    With ``n_inputs`` the older sampling of rational inputs is used instead: its
    count is only an upper bound and nothing is called proven.
    """
    t0 = time.perf_counter()
    net = residual_mlp(dim, list(hidden), bias, classes, kinds=kinds, conv=conv)
    what, names = subset_names(net, subset)
    point = working_points(net.space.dim, seed, 1)[0]
    sub_point = [point[net.space.index(n)] for n in names]

    def restricted(fields):
        return (net.space, fields) if subset == "all" else restrict_to_subset(fields, names)

    def rank_of(fields) -> int:
        fields = restricted(fields)[1]
        return lie_trace(fields, points=[sub_point]).rank if fields else 0

    notes = []
    if n_inputs:
        pg = piecewise_generators(net, point, n_inputs, seed=seed)
        fields, patterns_seen = pg.fields, pg.patterns
        method = "sampled"
        coverage = (f"{len(pg.inputs)} seeded rational inputs (--inputs), {len(set(pg.patterns))} activation patterns "
                    "met; regions no sample met are not covered, so the count is an upper bound and no law is proven")
        n_inputs_used = len(pg.inputs)
    else:
        enum = activation_regions(net, point, max_regions=max_regions)
        fields = region_generators(net, enum.regions)
        patterns_seen = [r.pattern for r in enum.regions]
        method = "regions"
        coverage = (f"all {len(enum.regions)} activation regions at the point, found by {enum.method} "
                    f"({enum.lps} exact LPs); on each, g is affine in x and its generators are taken in closed form")
        n_inputs_used = len(enum.regions)
        dead, always = dead_and_always_active(net, enum.regions)
        for l, j in dead:
            notes.append(Note(f"{_unit(net, l)} {j} of block {l} is dead at this point: no input activates it (exact: "
                         "inactive on every activation region), so the network has extra local laws there (cf. Example 4.8)",
                              NoteKind.DEAD_UNIT))
        for l, j in always:
            notes.append(Note(f"{_unit(net, l)} {j} of block {l} is active for every input at this point (exact: active on "
                         "every activation region): the block acts linearly through it, so extra local laws may appear",
                              NoteKind.ALWAYS_ACTIVE))
    rank = rank_of(fields)
    value = dict(zip(net.space.names, point))
    for l, block in enumerate(net.layers, start=1):
        if isinstance(block, ConvBlock):
            continue
        rows = [[value[f"U{l}[{j},{i}]"] for i in range(net.dim)] + ([value[f"b{l}[{j}]"]] if net.bias else [])
                for j in range(block.width)]
        for j, k in proportional_pairs(rows):
            notes.append(Note(f"neurons {j} and {k} of block {l} define the same hyperplane at this point (Theorem 3.4 "
                              "needs them pairwise distinct)", NoteKind.SHARED_HYPERPLANE))
    notes.append(coverage)
    sub_space, sub_fields = restricted(fields)
    patterns = sorted({_pattern_text(p) for p in patterns_seen})
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
        "method": method,
        "coverage": coverage,
        "inputs": n_inputs_used,
        "activation_patterns": len(set(patterns_seen)),
        "patterns": patterns,
        "notes": notes,
        "seconds": round(time.perf_counter() - t0, 4),
    }
    if method == "regions":
        report["regions"] = [{"pattern": _pattern_text(r.pattern), "witness_input": format_point(r.witness)}
                             for r in enum.regions]
    return report, sub_fields, sub_space, sub_point


def _pattern_text(pattern) -> str:
    """One 0/1 string per block: ``"110 011"``."""
    return " ".join("".join("1" if on else "0" for on in mask) for mask in pattern)


def _unit(net, l: int) -> str:
    return "hidden unit (channel, position)" if isinstance(net.layers[l - 1], ConvBlock) else "neuron"


def resnet_laws(dim: int, hidden, *, degree: int = 2, **kwargs) -> tuple[dict, list, object]:
    """The polynomial laws of degree ≤ ``degree`` on the subset, an independent selection and the verdict.

    A law is printed only when the generators of every activation region were
    used (the default); with sampled inputs (``n_inputs``) none is printed.
    """
    report, fields, space, point = analyse_resnet(dim, hidden, **kwargs)
    chosen = _add_laws(report, fields, space, point, degree)
    return report, chosen, space
