"""The blueprint page: ``index.html`` in the report folder, in the manner of the Lean blueprints that track a
paper's formalisation.

Plain data in (the report that ``results.json`` holds), one HTML file out, plus the vendored KaTeX it needs
(``katex/``, fonts inlined: the page works offline, opened from the folder as a file).  The page has

* the dependency graph of the results (an edge from each result to those that use it), laid out in layers by
  :func:`networkx.topological_generations`, each node coloured by its :func:`evidence` class and linked to
  the result's section;
* per result: its statement and hypotheses as mathematics (KaTeX), the method, the instances with their
  verdicts, numbers, counterexamples and links to their certificates, the laws found (LaTeX), and for count
  results the bracket graph (:func:`_brackets`: generators → brackets with their parents, where a trace needs
  brackets; one line where the generators already span it).

Every piece of text from the report is escaped; the LaTeX travels in ``data-tex`` attributes and is rendered
by ``katex.render`` with ``throwOnError: false`` (a formula KaTeX cannot read shows in red, it does not break
the page); the page records how many formulas it rendered and how many failed in ``<body data-...>``.
"""
from __future__ import annotations

import html
import json
import os
import shutil
from importlib import resources
from typing import Optional

import networkx as nx

from .schema import Evidence, Verdict
from .theorems import by_id

EVIDENCE = {
    "proved": ("proved exactly on instances (each certificate passed the independent checker)", "#2e7d32"),
    "exact": ("exact computation on instances (not every instance has a certificate the checker passed)", "#558b2f"),
    "numeric": ("numerical evidence", "#1565c0"),
    "bounded": ("not proven: bounds only", "#ef6c00"),
    "failed": ("failed", "#c62828"),
    "uncheckable": ("not checkable yet", "#757575"),
}


def evidence_kind(entry: dict) -> Evidence:
    """What a result's method rests on (:class:`~.schema.Evidence`): the entry's own ``evidence`` where it has
    one, else its catalogue result's, else the :class:`~.schema.Result` default (exact)."""
    if "evidence" in entry:
        return Evidence(entry["evidence"])
    result = by_id().get(entry.get("id", ""))
    return result.evidence if result is not None else Evidence.EXACT


def evidence(entry: dict) -> str:
    """The colour class of a result: ``proved`` (every instance holds, by exact methods, each with a certificate
    that passed the independent checker), ``exact`` (exact methods, but some instance has no checked certificate),
    ``numeric`` (holds on numerical evidence), ``bounded`` (some instance only bounded), ``failed`` (a failure, an
    error, or a value outside the hypotheses that differs from the independent argument), ``uncheckable``."""
    status = Verdict(entry["status"])
    if status is Verdict.NOT_CHECKABLE:
        return "uncheckable"
    if status is Verdict.HOLDS:
        if evidence_kind(entry) is Evidence.NUMERICAL:
            return "numeric"
        instances = entry.get("instances", [])
        checked = all(r.get("certificate_check", {}).get("status") == "passed" for r in instances)
        return "proved" if checked and instances else "exact"
    if status is Verdict.NOT_PROVEN:
        return "bounded"
    return "failed"


def dependency_graph(results: list[dict]) -> nx.DiGraph:
    """Results as nodes, an edge from each dependency to the result that uses it (dependencies outside the
    report are left out)."""
    g = nx.DiGraph()
    ids = {e["id"] for e in results}
    for e in results:
        g.add_node(e["id"], evidence=evidence(e), title=e["title"])
    for e in results:
        for d in e["depends"]:
            if d in ids:
                g.add_edge(d, e["id"])
    return g


def layered_positions(g: nx.DiGraph) -> dict:
    """Layer = longest path from a source (``topological_generations``); within a layer, nodes ordered by the mean
    position of their predecessors (fewer crossings), then by name.  Returns node ↦ (layer, slot)."""
    pos: dict = {}
    for layer, nodes in enumerate(nx.topological_generations(g)):
        def key(n):
            preds = [pos[p][1] for p in g.predecessors(n) if p in pos]
            return (sum(preds) / len(preds) if preds else -1.0, n)
        for slot, n in enumerate(sorted(nodes, key=key)):
            pos[n] = (layer, slot)
    return pos


