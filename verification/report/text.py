"""Plain-text renderers: what ``conslaw`` prints, as functions of the typed results the library returns, so that a
notebook or a script gets the same text as the command line (``print(count_text(report))``).

Each renderer takes one result — the report of :func:`~conslaw.verification.proofs.counting.count_laws`,
:func:`~conslaw.verification.numeric.counting.count_laws_numerically`,
:func:`~conslaw.verification.proofs.resnet.count_resnet`, :func:`~conslaw.verification.nn.count.count_module_laws`,
:func:`~conslaw.verification.proofs.sign_flow.sign_flow_laws`, the flow counts of
:mod:`~conslaw.verification.proofs.flow_counts`, :func:`~conslaw.verification.proofs.data_symmetry.data_symmetry_report`,
a checker's :class:`~conslaw.verification.checker.CheckReport`, a ``conslaw verify`` entry — and returns its lines
joined, ending with a newline.  Nothing here computes a result or decides a wording of proof: that is the
producers' (``verdict``, ``count_kind``, :func:`~conslaw.verification.proofs.flow_counts.proof_phrase`).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from ..proofs.flow_counts import proof_phrase

if TYPE_CHECKING:  # types only: nn/ (torch) sits above this package
    from ..checker import CheckReport
    from ..nn.count import ModuleCountReport
    from ..numeric.counting import NumericCountReport
    from ..proofs.counting import CountReport
    from ..proofs.data_symmetry import DataSymmetryReport
    from ..proofs.flow_counts import FlowCountReport
    from ..proofs.resnet import ResnetCountReport
    from ..proofs.sign_flow import SignFlowReport


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def modular_count_text(r: dict) -> str:
    """``conslaw count … --modular``: the two bounds, and the count where they meet."""
    sizes = " ".join(map(str, r["widths"])) or ", ".join(f"{k} {r[k]}" for k in ("d", "dk", "dv", "heads") if k in r)
    s = r["stated_laws"]
    name = f"the phi of {r['source']}" if r["architecture"] == "fields" else f"{r['architecture']} {sizes}"
    if r.get("residual"):
        name = f"the residual block x + g(x) around {name} (the phi of g: Prop. 3.2)"
    out = [f"{name}{' with biases' if r['bias'] else ''}: modular route (ranks mod p = "
           f"{r['prime']} at {r['point']})",
           f"  parameters D = {r['D']:,}, components of phi {r['components_of_phi']:,}"]
    for lv in r["levels"]:
        out.append(f"  level {lv['level']}: {lv['what']}: rank mod p {lv['rank_mod_p']:,} ({lv['seconds']} s)")
    b = r.get("blocks")
    if b:
        out.append(f"  blocks of parameters that do not interact: {b['blocks']:,} (largest {b['largest_block_parameters']:,}"
                   f" parameters; dim Lie is the sum over the blocks), run in {b['tasks']:,} task"
                   f"{'s' if b['tasks'] != 1 else ''} by {b['executor']}")
    out.append(f"  dim Lie >= {r['rank_lower_bound']:,} (rank mod p of values at the integer point: a lower bound)")
    out.append(f"  stated laws: {s['stated']:,}, {s['verified_as_identities']:,} verified as identities over the "
               f"integers, {s['independent_mod_p']:,} independent mod p at the point, so dim Lie <= "
               f"{r['D'] - s['independent_mod_p']:,}")
    if s["refuted"]:
        out.append(f"  REFUTED stated laws (not conserved, not counted): {len(s['refuted'])}, e.g. law {s['refuted'][0]}")
    if r["laws"] is not None:
        out.append(f"  independent conservation laws: exactly {r['laws']:,} (proven: D - rank = {r['D']:,} - "
                   f"{r['rank_lower_bound']:,} and {r['laws']:,} verified laws)")
    else:
        out.append(f"  independent conservation laws: between {r['laws_at_least']:,} and {r['laws_at_most']:,}, not "
                   "proven (the bounds do not meet)")
    scope = r.get("model_count", {"relation": "equal"})
    if scope["relation"] != "equal":
        out.append("  for the model itself this is only a lower bound: these are the laws of the flows of the fields "
                   f"grad phi ({scope['reasons'][0]})")
    out.append(f"  evidence: {r['evidence']}")
    out.append(f"  time {r['seconds']:.1f} s (" + ", ".join(f"{k} {v} s" for k, v in r["timings"].items()) + ")")
    return _text(out)


def count_text(r: CountReport, graph: Any = None) -> str:
    """The exact count of ``conslaw count`` (gradient flow); ``graph``: the trace's bracket graph, to list the
    brackets that gave new directions (``--show-brackets``)."""
    given = r.get("architecture") == "fields"  # --fields FILE: no literature, the user's own generators
    rule = "the file's gradients of phi, then its fields" if given else "gradients of the components of phi"
    out = [r["description"],
           f"  parameters D = {r['D']}, generators {r['generators']} ({rule})",
           f"  working points: {len(r['points'])}, seed {r['seed']} ({r['point_distribution']})"]
    for lv in r["levels"]:
        what = "generators" if lv["level"] == 0 else "brackets"
        out.append(f"  level {lv['level']}: {lv['new']} new directions from {lv['examined']} {what} examined "
                   f"(of {lv['candidates']}); rank mod p per point {lv['ranks_mod_p']}")
    stop = {"converged": "the last level added no direction",
            "full_rank": "the trace is all of R^D",
            "max_level": "max level reached (rank is a lower bound)",
            "target": "the rank reached D - N for the claimed N (--known; the rank is a lower bound)"}[r["status"]]
    out.append(f"  stopped: {stop}")
    out.append(f"  trace rank dim Lie(V)(theta) = {r['rank']}, exact over QQ at each point: {r['ranks_per_point']}")
    k = r["known_laws"]
    if not given:
        out.append(f"  known laws from the literature: {k['stated']} stated, {k['verified']} verified as identities, "
                   f"{k['independent_at_first_point']} of those independent")
    elif k["stated"]:
        out.append(f"  laws stated in the file: {k['stated']}, {k['verified']} of them verified as identities, "
                   f"{k['independent_at_first_point']} of those independent")
    out += [f"  REFUTED stated law (not conserved, not counted): {text}" for text in k["refuted"]]
    if r.get("laws") is not None:
        out.append(f"  independent conservation laws: D - rank = {r['D']} - {r['rank']} = {r['laws']}")
    else:  # --known, not proven: the two bounds, never a count
        out.append(f"  independent conservation laws: between {r['laws_at_least']} (stated laws verified) and "
                   f"{r['laws_at_most']} (D - rank), not proven")
    if "known" in r:
        out.append(f"  claimed {r['known']['claimed']} laws (--known): {r['known']['outcome'].upper()}: "
                   f"{r['known']['reason']}")
    if r["model_count"]["relation"] != "equal":
        out.append("  for the model itself this is only a lower bound: these are the laws of the flows of the fields "
                   "grad phi, and a hypothesis for the model's count is missing (see the notes)")
    out += [f"  note: {note}" for note in r["notes"]]
    if graph is not None:
        out.append("  brackets that gave new directions:")
        out += [f"    level {d['level']}: {d['label']}" for _, d in graph.new_directions() if d["level"] > 0]
    out.append(f"  time {r['seconds']:.3f} s")
    return _text(out)


def resnet_count_text(r: ResnetCountReport) -> str:
    """The exact count of ``conslaw count resnet``: the laws that depend only on a parameter subset."""
    out = [r["description"],
           f"  laws depending only on {r['subset']} ({r['subset_size']} of D = {r['D']} parameters)",
           f"  point: seeded random rational theta_0 (seed {r['seed']})",
           f"  inputs: {r['coverage']}",
           f"  rank {r['rank']} (exact lower bound on dim Lie at theta_0): at most {r['subset_size']} - {r['rank']} = "
           f"{r['laws']} independent laws"]
    v = r["verdict"]
    if v["status"] == "proven":
        out.append(f"  proven: {v['text']}; the laws, verified on every activation region, are printed by "
                   "'conslaw laws resnet ...'")
    else:
        out.append(f"  not proven: {v['text']}")
    out += [f"  note: {note}" for note in r["notes"][:-1]]
    return _text(out)


SHOWN_NAMES = 12  # kept brackets and generators named per line in text (--json lists them all)


def numeric_count_text(r: NumericCountReport) -> str:
    """The numerical count of ``conslaw count --numeric``, with its evidence (floating point: never a proof)."""
    ev = r["evidence"]
    out = [f"{r['description']} (numerical: torch {r['torch']}, {r['device']}, {r['hardware']}, {r['dtype']})"]
    values = "the model's values at its inputs have" if "model" in r["method"] else "phi has"
    out.append(f"  parameters D = {r['D']}, {values} {r['components_of_phi']} components")
    out.append(f"  point: {r['point_distribution']}; floating point, so the count is evidence, not a proof")
    named = r.get("growth") == "named"
    for lv in r["levels"]:
        if named:
            what = "generators" if lv["level"] == 0 else "brackets of a generator with a field kept at the level before"
        else:
            what = "random combinations of the generators" if lv["level"] == 0 else \
                f"random brackets of depth {lv['level']}"
        rank = f" (rank {lv['rank_after']})" if "rank_after" in lv else ""
        out.append(f"  level {lv['level']}: {lv['new']} new directions from {lv['candidates']} {what}{rank}")
        if "singular_values_near_the_cut" in lv:
            sv = lv["singular_values_near_the_cut"]
            cut = min(lv["rank_by_svd"], 3)  # the list holds up to three values on each side of the cut
            out.append(f"    singular values near the cut (rank {lv['rank_by_svd']} by SVD): "
                       + " ".join(f"{v:.1e}" for v in sv[:cut]) + " | "
                       + (" ".join(f"{v:.1e}" for v in sv[cut:]) or "(none dropped)"))
        if lv.get("kept"):
            more = len(lv["kept"]) - SHOWN_NAMES + lv.get("kept_more", 0)
            out.append("    kept: " + ", ".join(lv["kept"][:SHOWN_NAMES]) + (f" ... ({more} more)" if more > 0 else ""))
        if "stopped" in lv:
            out.append(f"  stopped: {lv['stopped']}")
    if r.get("generators"):
        legend = list(r["generators"].items())
        out.append("    where " + "; ".join(f"{k} = {v}" for k, v in legend[:SHOWN_NAMES])
                   + (f"; ... ({len(legend) - SHOWN_NAMES} more in --json)" if len(legend) > SHOWN_NAMES else ""))
    by_tol = ", ".join(f"{t}: {k}" for t, k in ev["ranks_by_tolerance"].items())
    gap = f"{ev['gap']:.1e}" if ev["gap"] is not None else "none (no singular value dropped or none kept)"
    out.append(f"  trace rank {r['rank']} (singular values of the unit-normalised values; rank by relative tolerance "
               f"{by_tol}); status {ev['status']}; gap s_r/s_(r+1) = {gap}")
    if "ranks_per_point" in r:
        ranks = ", ".join(map(str, r["ranks_per_point"]))
        out.append(f"  ranks at the {len(r['ranks_per_point'])} points: {ranks} "
                   + ("(they agree)" if r["points_agree"] else "(they DIFFER: the count is not reliable)"))
    if "laws" in r:
        out.append(f"  independent conservation laws: D - rank = {r['D']} - {r['rank']} = {r['laws']}")
    else:
        out.append(f"  independent conservation laws: at most D - rank = {r['D']} - {r['rank']} = {r['laws_at_most']} "
                   "(an upper bound, not a count: the growth was stopped)")
    c = r.get("certified_rank")
    if c:
        where = f"{c['point']}; {c['evidence']}" + (f", certificate {c['certificate']}" if c["certificate"] else "")
        if c["proven"]:
            out.append(f"  rank certified: dim Lie(model)(theta_0) >= {c['rank_at_least']} at a {where} (ball "
                       f"arithmetic, {c['precision_bits']} bits; the proof took {c['seconds']:.2f} s): at most "
                       f"{c['laws_at_most']} laws, proven")
        else:
            out.append(f"  rank certified only >= {c['rank_at_least']} at a {where}, below the numerical rank "
                       f"{c['numerical_rank']}: at most {c['laws_at_most']} laws; the numerical rank is not proven")
    out += [f"  note: {note}" for note in r["notes"]]
    out.append(f"  time {r['seconds']:.3f} s")
    return _text(out)


def module_count_text(r: ModuleCountReport, source: str) -> str:
    """The numerical count of a user's ``nn.Module`` (``conslaw count --module``); ``source``: where the model came
    from (``PKG.MOD:FACTORY``)."""
    ev = r["evidence"]
    out = [f"{r['model']} ({source}), {r['inputs']} inputs, loss {r['loss']} (numerical: torch {r['torch']})",
           f"  parameters D = {r['D']}; trace rank {r['rank']} (status {ev['status']}, ranks by tolerance "
           f"{ev['ranks_by_tolerance']}); floating point, so the count is evidence, not a proof"]
    if r["batch_norm"]:
        out.append(f"  batch norm eps for the count: {r['batch_norm_eps']} (the scale laws are exact only at eps = 0)")
    out.append(f"  laws find_laws found: {r['found']} ({r['found_independent']} independent; model read by "
               f"{r['traced_by'] or 'declared groups'})")
    if r.get("recount_inputs"):
        on_these = r["laws_on_these_inputs"]
        out.append(f"  laws on these {r['inputs']} inputs: {'unknown (a bound only)' if on_these is None else on_these}; "
                   f"recounted on {r['recount_inputs']} inputs (a second batch added): "
                   + ("laws of these inputs only unknown (a count is a bound)" if r["laws_of_inputs"] is None else
                      f"{r['laws_of_inputs']} of them are laws of these inputs only, reported apart"))
    if r.get("laws_of_this_point"):
        out.append(f"  laws of this theta: {r['laws_of_this_point']} beyond the laws found (coordinates no field moves "
                   "at theta, e.g. of a unit inactive on every input; symmetries of the region around theta, e.g. the "
                   "mixings of units active on every input)")
    out.append(f"  {r['status']}: {r['verdict']}")
    out += [f"  warning: {item}" for item in r.get("warnings", [])]
    out += [f"  refuted: {item}" for item in r["refuted"]]
    if r["missed_in"]:
        out.append("  the missed laws involve: " + ", ".join(f"{k} ({v:g})" for k, v in r["missed_in"].items()))
    out += [f"  not analysed: {item}" for item in r["not_analysed"]]
    out += [f"  region search: {item}" for item in r.get("region_search", {}).get("notes", [])]
    out.append(f"  time {r['seconds']:.3f} s")
    return _text(out)


def sign_flow_text(r: SignFlowReport, description: str, seed: int) -> str:
    """The sign (simplified Adam) flow's laws near θ_0 (``conslaw count … --flow sign``)."""
    out = [f"{description}, sign flow theta' = -sign(grad L) (simplified Adam, Appendix R)",
           f"  parameters D = {r['D']}; point: seeded random rational theta_0 (seed {seed})",
           f"  sign vectors sign(dphi(theta_0)^T w): {r['patterns']} distinct from {r['w_samples']} seeded integer w, "
           f"exact rank {r['rank']} (near theta_0 they are constant fields: every bracket vanishes)",
           f"  conservation laws near theta_0: {'' if r['exact'] else 'at most '}D - rank = {r['D']} - {r['rank']} = "
           f"{r['laws']} ({r['count_kind']})"]
    if r["laws_text"] and not r["exact"]:
        out.append("  candidate laws, orthogonal to the sampled sign vectors only (not proven):")
    for text, held in zip(r["laws_text"], r["laws_hold_in_other_orthants"]):
        where = "also in the other orthants checked" if held else "in theta_0's orthant only (linear there)"
        out.append(f"    {text}    [{where}]")
    return _text(out)


