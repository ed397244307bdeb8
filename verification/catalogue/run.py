"""Run the theorem catalogue (:mod:`.theorems`): one verdict per instance and per result, with the evidence.

The checks named by the catalogue's entries live in :mod:`.checks`, one module per check kind, found through
:data:`.checks.registry.CHECKS`; :mod:`.sweep` runs the instances (in this process or on Dask) and this module
assembles the report and writes ``results.json``, ``report.md`` and ``report.tex`` (and, through
:mod:`.blueprint`, ``index.html``).

Verdicts per instance: ``holds`` (the certified value equals the paper's), ``holds outside the hypotheses``
(the instance leaves them and the value equals the independent argument's; ``differs outside the
hypotheses`` otherwise), ``hypothesis fails on this instance`` (a hypothesis checked on the instance does
not hold: no claim either way), ``fails`` (with the counterexample: point, rank, D, laws, or the polynomial
⟨∇h, ∇φ_k⟩ that is not zero), ``not proven`` (the certificate only bounds the count).  A result holds when
every instance does; ``conslaw verify`` exits 0 only then.  ``results.json`` (schema ``conslaw-verify/1``) and
the certificates are the same byte for byte for the same seed, timings aside (the ``seconds`` fields).
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Callable, Optional

from ..proofs.audit import audit_certificate
from .checks.registry import CHECKS
from .schema import PAPERS, STATUS_ORDER, Result, Verdict
from .sweep import plan, sweep

SCHEMA = "conslaw-verify/1"


def _status(records: list[dict]) -> str:
    """A result's status from its instances' verdicts: an instance outside the hypotheses that still matches, or
    where the hypothesis fails, is no failure."""
    verdicts = {r["verdict"] for r in records}
    return next((v for v in STATUS_ORDER if v in verdicts), Verdict.HOLDS)


def result_entry(result: Result, records: Optional[list[dict]]) -> dict:
    """The report's entry for one result: its catalogue data, then its instances' records (in catalogue order) and
    status; ``records=None`` for a result that is not checkable yet."""
    entry = {"id": result.id, "paper": result.paper, "title": result.title, "statement": result.statement,
             "hypotheses": result.hypotheses, "method": result.method, "depends": list(result.depends),
             "failure_looks_like": result.failure}
    if records is None:
        entry.update({"status": Verdict.NOT_CHECKABLE, "reason": result.reason, "instances": []})
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
    checkable = [e for e in entries if e["status"] != Verdict.NOT_CHECKABLE]
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
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = worst["detail"]


def _in_order(result: Result, records: list[dict]) -> list[dict]:
    """Records of one result in its catalogue order (they may finish in any order)."""
    rank = {i.label: n for n, i in enumerate(result.instances)}
    return sorted(records, key=lambda r: rank[r["instance"]])


def report_tex(report: dict) -> str:
    """The report as a LaTeX document for pdflatex (amsmath, amssymb): per result its statement and hypotheses
    as mathematics that breaks across lines (:func:`~conslaw.verification.report.latex.breakable_math`), the method
    and the instances' verdicts as text with their formulas typeset (:func:`~conslaw.verification.report.prose.prose_latex`)."""
    from ..report.latex import breakable_math, latex_document
    from ..report.prose import prose_latex as _tex

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
    from ..report.prose import prose_markdown
    from .blueprint import write_blueprint

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