def _svg_graph(g: nx.DiGraph, pos: dict, label, colour, link=None, box=(195, 30), gap=(36, 14),
               dashed=lambda u, v: False, title="", fit: bool = False, uid: str = "graph", bend: bool = False) -> str:
    """An SVG drawing of ``g`` with layers left to right; ``label(n)``, ``colour(n)``, optional ``link(n)``;
    ``uid`` makes its arrow marker's id unique on the page; with ``bend``, an edge that skips a layer bends
    below the boxes it would cross."""
    w, h = box
    gx, gy = gap
    layers = max((p[0] for p in pos.values()), default=0) + 1
    slots = max((p[1] for p in pos.values()), default=0) + 1
    width, height = layers * (w + gx) + 10, slots * (h + gy) + 10
    skips = bend and any(pos[v][0] - pos[u][0] > 1 for u, v in g.edges())
    if skips:
        height += h + gy  # room for the edges that bend below a layer

    def xy(n):
        layer, slot = pos[n]
        return 5 + layer * (w + gx), 5 + slot * (h + gy)

    size = 'width="100%" style="max-width:{}px"'.format(width) if fit else f'width="{width}" height="{height}"'
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" {size} '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<defs><marker id="arrow-{uid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for u, v in g.edges():
        (x1, y1), (x2, y2) = xy(u), xy(v)
        style = ' stroke-dasharray="4 3"' if dashed(u, v) else ""
        if skips and pos[v][0] - pos[u][0] > 1:  # skips a layer: bend below the boxes in between instead of through them
            dip = max(y1, y2) + h + gy / 2
            path = f"M {x1 + w} {y1 + h / 2} C {x1 + w + gx} {dip} {x2 - gx} {dip} {x2} {y2 + h / 2}"
            parts.append(f'<path d="{path}" fill="none" stroke="#555"{style} marker-end="url(#arrow-{uid})"/>')
            continue
        parts.append(f'<line x1="{x1 + w}" y1="{y1 + h / 2}" x2="{x2}" y2="{y2 + h / 2}" stroke="#555"{style} '
                     f'marker-end="url(#arrow-{uid})"/>')
    for n in g.nodes():
        x, y = xy(n)
        text = html.escape(label(n))
        rect = (f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{colour(n)}"/>'
                f'<text x="{x + w / 2}" y="{y + h / 2 + 4}" text-anchor="middle" fill="#fff" '
                f'font-size="11">{text}</text>')
        if link is not None:
            rect = f'<a href="{html.escape(link(n))}" class="node" data-node="{html.escape(str(n))}">{rect}</a>'
        parts.append(rect)
    parts.append("</svg>")
    return "\n".join(parts)


def dependency_svg(results: list[dict]) -> str:
    g = dependency_graph(results)
    return _svg_graph(g, layered_positions(g), label=lambda n: n, colour=lambda n: EVIDENCE[g.nodes[n]["evidence"]][1],
                      link=lambda n: "#" + anchor(n), title="dependency graph of the results", fit=True,
                      uid="dependencies")


def needs_brackets(record: dict) -> bool:
    """Whether an instance's trace needed brackets: a bracket added a direction its generators do not span."""
    return any(level > 0 for _, level, status in record.get("bracket_graph", {}).get("nodes", []))


def bracket_svg(record: dict, uid: str = "brackets") -> Optional[str]:
    """The bracket graph of one instance (its record's ``bracket_graph``) as generators → brackets: each
    bracket that added a direction, in the column of its level, with an arrow from each of its two parents;
    only the generators that are a parent are drawn.  None when the record only summarises the graph."""
    bg = record.get("bracket_graph", {})
    if "nodes" not in bg:
        return None
    g = nx.DiGraph()
    for u, v, dup in bg["edges"]:
        g.add_edge(u, v, duplicate=dup)
    for i in g.nodes():
        lbl, level, status = bg["nodes"][i]
        g.nodes[i].update(label=lbl, level=level, status=status)
    slots: dict[int, int] = {}
    pos = {}
    for i in sorted(g.nodes(), key=lambda n: (g.nodes[n]["level"], n)):
        level = g.nodes[i]["level"]
        pos[i] = (level, slots.get(level, 0))
        slots[level] = pos[i][1] + 1
    shade = {"new": "#2e7d32", "redundant": "#9e9e9e"}
    return _svg_graph(g, pos, label=lambda n: g.nodes[n]["label"], colour=lambda n: shade.get(g.nodes[n]["status"], "#555"),
                      box=(120, 26), gap=(50, 10), dashed=lambda u, v: g.edges[u, v]["duplicate"],
                      title=f"bracket graph of {record['instance']}", uid=uid, bend=True)


def anchor(result_id: str) -> str:
    return "r-" + result_id.replace(":", "-").replace(".", "_")


def _math(tex: str) -> str:
    """An inline formula for KaTeX: the LaTeX in ``data-tex`` and, until rendered, as readable source text."""
    return f'<span class="math" data-tex="{html.escape(tex, quote=True)}">{html.escape(tex)}</span>'


def _prose(text: str) -> str:
    """A line of conslaw's prose as HTML: text escaped, its formulas for KaTeX, code spans as ``<code>``."""
    from ..report.prose import prose_parts

    return "".join(_math(v) if k == "math" else f"<code>{html.escape(v)}</code>" if k == "code" else html.escape(v)
                   for k, v in prose_parts(text))


def _formula(tex: str) -> str:
    """A statement (LaTeX) as running text and inline formulas, which wrap to the page's width."""
    from ..report.latex import math_pieces

    return "".join(_math(v) if k == "math" else html.escape(v) for k, v in math_pieces(tex))


_NUMBERS = ("D", "rank", "trace_ranks", "laws_found", "laws_in_domain", "expected", "laws_outside",
            "stated_laws_independent", "laws_stated", "subset_size", "regions", "rank_range_dphi",
            "rank_model_gradients", "largest_relative_error", "phase_space_dim", "momentum_laws",
            "gradient_flow_laws", "symmetry_groups", "smallest_move", "largest_gap")
#: the record keys shown under a shorter name
_SHOWN_AS = {"trace_ranks": "ranks", "laws_in_domain": "laws", "laws_outside": "laws outside"}


def _number(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _points(record: dict) -> str:
    """The rational points an instance was checked at, where its record lists them."""
    shown = []
    for key, name in (("points_in_domain", "points"), ("point_outside", "control point")):
        value = record.get(key)
        if not value:
            continue
        pts = value if isinstance(value[0], list) else [value]
        shown.append(f"{name}: " + "; ".join("(" + ", ".join(p) + ")" for p in pts))
    return f'<div class="points">{html.escape(". ".join(shown))}</div>' if shown else ""


def _instance_rows(entry: dict) -> str:
    rows = []
    for r in entry["instances"]:
        numbers = ", ".join(f"{_SHOWN_AS.get(k, k)} = {_number(r[k])}" for k in _NUMBERS if r.get(k) is not None)
        cert = (f'<a href="{html.escape(r["certificate"])}">certificate</a>' if r.get("certificate") else "")
        detail = ""
        if "counterexample" in r:
            detail = f'<pre class="counterexample">{html.escape(json.dumps(r["counterexample"]))}</pre>'
        elif "evidence" in r:
            detail = _prose(str(r["evidence"]))
        elif "argument" in r:
            detail = _prose(r["argument"])
        detail += _points(r)
        rows.append(f'<tr class="verdict-{html.escape(r["verdict"].replace(" ", "-"))}"><td>{html.escape(r["instance"])}</td>'
                    f'<td>{html.escape(r["verdict"])}</td><td>{html.escape(numbers)}</td><td>{detail}</td>'
                    f'<td>{cert}</td><td class="time">{r.get("seconds", 0):.2f}&nbsp;s</td></tr>')
    return ('<div class="scroll"><table><thead><tr><th>instance</th><th>verdict</th><th>numbers</th>'
            "<th>why / counterexample</th><th></th><th>time</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table></div>")


def _laws(entry: dict, limit: int = 6) -> str:
    """The laws (LaTeX, or text where a record has no LaTeX) of the first ``limit`` instances that report any."""
    having = [r for r in entry["instances"] if r.get("laws_latex") or r.get("laws_text")]
    shown = having[:limit]
    if not shown:
        return ""
    items = []
    for r in shown:
        laws = "".join(f"<li>{_math(t)}</li>" for t in r["laws_latex"]) if r.get("laws_latex") else \
            "".join(f"<li><code>{html.escape(t)}</code></li>" for t in r["laws_text"])
        items.append(f"<li>{html.escape(r['instance'])}<ul>{laws}</ul></li>")
    more = len(having) - len(shown)
    tail = f"<p>… and {more} more instances (results.json)</p>" if more > 0 else ""
    return f'<details open><summary>Laws found</summary><ul class="laws">{"".join(items)}</ul>{tail}</details>'


def _brackets(entry: dict) -> str:
    """The bracket graph of the largest drawable instance whose trace needed brackets; for a result whose
    instances' generators already span their traces, one line saying so."""
    recorded = [r for r in entry["instances"] if "bracket_graph" in r]
    if not recorded:
        return ""
    needing = [r for r in recorded if needs_brackets(r)]
    if not needing:
        if all("nodes" not in r["bracket_graph"] for r in recorded):
            r = recorded[0]
            s = r["bracket_graph"]["summary"]
            return (f"<p>Bracket graph of {html.escape(r['instance'])}: {s['nodes']} nodes, {s['new']} new "
                    "directions (too large to draw; summary only).</p>")
        names = ", ".join(html.escape(r["instance"]) for r in recorded)
        return (f'<p class="brackets">Bracket graph: for {names}, the generators ∇φ<sub>k</sub> already span the '
                "trace at the point; no bracket adds a direction.</p>")
    record = max(needing, key=lambda r: (len(r["bracket_graph"]["edges"]), r["instance"]))
    nodes = record["bracket_graph"]["nodes"]
    generators = sum(level == 0 for _, level, _ in nodes)
    parents = {u for u, _, _ in record["bracket_graph"]["edges"] if nodes[u][1] == 0}
    brackets = len(nodes) - generators
    others = generators - len(parents)
    rest = f"; the other {others} generators are not drawn" if others else ""
    return (f'<details open class="brackets"><summary>Bracket graph of {html.escape(record["instance"])}: '
            f"{generators} generators X<sub>k</sub> = ∇φ<sub>k</sub> and {brackets} "
            f"bracket{'s' if brackets != 1 else ''} that add a direction, each with an arrow from its two parents "
            f"(levels left to right{rest}; green: adds a direction, grey: in the span of those before)</summary>"
            f'<div class="scroll">{bracket_svg(record, uid=anchor(entry["id"]) + "-brackets")}</div></details>')


def _section(entry: dict) -> str:
    ev = evidence(entry)
    deps = ", ".join(f'<a href="#{anchor(d)}">{html.escape(d)}</a>' for d in entry["depends"]) or "none"
    body = [f'<section id="{anchor(entry["id"])}" class="result" data-status="{html.escape(entry["status"])}" '
            f'data-evidence="{ev}">',
            f'<h2><span class="badge" style="background:{EVIDENCE[ev][1]}">{html.escape(EVIDENCE[ev][0])}</span> '
            f'{html.escape(entry["id"])}: {_prose(entry["title"])}</h2>',
            f"<p>Status: <b class=\"status\">{html.escape(entry['status'])}</b>. Uses: {deps}.</p>",
            f'<div class="statement">{_formula(entry["statement"])}</div>',
            f"<p>Hypotheses: {_formula(entry['hypotheses'])}.</p>",
            f"<p>Method: {_prose(entry['method'])}.</p>",
            f"<p>A failure would look like: {_prose(entry['failure_looks_like'])}.</p>"]
    if entry["status"] == "not checkable yet":
        body.append(f"<p class=\"reason\">Not checkable yet: {_prose(entry.get('reason', ''))}</p>")
    else:
        body += [_instance_rows(entry), _laws(entry), _brackets(entry)]
    body.append("</section>")
    return "\n".join(body)


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#222}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:.7em;vertical-align:middle}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
.verdict-fails td,.verdict-error td{background:#fdecea}.scroll{overflow-x:auto}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:1em;height:1em;
border-radius:3px;margin-right:.3em;vertical-align:middle}pre{white-space:pre-wrap;margin:0}
section.result{border-top:1px solid #ddd;padding-top:.5em}td.time{white-space:nowrap}
.statement{font-size:1.1em;margin:.6em 2em;line-height:1.7}.points{color:#555;font-size:.85em;margin-top:.2em}
h2{line-height:1.4}code{overflow-wrap:anywhere}
"""

_SCRIPT = """
(function () {
  var nodes = document.querySelectorAll('[data-tex]'), rendered = 0, failed = 0;
  nodes.forEach(function (el) {
    katex.render(el.getAttribute('data-tex'), el, {throwOnError: false});
    if (el.querySelector('.katex-error')) { failed += 1; } else { rendered += 1; }
  });
  document.body.setAttribute('data-math-rendered', rendered);
  document.body.setAttribute('data-math-failed', failed);
})();
"""


def blueprint_html(report: dict) -> str:
    """The page for a report (``results.json``'s content)."""
    results = report["results"]
    counts = {k: sum(evidence(e) == k for e in results) for k in EVIDENCE}
    legend = "".join(f'<span><i style="background:{c}"></i>{html.escape(t)}: {counts[k]}</span>'
                     for k, (t, c) in EVIDENCE.items())
    papers = "".join(f"<li><code>{html.escape(p)}</code>: {html.escape(t)}</li>" for p, t in report["papers"].items())
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        "<title>conslaw verify — blueprint</title>",
        '<link rel="stylesheet" href="katex/katex.min.css">', f"<style>{_STYLE}</style></head><body>",
        "<h1>conslaw verify — blueprint</h1>",
        f"<p>Grid <b>{html.escape(report['grid'])}</b>, seed {report['seed']} "
        f"({html.escape(report['point_distribution'])}). "
        + ("Every checkable result holds." if report["all_hold"] else "<b>Not every checkable result holds.</b>")
        + ' Files: <a href="results.json">results.json</a>, <a href="report.md">report.md</a>, '
        '<a href="report.tex">report.tex</a>.</p>',
        f"<ul>{papers}</ul>", f'<p class="legend">{legend}</p>',
        '<h2>Dependency graph</h2><p>An arrow from a result to one that uses it; click a node for its section.</p>',
        f'<div class="scroll" id="dependency-graph">{dependency_svg(results)}</div>',
        *(_section(e) for e in results),
        '<script src="katex/katex.min.js"></script>', f"<script>{_SCRIPT}</script>", "</body></html>", ""])


def write_blueprint(report: dict, out_dir: str) -> str:
    """Write ``out_dir/index.html`` and copy the vendored KaTeX to ``out_dir/katex``; the page's path."""
    katex_dir = os.path.join(out_dir, "katex")
    os.makedirs(katex_dir, exist_ok=True)
    source = resources.files("conslaw.verification.catalogue") / "static" / "katex"
    for name in ("katex.min.js", "katex.min.css", "LICENSE", "VERSION"):
        with resources.as_file(source / name) as path:
            shutil.copy(path, os.path.join(katex_dir, name))
    page = os.path.join(out_dir, "index.html")
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(blueprint_html(report))
    return page


__all__ = ["EVIDENCE", "blueprint_html", "bracket_svg", "dependency_graph", "evidence", "evidence_kind", "layered_positions",
           "write_blueprint"]