def momentum_text(r: FlowCountReport, description: str, seed: int, n_points: int) -> str:
    """The heavy-ball flow's laws on phase space, beside the gradient flow's (``--flow momentum``)."""
    out = [f"{description}, momentum flow theta'' + theta' = -grad L (Keep the Momentum)",
           f"  phase space (s = e^t, theta, v = theta'): {r['phase_space_dim']} = 2 x {r['D']} + 1 coordinates; "
           f"{n_points} seeded random rational points (seed {seed})",
           f"  trace rank of Lie(V_0, W_1..W_d), exact over QQ at each point: {r['ranks_per_point']}",
           f"  conservation laws h(t, theta, v): {r['phase_space_dim']} - {r['rank']} = {r['laws']}"
           f"{proof_phrase(r, 3, 'all of phase space')}",
           f"  gradient flow, same architecture: {r['gradient_flow_laws']} laws"]
    out += [f"    {text}" for text in r["laws_text"]]
    return _text(out)


def mirror_text(r: FlowCountReport, description: str, seed: int, n_points: int, flow: str, icnn: bool) -> str:
    """The entropic mirror flow's laws, or its momentum version's (``flow``: "mirror" or "mirror-momentum"), beside
    the Euclidean gradient flow's; ``icnn``: the metric acts on the weights after the first layer only."""
    where = "the weights after the first layer (ICNN), Euclidean on the others" if icnn else "every parameter"
    if flow == "mirror":
        out = [f"{description}, mirror flow theta' = -K(theta) grad L (Keep the Momentum): entropic metric "
               f"K = diag(theta) on {where} (those > 0)"]
        what = "conservation laws h(theta)"
    else:
        out = [f"{description}, mirror flow with momentum p' + p = -grad L, theta' = K(theta) p (Keep the "
               f"Momentum; (log theta)'' + (log theta)' = -grad L where K = diag(theta)) on phase space "
               f"(s = e^t, theta, p), entropic metric K = diag(theta) on {where}: {r['dim']} = 2 x {r['D']} + 1 "
               "coordinates"]
        what = "conservation laws h(t, theta, p)"
    out.append(f"  {n_points} seeded random positive rational points (seed {seed}); trace rank, exact over "
               f"QQ at each point: {r['ranks_per_point']}")
    out.append(f"  {what}: {r['dim']} - {r['rank']} = {r['laws']}{proof_phrase(r, 2, 'the whole space')}")
    out.append(f"  Euclidean gradient flow, same architecture: {r['gradient_flow_laws']} laws")
    out += [f"    {text}" for text in r["laws_text"]]
    return _text(out)


