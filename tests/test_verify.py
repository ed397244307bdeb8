"""`conslaw verify`: the theorem catalogue run on its instances, reports, certificates and failures."""
from __future__ import annotations

import io
import json
import os

from conftest import without_seconds

from conslaw.verification.catalogue.formulas import two_layer_relu
from conslaw.verification.catalogue.run import run_catalogue, write_reports
from conslaw.verification.catalogue.theorems import CATALOGUE, Expectation, Instance, Result, select
from conslaw.verification.checker import check_file
from conslaw.verification.cli import run


def test_quick_grid_holds_and_writes_checkable_certificates(tmp_path):
    out = io.StringIO()
    assert run(["verify", "--out", str(tmp_path), "--no-progress"], out=out) == 0
    text = out.getvalue()
    assert "every checkable result holds" in text and "seeded random rational" in text
    times = text.splitlines()[-1]  # the wall time, and what the per-result times are (summed instance times)
    assert times.startswith("times: ") and " s wall; " in times and "instances' own computations" in times
    assert not any(name.endswith((".aux", ".log")) for name in os.listdir(tmp_path))
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["schema"] == "conslaw-verify/1" and report["all_hold"]
    ids = [e["id"] for e in report["results"]]
    assert ids == [r.id for r in CATALOGUE]
    statuses = {e["id"]: e["status"] for e in report["results"]}
    assert statuses["tc25:thm-3.8"] == "holds"  # the model's own (softmax) fields, by ball arithmetic
    assert all(e["reason"] for e in report["results"] if e["status"] == "not checkable yet")  # listed, with why
    assert all(v in ("holds", "not checkable yet") for v in statuses.values())
    certificates = sorted((tmp_path / "certificates").iterdir())
    counts = {r.id for r in CATALOGUE if r.check in ("count", "counting", "momentum", "mirror", "mirror_momentum",
                                                     "data_symmetry", "sign_flow")}
    intrinsic = {r.id for r in CATALOGUE if r.check == "intrinsic"}  # one certificate per kind of point
    two = {r.id for r in CATALOGUE if r.check == "model_rank"}  # phi's count and the model's rank in balls
    assert len(certificates) == sum(len(e["instances"]) for e in report["results"] if e["id"] in counts) + sum(
        len(i["points"]) for e in report["results"] if e["id"] in intrinsic for i in e["instances"]) + sum(
        2 * len(e["instances"]) for e in report["results"] if e["id"] in two)
    for path in certificates:
        assert check_file(str(path)).ok, path.name
    assert (tmp_path / "report.md").read_text().startswith("# conslaw verify")


def test_an_instance_outside_the_hypotheses_is_reported_as_such():
    """Linear 1 3 1: r = 3 > n + m = 2, [U; V] cannot have full rank; the count is checked against the independent
    argument (r k − k(k−1)/2 = 5), and the result is not declared false."""
    report = run_catalogue(select(only=["tc25:prop-3.5-linear"]))
    edge = next(r for r in report["results"][0]["instances"] if r["instance"] == "linear 1 3 1")
    assert edge["verdict"] == "holds outside the hypotheses" and edge["expected"] == 3 * 2 - 1
    assert report["all_hold"]


def test_a_false_claim_fails_with_its_counterexample():
    """A scratch catalogue claiming "ReLU [3, 2, 3] has 3 laws": reported as failing, with the rational point, the
    certified rank and count, and D; the CLI would exit 1."""
    wrong = Result("scratch:relu-3-laws", "tc25", "ReLU [3,2,3] has 3 laws (false)", r"3", r"-", "count", "exact",
                   "a different count", instances=(Instance("relu", (3, 2, 3)),),
                   formula=lambda inst: Expectation(3, True, "claimed"))
    report = run_catalogue([wrong])
    entry = report["results"][0]
    assert entry["status"] == "fails" and not report["all_hold"]
    example = entry["instances"][0]["counterexample"]
    assert example["certified_laws"] == two_layer_relu(Instance("relu", (3, 2, 3))).laws == 2
    assert example["claimed"] == 3 and example["D"] == 12 and example["rank"] == 10 and example["point"]


def test_the_formula_count_stops_the_trace_only_when_the_certificate_proves_it():
    """Inside the hypotheses the trace stops once its rank reaches the formula's D − N (``--known N``): the true
    count (2) is proven that way; a claim of 1 law (rank 11 never reached) or 3 (the rank jumps past 9 to 10) fails
    with the certified count — a wrong formula is refuted, never left unproven."""
    def claim(n: int) -> Result:
        return Result(f"scratch:relu-{n}-laws", "tc25", f"ReLU [3,2,3] has {n} laws", r"-", r"-", "count", "exact",
                      "a different count", instances=(Instance("relu", (3, 2, 3)),),
                      formula=lambda inst: Expectation(n, True, "claimed"))

    report = run_catalogue([claim(1), claim(2), claim(3)])
    low, right, high = (e["instances"][0] for e in report["results"])
    assert right["verdict"] == "holds" and right["trace"].startswith("stopped once its rank reached the formula's "
                                                                    "D - N = 10 (rank 10)")
    assert low["trace"] == "grown until it closed"  # rank 11 is never reached
    assert high["trace"].startswith("stopped once its rank reached the formula's D - N = 9 (rank 10)")  # overshot
    for wrong, claimed in ((low, 1), (high, 3)):
        assert wrong["verdict"] == "fails"
        assert wrong["counterexample"]["certified_laws"] == 2 and wrong["counterexample"]["claimed"] == claimed


