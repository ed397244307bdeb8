"""What the catalogue's checks share: certified counts at seeded rational points, certificate names, bracket graph
records."""
from __future__ import annotations

from sympy import QQ

from conslaw.algebra import lie_trace
from conslaw.algebra.polynomial_text import parse_rational

from ...proofs.certificate import build_certificate, certificate_text
from ...report.latex import law_lines
from ..schema import Instance, Result

BRACKET_GRAPH_NODES = 60  # larger bracket graphs are summarised, not drawn


def certificate_name(result_id: str, inst: Instance) -> str:
    """The file name of an instance's certificate under ``certificates/``: the result id and the instance's label,
    with ``_`` for spaces and colons, ``-`` for ``=`` and ``over`` for the ``/`` of a rational option (slope=1/10 →
    ``slope-1over10``), so that every name is one file in that folder."""
    label = inst.label.replace(" ", "_").replace("=", "-").replace("/", "over")
    return f"{result_id.replace(':', '_')}__{label}.json"


def bracket_depth(trace) -> int:
    """The deepest bracket level that added a direction to the trace (0: the generators alone span it)."""
    return max((lv.level for lv in trace.levels if lv.new > 0), default=0)


def _certified(result: Result, inst: Instance, seed: int) -> tuple:
    """(architecture, certificate, the record's common part) of an instance.  The record carries the certificate's
    text under ``_certificate`` (name, text; several under ``_certificates``): whoever collects the record writes it
    (a Dask worker may run on another machine than the one that keeps the reports).

    Where the result's formula states the count N (inside its hypotheses), the trace stops as soon as its rank
    reaches D − N (``count --known N``): the certificate then proves the count when N laws are found and verified,
    without the last level that shows the trace closed.  When they are not — the formula is wrong, or the laws of
    degree ≤ 2 do not reach it — the full trace decides, so a wrong formula is refuted, never left unproven."""
    arch = inst.build()
    expected = result.formula(inst) if result.formula is not None else None
    target = arch.dim - expected.laws if expected is not None and expected.in_hypotheses else None
    trace = lie_trace(arch.generators(), seed=seed, n_points=1,
                      target_rank=target if target is not None and 0 <= target <= arch.dim else None)
    cert = build_certificate(arch, seed=seed, trace=trace)
    stopped = trace.status == "target"
    if stopped and cert["verdict"]["status"] != "proven":  # the laws do not close the gap: the full trace decides
        trace = lie_trace(arch.generators(), seed=seed, n_points=1)
        cert = build_certificate(arch, seed=seed, trace=trace)
        stopped = False
    record = {"instance": inst.label, "D": cert["D"], "rank": cert["rank_witness"]["rank"],
              "laws_found": len(cert["laws"]), "certificate_status": cert["verdict"]["status"],
              "trace": (f"stopped once its rank reached the formula's D - N = {target} (rank "
                        f"{cert['rank_witness']['rank']}); the certificate proves the count" if stopped
                        else "grown until it closed"),
              "laws_latex": law_lines(_polynomials(arch, cert["laws"]), arch.space),
              "bracket_graph": bracket_graph_record(trace.graph), "bracket_depth": bracket_depth(trace),
              "_certificate": (certificate_name(result.id, inst), certificate_text(cert))}
    return arch, cert, record


def _polynomials(arch, records: list[dict]) -> list:
    """The certificate's polynomial records as polynomials of the architecture's ring (from their terms)."""
    ring, n = arch.space.ring, arch.space.ring.ngens
    polys = []
    for rec in records:
        terms = {}
        for coeff, powers in rec["terms"]:
            exps = [0] * n
            for k, e in powers:
                exps[k] = e
            c = parse_rational(coeff)
            terms[tuple(exps)] = QQ(c.numerator, c.denominator)
        polys.append(ring.from_dict(terms))
    return polys


def bracket_graph_record(graph, max_nodes: int = BRACKET_GRAPH_NODES) -> dict:
    """The bracket graph as plain data for the reports: its summary always; its nodes (label, level, status) and
    edges (parent, child, duplicate) when it has at most ``max_nodes`` nodes."""
    record = {"summary": {k: v for k, v in graph.summary().items() if k != "by_level"}}
    g = graph.graph
    if g.number_of_nodes() <= max_nodes:
        record["nodes"] = [[d["label"], d["level"], d["status"]] for _, d in sorted(g.nodes(data=True))]
        record["edges"] = sorted([u, v, bool(d["duplicate"])] for u, v, d in g.edges(data=True))
    return record