def data_symmetry_text(r: DataSymmetryReport, certificate_path: Optional[str] = None) -> str:
    """Laws with and without augmentation (``conslaw data-symmetry``)."""
    D, rank, plain = r["D"], r["rank"], r["plain_laws"]
    out = [f"{r['model']}; {r['loss']} loss, invariant labels; seeded random rational point (seed {r['seed']})",
           f"  every data set (no augmentation): {D} - rank = {plain} laws (the model's own)"]
    if r["loss"] == "square":
        out.append(f"  data augmented by the group ({r['group_text']}): {D} - {rank} = {D - rank} laws; "
                   f"{r['verdict']['text']}")
    else:
        extra = "no extra law" if D - rank == plain else f"at most {D - rank - plain} extra laws"
        out.append(f"  data augmented by the group ({r['group_text']}): at most {D} - {rank} = {D - rank} laws "
                   f"(the fields of the Taylor orders {r['orders']}: {r['verdict']['text']}); "
                   f"with the model's own {plain}: {extra}")
    out += [f"    {text}" for text in r["laws"]]
    if certificate_path:
        out.append(f"  certificate written to {certificate_path}")
    return _text(out)


def certify_text(cert: dict, path: str, checked: str) -> str:
    """What ``conslaw certify`` says of the certificate it wrote to ``path``; ``checked``: the audit's phrase."""
    scope = cert["model"]
    model = "" if scope["relation"] == "equal" else f"; for the model itself only a lower bound ({scope['reasons'][0]})"
    checked = checked.replace("verified", "re-read and verified", 1)
    flows = "the given generators" if cert["architecture"].get("name") == "fields" else "the fields grad phi"
    return _text([f"{cert['description']}: {cert['verdict']['text']} of the flows of {flows}{model}; "
                  f"certificate written to {path} ({checked})"])