def test_same_seed_same_results_and_certificates(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        os.makedirs(d)
        write_reports(run_catalogue(list(CATALOGUE), seed=3, out_dir=str(d)), str(d))
    assert without_seconds(json.loads((a / "results.json").read_text())) == \
        without_seconds(json.loads((b / "results.json").read_text()))
    for path in (a / "certificates").iterdir():
        other = b / "certificates" / path.name
        assert without_seconds(json.loads(path.read_text())) == without_seconds(json.loads(other.read_text()))


def test_cli_errors_are_one_line(capsys):
    assert run(["verify", "--only", "tc25:no-such-result"]) == 2
    assert "unknown result id" in capsys.readouterr().err
    assert run(["verify", "--paper", "nope"]) == 2
    out = io.StringIO()
    assert run(["verify", "--list"], out=out) == 0 and "tc25:prop-3.5-relu" in out.getvalue()


def test_one_step_identity_is_exact_and_not_vacuous():
    """Prop. 5.1 at a seeded rational point: h(θ − ηg) − h(θ) − η² h(g) = 0 over QQ for every stated law, while
    the laws do move (the largest drift is a nonzero rational)."""
    from fractions import Fraction

    from conslaw.verification.catalogue.checks.registry import check_one_step

    entry = next(r for r in CATALOGUE if r.id == "tc25:prop-5.1")
    for inst in entry.instances:
        record = check_one_step(entry, inst, seed=5)
        assert record["verdict"] == "holds", record
        assert Fraction(record["largest_drift"]) > 0


def test_a_hypothesis_that_fails_on_an_instance_is_not_a_failure_of_the_theorem():
    """Theorem 4.6 needs every neuron of the block to change sign over the inputs; with biases at seed 0 one keeps
    its sign on every activation region, the block is partly linear there and has 7 laws, not r = 3: reported as
    "hypothesis fails on this instance", and the result still holds on its other instances."""
    from conslaw.verification.catalogue.checks.registry import check_resnet_subset
    from conslaw.verification.catalogue.run import run_result

    entry = next(r for r in CATALOGUE if r.id == "tc25:thm-4.6")
    inst = Instance("resnet", (), True, options=(("dim", 2), ("hidden", (3, 3)), ("subset", "block:2")))
    record = check_resnet_subset(entry, inst, 0)
    assert record["verdict"] == "hypothesis fails on this instance" and "exactly 7" in record["evidence"]
    assert check_resnet_subset(entry, inst, 1)["verdict"] == "holds"
    scratch = Result(entry.id, entry.paper, entry.title, entry.statement, entry.hypotheses, entry.check,
                     entry.method, entry.failure, instances=entry.instances + (inst,), formula=entry.formula)
    assert run_result(scratch, seed=0)["status"] == "holds"


def test_report_tex_compiles(tmp_path):
    """report.tex typesets: every statement, hypothesis, title and method as LaTeX (no Unicode left for pdflatex
    to print as [U+…], no '<' printed as '¡'), no line running off the page, and only the PDF left beside it."""
    import shutil

    from typeset import assert_clean, tool, typeset

    from conslaw.verification.catalogue.run import compile_tex

    write_reports(run_catalogue(list(CATALOGUE)), str(tmp_path))
    tex = (tmp_path / "report.tex").read_text()
    assert tex.count(r"\subsection*") == len(CATALOGUE) and all(ord(c) < 128 for c in tex)
    tool("pdflatex")
    assert compile_tex(str(tmp_path)) is not None
    assert (tmp_path / "report.pdf").stat().st_size > 1000
    assert not (tmp_path / "report.aux").exists() and not (tmp_path / "report.log").exists()
    scratch = tmp_path / "again"
    scratch.mkdir()
    shutil.copy(tmp_path / "report.tex", scratch)
    text, overfull = typeset(scratch / "report.tex")
    assert_clean(text, overfull)
    flat = " ".join(text.split())
    for typeset_formula in ("ψ(eλt θ)", "span range ∂φ(θ)⊤", "∇h ⊥ every bracket-graph field", "error < 1e-8",
                            "|θi |", "21 ∥φ(θ) − y∥2"):
        assert typeset_formula in flat, typeset_formula
    assert "conslaw count attention --numeric --model" in flat  # a command in typewriter type, no en dashes
