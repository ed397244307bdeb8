"""Run the theorem catalogue (:mod:`theorems`): one verdict per instance and per result, with the evidence.

The checks named by the catalogue's entries live here (``count``, ``counting``, ``laws_hold``, ``one_step``,
``resnet_subset``) and in :mod:`theorem_checks` (``weight_decay``, ``model_span``, ``projection``,
``example_4_8``, ``sign_flow``, ``momentum``, ``neural_mechanics``); :mod:`sweep` runs the instances (in this process or on Dask) and this module assembles the
report and writes ``results.json``, ``report.md`` and ``report.tex`` (and, through :mod:`blueprint`,
``index.html``).

Verdicts per instance: ``holds`` (the certified value equals the paper's), ``holds outside the hypotheses``
(the instance leaves them and the value equals the independent argument's; ``differs outside the
hypotheses`` otherwise), ``hypothesis fails on this instance`` (a hypothesis checked on the instance does
not hold: no claim either way), ``fails`` (with the counterexample: point, rank, D, laws, or the polynomial
⟨∇h, ∇φ_k⟩ that is not zero), ``not proven`` (the certificate only bounds the count).  A result holds when
every instance does; ``conslaw verify`` exits 0 only then.  ``results.json`` (schema ``conslaw-verify/1``) and the certificates are the same byte for byte for the
same seed, timings aside (the ``seconds`` fields).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
from typing import Callable, Optional

from sympy import QQ

from conslaw.algebra import PolynomialVectorField, gradient_rank, lie_trace, violations
from conslaw.algebra.points import format_point, working_points
from conslaw.algebra.polynomial_text import parse_rational

from .certificate import build_certificate, certificate_text
from .certificate_audit import audit_certificate
from .latex import law_lines
from .sweep import plan, sweep
from .theorem_checks import (check_data_symmetry, check_example_4_8, check_intrinsic, check_mirror, check_model_span, check_momentum, check_neural_mechanics,
                             check_projection, check_sign_flow, check_weight_decay)
from .theorems import PAPERS, Instance, Result
from .verdicts import judge_count

SCHEMA = "conslaw-verify/1"
BRACKET_GRAPH_NODES = 60  # larger bracket graphs are summarised, not drawn


def certificate_name(result_id: str, inst: Instance) -> str:
    """The file name of an instance's certificate under ``certificates/``."""
    return f"{result_id.replace(':', '_')}__{inst.label.replace(' ', '_').replace('=', '-')}.json"


def bracket_depth(trace) -> int:
    """The deepest bracket level that added a direction to the trace (0: the generators alone span it)."""
    return max((lv.level for lv in trace.levels if lv.new > 0), default=0)