#: what the laws of a certificate's flow are laws of, after its count
_FLOW_WORDS = {
    "momentum": " h(t, theta, theta') of the heavy-ball flows theta'' + tau theta' = -grad L on phase space",
    "mirror": " of the mirror flows theta' = -K(theta) grad L, K = diag(theta_i) on the parameters named above "
              "(entropic metric, theta > 0)",
    "sign": " near theta_0 of the sign flows theta' = -sign(grad L) (linear there, sum a_i |theta_i|)",
    "data-symmetry": " of the gradient flows on every data set augmented by the group (for a margin loss: of its "
                     "first Taylor orders, an upper bound for the loss itself)",
    "given": " of the flows of the generators stored in the certificate (the user's fields and the gradients of the "
             "user's phi)",
    "mirror-momentum": " h(t, theta, p) of the mirror flows with momentum (log theta)'' + tau (log theta)' = -grad L "
                       "on phase space",
}


def check_text(report: CheckReport) -> str:
    """What ``conslaw check`` prints on stdout: the facts verified and, when the certificate is accepted, what it
    proves (the failures of a rejected one are :func:`rejection_text`'s)."""
    out = [f"  {fact}" for fact in report.facts]
    if report.ok and report.flow == "model":  # a ball-arithmetic rank certificate: a lower bound, not a count
        out.append(f"certificate verified: dim Lie(model)(theta) >= {report.verdict['rank']} at the stated rational "
                   "point (the model's own fields and brackets; a nonzero minor in ball arithmetic)")
    elif report.ok:
        v = report.verdict
        what = f"exactly {v['laws']} independent laws" if v["status"] == "proven" else \
            (f"count bounded between {v['lower']} and {v['upper']}" if "lower" in v else f"at most {v['upper']} laws")
        what += _FLOW_WORDS.get(report.flow, " of the gradient flows of the generators grad phi_k (the model may "
                                             "have more where the notes say so)")
        out.append(f"certificate verified: {what}")
    return _text(out) if out else ""


