"""The blueprint page: ``index.html`` in the report folder, in the manner of the Lean blueprints that track a
paper's formalisation.

Plain data in (the report that ``results.json`` holds), one HTML file out, plus the vendored KaTeX it needs
(``katex/``, fonts inlined: the page works offline, opened from the folder as a file).  The page has

* the dependency graph of the results (an edge from each result to those that use it), laid out in layers by
  :func:`networkx.topological_generations`, each node coloured by its :func:`evidence` class and linked to
  the result's section;
* per result: its statement and hypotheses as mathematics (KaTeX), the method, the instances with their
  verdicts, numbers, counterexamples and links to their certificates, the laws found (LaTeX), and for count
  results the bracket graph of the largest instance small enough to draw (levels left to right; dashed: a pair whose bracket was
  already in the span).

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

EVIDENCE = {
    "proved": ("proved exactly on instances (each certificate passed the independent checker)", "#2e7d32"),
    "exact": ("exact computation on instances (not every instance has a certificate the checker passed)", "#558b2f"),
    "numeric": ("numerical evidence", "#1565c0"),
    "bounded": ("not proven: bounds only", "#ef6c00"),
    "failed": ("failed", "#c62828"),
    "uncheckable": ("not checkable yet", "#757575"),
}


def evidence(entry: dict) -> str:
    """The colour class of a result: ``proved`` (every instance holds, by exact methods, each with a certificate
    that passed the independent checker), ``exact`` (exact methods, but some instance has no checked certificate),
    ``numeric`` (holds on
    numerical evidence), ``bounded`` (some instance only bounded), ``failed`` (a failure, an error, or a value
    outside the hypotheses that differs from the independent argument), ``uncheckable``."""
    status = entry["status"]
    if status == "not checkable yet":
        return "uncheckable"
    if status == "holds":
        if not entry["method"].startswith("exact"):
            return "numeric"
        instances = entry.get("instances", [])
        checked = all(r.get("certificate_check", {}).get("status") == "passed" for r in instances)
        return "proved" if checked and instances else "exact"
    if status == "not proven":
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
               dashed=lambda u, v: False, title="", fit: bool = False) -> str:
    """An SVG drawing of ``g`` with layers left to right; ``label(n)``, ``colour(n)``, optional ``link(n)``."""
    w, h = box
    gx, gy = gap
    layers = max((p[0] for p in pos.values()), default=0) + 1
    slots = max((p[1] for p in pos.values()), default=0) + 1
    width, height = layers * (w + gx) + 10, slots * (h + gy) + 10

    def xy(n):
        layer, slot = pos[n]
        return 5 + layer * (w + gx), 5 + slot * (h + gy)

    size = 'width="100%" style="max-width:{}px"'.format(width) if fit else f'width="{width}" height="{height}"'
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" {size} '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for u, v in g.edges():
        (x1, y1), (x2, y2) = xy(u), xy(v)
        style = ' stroke-dasharray="4 3"' if dashed(u, v) else ""
        parts.append(f'<line x1="{x1 + w}" y1="{y1 + h / 2}" x2="{x2}" y2="{y2 + h / 2}" stroke="#555"{style} '
                     'marker-end="url(#arrow)"/>')
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
                      link=lambda n: "#" + anchor(n), title="dependency graph of the results", fit=True)


def bracket_svg(record: dict) -> Optional[str]:
    """The bracket graph of one instance (its record's ``bracket_graph``), or None when it was only summarised."""
    bg = record.get("bracket_graph", {})
    if "nodes" not in bg:
        return None
    g = nx.DiGraph()
    for i, (lbl, level, status) in enumerate(bg["nodes"]):
        g.add_node(i, label=lbl, level=level, status=status)
    for u, v, dup in bg["edges"]:
        g.add_edge(u, v, duplicate=dup)
    slots: dict[int, int] = {}
    pos = {}
    for i in g.nodes():
        level = g.nodes[i]["level"]
        pos[i] = (level, slots.get(level, 0))
        slots[level] = pos[i][1] + 1
    shade = {"new": "#2e7d32", "redundant": "#9e9e9e"}
    return _svg_graph(g, pos, label=lambda n: g.nodes[n]["label"], colour=lambda n: shade.get(g.nodes[n]["status"], "#555"),
                      box=(120, 26), gap=(50, 10), dashed=lambda u, v: g.edges[u, v]["duplicate"],
                      title=f"bracket graph of {record['instance']}")


def anchor(result_id: str) -> str:
    return "r-" + result_id.replace(":", "-").replace(".", "_")


def _math(tex: str, display: bool = False) -> str:
    """A formula for KaTeX: the LaTeX in ``data-tex`` and, until rendered, as readable source text."""
    cls = "math display" if display else "math"
    return f'<span class="{cls}" data-tex="{html.escape(tex, quote=True)}">{html.escape(tex)}</span>'


def _instance_rows(entry: dict) -> str:
    rows = []
    for r in entry["instances"]:
        numbers = ", ".join(f"{k} = {r[k]}" for k in ("D", "rank", "laws_found", "expected", "stated_laws_independent",
                                                       "laws_stated", "subset_size", "regions", "rank_range_dphi",
                                                       "rank_model_gradients", "largest_relative_error",
                                                       "phase_space_dim", "momentum_laws", "gradient_flow_laws",
                                                       "symmetry_groups", "smallest_move", "largest_gap")
                            if r.get(k) is not None)
        cert = (f'<a href="{html.escape(r["certificate"])}">certificate</a>' if r.get("certificate") else "")
        detail = ""
        if "counterexample" in r:
            detail = f'<pre class="counterexample">{html.escape(json.dumps(r["counterexample"]))}</pre>'
        elif "evidence" in r:
            detail = html.escape(str(r["evidence"]))
        elif "argument" in r:
            detail = html.escape(r["argument"])
        rows.append(f'<tr class="verdict-{html.escape(r["verdict"].replace(" ", "-"))}"><td>{html.escape(r["instance"])}</td>'
                    f'<td>{html.escape(r["verdict"])}</td><td>{html.escape(numbers)}</td><td>{detail}</td>'
                    f'<td>{cert}</td><td>{r.get("seconds", 0):.2f} s</td></tr>')
    return ("<table><thead><tr><th>instance</th><th>verdict</th><th>numbers</th><th>why / counterexample</th>"
            "<th></th><th>time</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


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
    drawn = [(r, bracket_svg(r)) for r in entry["instances"] if "bracket_graph" in r]
    drawable = [(r, svg) for r, svg in drawn if svg is not None]
    if not drawn:
        return ""
    if not drawable:
        s = drawn[0][0]["bracket_graph"]["summary"]
        return (f"<p>Bracket graph of {html.escape(drawn[0][0]['instance'])}: {s['nodes']} nodes, {s['new']} new "
                "directions (too large to draw; summary only).</p>")
    record, svg = max(drawable, key=lambda rs: len(rs[0]["bracket_graph"]["nodes"]))
    s = record["bracket_graph"]["summary"]
    return (f"<details open class=\"brackets\"><summary>Bracket graph of {html.escape(record['instance'])} ({s['nodes']} nodes, {s['new']} "
            f"new directions; green: adds a direction, grey: in the span; dashed: a bracket already present)</summary>"
            f'<div class="scroll">{svg}</div></details>')


def _section(entry: dict) -> str:
    ev = evidence(entry)
    deps = ", ".join(f'<a href="#{anchor(d)}">{html.escape(d)}</a>' for d in entry["depends"]) or "none"
    body = [f'<section id="{anchor(entry["id"])}" class="result" data-status="{html.escape(entry["status"])}" '
            f'data-evidence="{ev}">',
            f'<h2><span class="badge" style="background:{EVIDENCE[ev][1]}">{html.escape(EVIDENCE[ev][0])}</span> '
            f'{html.escape(entry["id"])}: {html.escape(entry["title"])}</h2>',
            f"<p>Status: <b class=\"status\">{html.escape(entry['status'])}</b>. Uses: {deps}.</p>",
            f'<div class="statement">{_math(entry["statement"], display=True)}</div>',
            f"<p>Hypotheses: {_math(entry['hypotheses'])}</p>",
            f"<p>Method: {html.escape(entry['method'])}.</p>",
            f"<p>A failure would look like: {html.escape(entry['failure_looks_like'])}.</p>"]
    if entry["status"] == "not checkable yet":
        body.append(f"<p class=\"reason\">Not checkable yet: {html.escape(entry.get('reason', ''))}</p>")
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
section.result{border-top:1px solid #ddd;padding-top:.5em}
"""

_SCRIPT = """
(function () {
  var nodes = document.querySelectorAll('[data-tex]'), rendered = 0, failed = 0;
  nodes.forEach(function (el) {
    katex.render(el.getAttribute('data-tex'), el,
                 {displayMode: el.classList.contains('display'), throwOnError: false});
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
    source = resources.files("conslaw.verification") / "static" / "katex"
    for name in ("katex.min.js", "katex.min.css", "LICENSE", "VERSION"):
        with resources.as_file(source / name) as path:
            shutil.copy(path, os.path.join(katex_dir, name))
    page = os.path.join(out_dir, "index.html")
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(blueprint_html(report))
    return page


__all__ = ["EVIDENCE", "blueprint_html", "bracket_svg", "dependency_graph", "evidence", "layered_positions",
           "write_blueprint"]
