"""Counts of the flows beyond the gradient flow — momentum (heavy ball), the entropic mirror flow and its momentum
version (Keep the Momentum) — beside the Euclidean gradient flow's, and what backs each count.

A flow's count is D − rank of its Lie trace at seeded rational points.  It is *proven* (:func:`proven`) when there
is no law (the trace is the whole space), when the flow-box theorem applies (one field, nonzero at the points), or
when as many independent polynomial laws were found and verified; otherwise it is only an upper bound and the JSON
report says so (:func:`json_count`).  :func:`proof_phrase` words the evidence for the text report.
"""
from __future__ import annotations

from typing import Optional, TypedDict

from conslaw.algebra import ConslawError, lie_trace
from conslaw.algebra.architectures import Architecture

from .claims import as_bound


class FlowCountReport(TypedDict, total=False):
    """The keys of a flow's count that readers rely on (the producers add more)."""

    D: int
    dim: int  # the space the flow lives on (phase space: 2D + 1)
    phase_space_dim: int
    rank: int
    ranks_per_point: list[int]
    laws: int
    laws_found: int
    laws_text: list[str]
    proven: bool
    flow_box: bool
    gradient_flow_laws: int


def proven(r: FlowCountReport) -> bool:
    """Whether a flow's count D − rank is proven: no law, the flow-box theorem, or as many laws found."""
    return r["laws"] == 0 or bool(r.get("flow_box")) or r["laws_found"] >= r["laws"]


def json_count(r: FlowCountReport) -> dict:
    """A flow's JSON report: ``laws`` only when proven (:func:`proven`), else the bounds (:func:`claims.as_bound`)."""
    if proven(r):
        return dict(r)
    return as_bound(dict(r), upper=r["laws"], lower=r["laws_found"],
                    why=f"{r['laws_found']} laws found and verified, D - rank = {r['laws']}: not proven")


def proof_phrase(r: FlowCountReport, degree: int, whole: str) -> str:
    """How a count D − rank is backed: no law (the trace is ``whole``), laws found meeting it, or only a bound."""
    if r["laws"] == 0:
        return f", proven: the trace is {whole}, no law exists near these points"
    if r.get("flow_box") and r["laws_found"] < r["laws"]:
        return (f", proven: one field, nonzero at the points (the flow-box theorem); {r['laws_found']} of them "
                f"polynomial of degree <= {degree}, found and verified")
    if r["proven"]:
        return f", proven: {r['laws_found']} independent laws of degree <= {degree} found and verified"
    return f" at most ({r['laws_found']} found of degree <= {degree}: not proven)"


def momentum_report(arch: Architecture, seed: int = 0, n_points: int = 2, max_level: int = 50) -> FlowCountReport:
    """The heavy-ball flow's laws on phase space (:func:`conslaw.algebra.phase_space.momentum_count`), with the
    gradient flow's count beside them."""
    from conslaw.algebra.phase_space import momentum_count

    return momentum_count(arch, seed=seed, n_points=n_points, max_level=max_level)


def mirror_report(arch: Architecture, flow: str = "mirror", metric: str = "entropic", seed: int = 0,
                  n_points: int = 2) -> FlowCountReport:
    """The entropic mirror flow's laws (``flow="mirror"``) or its momentum version's (``"mirror-momentum"``), with
    the Euclidean gradient flow's count (``gradient_flow_laws``) beside them; ``metric="icnn"`` puts the metric on
    the weights after the first layer only (:func:`conslaw.algebra.metric_flows.icnn_positive`)."""
    from conslaw.algebra.metric_flows import icnn_positive, metric_counts

    positive: Optional[list] = icnn_positive(arch) if metric == "icnn" else None
    if positive == []:
        raise ConslawError("--metric icnn needs weights after the first layer (a linear or relu architecture)")
    counts = metric_counts(arch, seed=seed, n_points=n_points, degree=2, positive=positive)
    euclid = arch.dim - lie_trace(arch.generators(), seed=seed, n_points=n_points).rank
    r = counts["mirror" if flow == "mirror" else "mirror_momentum"]
    return {**r, "flow": flow, "D": arch.dim, "seed": seed, "gradient_flow_laws": euclid}


__all__ = ["FlowCountReport", "json_count", "mirror_report", "momentum_report", "proof_phrase", "proven"]