def rejection_text(report: CheckReport) -> str:
    """The failures of a rejected certificate, one line each (``conslaw check`` prints them on stderr)."""
    return _text([f"REJECTED: {failure}" for failure in report.failures])


def verify_entry_text(entry: dict) -> str:
    """One result of ``conslaw verify`` as it finishes: id, status, time, method; its instances' verdicts; the
    counterexamples."""
    shown = ", ".join(f"{r['instance']}: {r['verdict']}" for r in entry["instances"]) or entry.get("reason", "")
    out = [f"{entry['id']:24s} {entry['status']:18s} {entry.get('seconds', 0):6.2f} s  {entry['method']}",
           f"{'':24s} {shown}"]
    out += [f"{'':24s} counterexample on {r['instance']}: {json.dumps(r['counterexample'])}"
            for r in entry["instances"] if "counterexample" in r]
    return _text(out)


def verify_summary_text(report: dict, grid: str, seed: int, wall: float, where: str) -> str:
    """The closing lines of ``conslaw verify``: whether every checkable result holds, and the times (``where``:
    in this process, or on how many Dask workers)."""
    summed = sum(e.get("seconds", 0) for e in report["results"])
    return _text([f"grid {grid}, seed {seed} (seeded random rational points): "
                  + ("every checkable result holds" if report["all_hold"] else "NOT every checkable result holds"),
                  f"times: {wall:.1f} s wall; the results' times above are their instances' own computations, "
                  f"{summed:.1f} s in all ({where}; auditing the certificates and writing the reports are not in "
                  "them)"])


__all__ = ["certify_text", "check_text", "count_text", "data_symmetry_text", "mirror_text", "module_count_text",
           "momentum_text", "numeric_count_text", "rejection_text", "resnet_count_text", "sign_flow_text",
           "verify_entry_text", "verify_summary_text"]