def _certified(result: Result, inst: Instance, seed: int) -> tuple:
    """(architecture, certificate, the record's common part) of an instance.  The record carries the certificate's
    text under ``_certificate`` (name, text; several under ``_certificates``): whoever collects the record writes it
    (a Dask worker may run on
    another machine than the one that keeps the reports)."""
    arch = inst.build()
    trace = lie_trace(arch.generators(), seed=seed, n_points=1)
    cert = build_certificate(arch, seed=seed, trace=trace)
    record = {"instance": inst.label, "D": cert["D"], "rank": cert["rank_witness"]["rank"],
              "laws_found": len(cert["laws"]), "certificate_status": cert["verdict"]["status"],
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


def check_count(result: Result, inst: Instance, seed: int) -> dict:
    """Certify the instance (exact rank witness + degree-2 laws) and compare the certified count with the formula."""
    arch, cert, record = _certified(result, inst, seed)
    expected = result.formula(inst)
    verdict = cert["verdict"]
    record.update({"expected": expected.laws, "argument": expected.argument, "in_hypotheses": expected.in_hypotheses})
    if arch.known_laws:  # an independent code path: the rank of the stated laws' gradients at the same point
        point = [QQ(r.numerator, r.denominator) for r in map(parse_rational, cert["point"])]
        record["stated_laws_independent"] = gradient_rank(arch.space, arch.known_laws, point)
    return judge_count(record, verdict, expected, {"point": cert["point"], "rank": record["rank"], "D": cert["D"]})


def check_counting(result: Result, inst: Instance, seed: int) -> dict:
    """Theorem 2.11 on an instance: the certificate proves D − r laws (r the exact trace rank at its point, and
    D − r independent polynomial laws verified as identities), and the exact rank is the same at three seeded
    points (the theorem needs it locally constant; equal ranks at independent generic points are the evidence)."""
    from .counting import count_laws

    arch, cert, record = _certified(result, inst, seed)
    _, _, counted = count_laws(arch, seed=seed, n_points=3)
    ranks = record["ranks_at_three_points"] = counted["ranks_per_point"]
    verdict = cert["verdict"]
    if len(set(ranks)) != 1:
        record["verdict"] = "hypothesis fails on this instance"
        record["evidence"] = f"exact ranks {ranks} differ between the points"
    elif verdict["status"] != "proven":  # the laws of degree ≤ 2 do not reach D − r: no proof either way
        record["verdict"] = "not proven"
        record["evidence"] = verdict["text"]
    elif cert["D"] - record["rank"] == record["laws_found"]:
        record["verdict"] = "holds"
    else:
        record["verdict"] = "fails"
        record["counterexample"] = {"point": cert["point"], "rank": record["rank"], "D": cert["D"],
                                    "independent_laws_found": record["laws_found"]}
    return record


def check_laws_hold(result: Result, inst: Instance, seed: int) -> dict:
    """Prop. 2.3: the stated laws satisfy ⟨∇h, ∇φ_k⟩ ≡ 0 as polynomials; h + θ_0 (a perturbed function) does not.
    Prop. 2.9 at a seeded rational θ_0: ∇h(θ_0) is orthogonal to every field of the bracket graph there (the
    brackets span the trace Lie(V_φ)(θ_0)), exactly."""
    arch = inst.build()
    gens = arch.generators()
    bad = violations(arch.known_laws, gens)
    record = {"instance": inst.label, "D": arch.dim, "laws_stated": len(arch.known_laws),
              "laws_latex": law_lines(arch.known_laws, arch.space)}
    perturbed = arch.known_laws[0] + arch.space.ring.gens[0] if arch.known_laws else arch.space.ring.gens[0]
    caught = bool(violations([perturbed], gens))
    record["perturbed_function_caught"] = caught
    trace = lie_trace(gens, seed=seed, n_points=1)
    point = trace.points[0]
    fields = {n: trace.graph.field(n).evaluate(point) for n in trace.graph.graph.nodes}
    off_trace = None
    for label, h in zip(arch.law_labels, arch.known_laws):
        grad = PolynomialVectorField.gradient(arch.space, h).evaluate(point)
        for n, value in fields.items():
            if sum((a * b for a, b in zip(grad, value)), QQ(0)) != 0:
                off_trace = off_trace or {"law": label, "field": trace.graph.graph.nodes[n]["label"],
                                          "point": format_point(point)}
    record["trace_fields_checked"] = len(fields)
    if bad:
        i, k, poly = bad[0]
        record["verdict"] = "fails"
        record["counterexample"] = {"law": arch.law_labels[i], "generator": k, "bracket": str(poly)}
    elif off_trace is not None:
        record["verdict"] = "fails"
        record["counterexample"] = off_trace
    elif not caught:
        record["verdict"] = "fails"
        record["counterexample"] = {"perturbed": str(perturbed), "note": "a non-law passed the test"}
    else:
        record["verdict"] = "holds"
    return record


def check_one_step(result: Result, inst: Instance, seed: int) -> dict:
    """Prop. 5.1, exactly: at a seeded rational θ, g = Σ_k c_k ∇φ_k(θ) (seeded rational c: the gradient of the
    loss ℓ(φ) = Σ c_k φ_k, and the gradient of any loss of φ lies in that span), η = 1/10; for each stated law h
    (a homogeneous quadratic), h(θ − ηg) − h(θ) − η² h(g) = 0 over QQ, while h(θ − ηg) − h(θ) ≠ 0 for at least
    one law (the step does move the laws: the identity is not vacuous)."""
    arch = inst.build()
    space = arch.space
    theta = working_points(arch.dim, seed=seed, count=1)[0]
    rng = random.Random(seed + 1)
    coeffs = [QQ(rng.randint(-9, 9), rng.randint(1, 9)) for _ in arch.phi]
    grads = [PolynomialVectorField.gradient(space, p).evaluate(theta) for p in arch.phi]
    g = [sum((c * v[i] for c, v in zip(coeffs, grads)), QQ(0)) for i in range(arch.dim)]
    eta = QQ(1, 10)
    stepped = [t - eta * x for t, x in zip(theta, g)]
    record = {"instance": inst.label, "D": arch.dim, "point": format_point(theta), "eta": "1/10",
              "laws_checked": len(arch.known_laws)}
    drifts, worst = [], None
    for label, h in zip(arch.law_labels, arch.known_laws):
        before, after, on_g = h(*theta), h(*stepped), h(*g)
        residue = after - before - eta ** 2 * on_g
        drifts.append(after - before)
        if residue != 0 and worst is None:
            worst = {"law": label, "h(theta - eta g) - h(theta) - eta^2 h(g)": str(residue)}
    record["largest_drift"] = str(max((abs(d) for d in drifts), default=QQ(0)))
    if worst is not None:
        record["verdict"] = "fails"
        record["counterexample"] = worst
    elif not any(drifts):
        record["verdict"] = "fails"
        record["counterexample"] = {"note": "no law moved: the identity was not exercised"}
    else:
        record["verdict"] = "holds"
    return record


def check_resnet_subset(result: Result, inst: Instance, seed: int) -> dict:
    """Laws depending only on a subset of a residual ReLU network's parameters (deep_report.count_resnet: every
    activation region at θ_0 enumerated exactly), against the result's formula of the instance and the report
    (Theorem 4.6: block l, r_l; 4.7: straddle, 0; Section 4.4: all, Σ r_l)."""
    from .deep_report import count_resnet

    o = dict(inst.options)
    report = count_resnet(o["dim"], list(o["hidden"]), subset=o["subset"], seed=seed, bias=inst.bias)
    expected = result.formula(inst, report)
    verdict = report["verdict"]
    record = {"instance": inst.label, "D": report["D"], "subset_size": report["subset_size"], "rank": report["rank"],
              "regions": report.get("activation_patterns"), "expected": expected.laws, "argument": expected.argument,
              "in_hypotheses": expected.in_hypotheses, "certificate_status": verdict["status"]}
    if verdict["status"] != "proven":
        record["verdict"] = "not proven"
        record["evidence"] = verdict["text"]
    elif not expected.in_hypotheses:
        record["verdict"] = "hypothesis fails on this instance"
        record["evidence"] = f"{verdict['text']}; {expected.argument}"
    elif verdict["laws"] == expected.laws:
        record["verdict"] = "holds"
    else:
        record["verdict"] = "fails"
        record["counterexample"] = {"point": report["points"][0], "rank": report["rank"],
                                    "subset_size": report["subset_size"], "certified_laws": verdict["laws"],
                                    "claimed": expected.laws}
    return record


CHECKS: dict[str, Callable[[Result, Instance, int], dict]] = {
    "count": check_count, "counting": check_counting, "laws_hold": check_laws_hold, "one_step": check_one_step,
    "resnet_subset": check_resnet_subset, "weight_decay": check_weight_decay, "model_span": check_model_span,
    "projection": check_projection, "example_4_8": check_example_4_8, "sign_flow": check_sign_flow,
    "momentum": check_momentum, "neural_mechanics": check_neural_mechanics,
    "mirror": check_mirror, "mirror_momentum": check_mirror, "intrinsic": check_intrinsic,
    "data_symmetry": check_data_symmetry,
}


def _status(records: list[dict]) -> str:
    """A result's status from its instances' verdicts: an instance outside the hypotheses that still matches, or
    where the hypothesis fails, is no failure."""
    verdicts = {r["verdict"] for r in records}
    return next((v for v in ("fails", "error", "differs outside the hypotheses", "not proven") if v in verdicts),
                "holds")


def result_entry(result: Result, records: Optional[list[dict]]) -> dict:
    """The report's entry for one result: its catalogue data, then its instances' records (in catalogue order) and
    status; ``records=None`` for a result that is not checkable yet."""
    entry = {"id": result.id, "paper": result.paper, "title": result.title, "statement": result.statement,
             "hypotheses": result.hypotheses, "method": result.method, "depends": list(result.depends),
             "failure_looks_like": result.failure}
    if records is None:
        entry.update({"status": "not checkable yet", "reason": result.reason, "instances": []})
        return entry
    records = [{k: v for k, v in r.items() if k not in ("key", "id")} for r in records]
    entry.update({"status": _status(records), "instances": records,
                  "seconds": round(sum(r["seconds"] for r in records), 3)})
    return entry


def run_result(result: Result, grid: str = "quick", seed: int = 0) -> dict:
    """All the instances of one result on ``grid``, in this process."""
    return run_catalogue([result], grid, seed)["results"][0]


def run_catalogue(results: list[Result], grid: str = "quick", seed: int = 0, out_dir: Optional[str] = None,
                  progress: Optional[Callable[[dict], None]] = None, *, scheduler: str = "serial", workers: int = 2,
                  resume: bool = False, on_record: Optional[Callable[[dict], None]] = None) -> dict:
    """Every selected result on ``grid`` (:mod:`sweep`: in this process or on Dask, streamed to
    ``out_dir/results.jsonl``, resumable).  ``on_record(record)`` hears each instance as it finishes,
    ``progress(entry)`` each result once all its instances have.  A checkable result with no instance on the grid
    is left out (``paper23`` holds only the 2023 paper's validation sets); results not checkable yet are listed
    on the ``quick`` and ``full`` grids."""
    tasks = plan(results, grid)
    listed = [r for r in results if any(t.result is r for t in tasks)
              or (r.check not in CHECKS and grid != "paper23")]
    if out_dir is not None:
        os.makedirs(os.path.join(out_dir, "certificates"), exist_ok=True)
    waiting = {r.id: sum(t.result is r for t in tasks) for r in listed}
    collected: dict[str, list[dict]] = {r.id: [] for r in listed}
    by_id = {r.id: r for r in listed}
    for r in listed:
        if r.check not in CHECKS and progress is not None:
            progress(result_entry(r, None))

    def keep_certificate(record: dict) -> None:
        items = ([record.pop("_certificate")] if "_certificate" in record else []) + record.pop("_certificates", [])
        if not items:
            return
        audits, done = [], record.pop("_audits", {})
        for name, text in items:
            data = text.encode("utf-8")
            if out_dir is not None:  # the bytes read back from the file written, as 'conslaw check' reads them
                path = os.path.join(out_dir, "certificates", name)
                with open(path, "wb") as fh:
                    fh.write(data)
                with open(path, "rb") as fh:
                    data = fh.read()
            # audited where the task ran (sweep.run_task) when these are the very bytes it checked, else here
            audits.append(done.get(hashlib.sha256(data).hexdigest()) or audit_certificate(data))
        apply_audit(record, audits)
        if out_dir is None:
            return
        record["certificate"] = f"certificates/{items[0][0]}"
        if len(items) > 1:
            record["certificates"] = [f"certificates/{name}" for name, _ in items]

    def heard(record: dict) -> None:
        if on_record is not None:
            on_record(record)
        collected[record["id"]].append(record)
        waiting[record["id"]] -= 1
        if waiting[record["id"]] == 0 and progress is not None:
            progress(result_entry(by_id[record["id"]], _in_order(by_id[record["id"]], collected[record["id"]])))

    records = sweep(tasks, grid, seed, scheduler=scheduler, workers=workers, out_dir=out_dir, resume=resume,
                    on_record=heard, keep_certificate=keep_certificate)
    entries = []
    for r in listed:
        if r.check not in CHECKS:
            entries.append(result_entry(r, None))
        else:
            entries.append(result_entry(r, [records[t.key] for t in tasks if t.result is r]))
    checkable = [e for e in entries if e["status"] != "not checkable yet"]
    return {"schema": SCHEMA, "grid": grid, "seed": seed,
            "point_distribution": "seeded random rationals (certificates record each point)",
            "papers": {p: PAPERS[p] for p in sorted({e["paper"] for e in entries})},
            "all_hold": all(e["status"] == "holds" for e in checkable), "results": entries}


def timings_zeroed(value):
    """A report, record or certificate with every ``seconds`` field set to 0: the timings, the only fields that
    differ between two runs with the same seed (module docstring)."""
    if isinstance(value, dict):
        return {k: (0 if k == "seconds" else timings_zeroed(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [timings_zeroed(v) for v in value]
    return value


def evidence_note(record: dict) -> str:
    """What backs an instance's verdict, for the reports: its certificate's audit, or that it has none."""
    check = record.get("certificate_check")
    if check is None:
        return " (no certificate: the method's own computation)"
    return {"passed": " (certificate checked independently)", "refused": " (certificate over the checker's budget: "
            "not independently checked)"}.get(check["status"], f" (certificate {check['status']})")


AUDIT_ORDER = ("twin accepted", "rejected", "refused", "passed")


def apply_audit(record: dict, audits: list[dict]) -> None:
    """Put the checker's word on an instance's certificates into its record: ``certificate_check`` (the worst
    audit); a certificate the checker rejects (or a checker that accepts its tampered twin) makes the instance
    fail, whatever the producer concluded; one over the checker's budget leaves the verdict, marked as resting on
    the producer's computation alone."""
    worst = min(audits, key=lambda a: AUDIT_ORDER.index(a["status"]))
    record["certificate_check"] = worst
    if worst["status"] in ("rejected", "twin accepted"):
        record["producer_verdict"] = record["verdict"]
        record["verdict"] = "fails"
        record["counterexample"] = worst["detail"]


def _in_order(result: Result, records: list[dict]) -> list[dict]:
    """Records of one result in its catalogue order (they may finish in any order)."""
    rank = {i.label: n for n, i in enumerate(result.instances)}
    return sorted(records, key=lambda r: rank[r["instance"]])


def report_tex(report: dict) -> str:
    """The report as a LaTeX document for pdflatex (amsmath, amssymb): per result its statement and hypotheses
    as mathematics that breaks across lines (:func:`~conslaw.verification.latex.breakable_math`), the method
    and the instances' verdicts as text with their formulas typeset (:func:`~conslaw.verification.prose.prose_latex`)."""
    from .latex import breakable_math, latex_document
    from .prose import prose_latex as _tex

    parts = [f"Grid {_tex(report['grid'])}, seed {report['seed']} ({_tex(report['point_distribution'])})."]
    for e in report["results"]:
        parts.append(rf"\subsection*{{{_tex(e['id'])}: {_tex(e['title'])}}}")
        parts.append(rf"\begin{{quote}}{breakable_math(e['statement'])}\end{{quote}}")
        parts.append(rf"\noindent Hypotheses: {breakable_math(e['hypotheses'])}.\\")
        parts.append(rf"Method: {_tex(e['method'])}. Status: \textbf{{{_tex(e['status'])}}}.")
        if e["instances"]:
            parts.append(r"\begin{itemize}")
            parts += [rf"\item {_tex(r['instance'])}: {_tex(r['verdict'])}{_tex(evidence_note(r))}" for r in e["instances"]]
            parts.append(r"\end{itemize}")
        elif e.get("reason"):
            parts.append(f"Not checkable yet: {_tex(e['reason'])}")
    return latex_document("\n".join(parts), title="conslaw verify")


def compile_tex(out_dir: str, name: str = "report.tex") -> Optional[str]:
    """Compile ``name`` with pdflatex where it is installed, in a scratch folder so that only the PDF lands in
    ``out_dir`` (no .aux, no .log); its path, or None: no engine, or it failed, and then the .log is copied
    beside the .tex to say why."""
    import shutil
    import subprocess
    import tempfile

    exe = shutil.which("pdflatex")
    if exe is None:
        return None
    stem = name[:-4]
    with tempfile.TemporaryDirectory(prefix="conslaw-tex-") as scratch:
        shutil.copy(os.path.join(out_dir, name), scratch)
        done = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", name], cwd=scratch,
                              capture_output=True, text=True, timeout=120)
        built = os.path.join(scratch, stem + ".pdf")
        if done.returncode == 0 and os.path.exists(built):
            return shutil.copy(built, os.path.join(out_dir, stem + ".pdf"))
        if os.path.exists(os.path.join(scratch, stem + ".log")):
            shutil.copy(os.path.join(scratch, stem + ".log"), os.path.join(out_dir, stem + ".log"))
        return None


def write_reports(report: dict, out_dir: str) -> None:
    """``results.json``, ``report.md``, ``report.tex`` and the blueprint page ``index.html`` in ``out_dir``."""
    from .blueprint import write_blueprint
    from .prose import prose_markdown

    write_blueprint(report, out_dir)
    with open(os.path.join(out_dir, "report.tex"), "w") as fh:
        fh.write(report_tex(report))
    with open(os.path.join(out_dir, "results.json"), "w") as fh:
        json.dump(report, fh, indent=1)
        fh.write("\n")
    lines = [f"# conslaw verify — grid {report['grid']}, seed {report['seed']}", ""]
    for p, title in report["papers"].items():
        lines.append(f"- `{p}`: {title}")
    lines += ["", "| result | status | instances | method |", "|---|---|---|---|"]
    for e in report["results"]:
        inst = "; ".join(f"{r['instance']}: {r['verdict']}{evidence_note(r)}" for r in e["instances"]) or e.get("reason", "")
        lines.append(f"| `{e['id']}` {prose_markdown(e['title'])} | {e['status']} | {inst} | {prose_markdown(e['method'])} |")
    lines += ["", "Statements (LaTeX):", ""]
    for e in report["results"]:
        lines.append(f"- `{e['id']}`: $${e['statement']}$$ under $${e['hypotheses']}$$")
    with open(os.path.join(out_dir, "report.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
