"""Check kind ``laws_hold`` (Prop. 2.3): the literature's laws are conserved, as polynomial identities, and a
perturbed function is not."""
from __future__ import annotations

from sympy import QQ

from conslaw.algebra import PolynomialVectorField, lie_trace, violations
from conslaw.algebra.points import format_point

from ...report.latex import law_lines
from ..schema import Instance, Result, Verdict


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
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"law": arch.law_labels[i], "generator": k, "bracket": str(poly)}
    elif off_trace is not None:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = off_trace
    elif not caught:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"perturbed": str(perturbed), "note": "a non-law passed the test"}
    else:
        record["verdict"] = Verdict.HOLDS
    return record
