"""Check kind ``projection`` (Prop. 4.3): the laws of a parameter subset characterised two ways."""
from __future__ import annotations

from sympy import QQ

from conslaw.algebra import (
    exact_rank,
    polynomial_laws,
    violations,
    working_points,
)
from conslaw.algebra.activation_regions import activation_regions, region_generators
from conslaw.algebra.deep import residual_mlp, restrict_to_subset
from conslaw.algebra.points import format_point

from ...proofs.resnet import subset_names
from ...report.latex import law_lines
from ..schema import Instance, Result, Verdict


def _resnet(inst: Instance):
    o = dict(inst.options)
    return residual_mlp(o["dim"], list(o["hidden"]), inst.bias, o.get("classes", 0)), o


def _embed(poly, sub_space, space):
    """A polynomial of the subset's ring as one of the whole network's ring."""
    index = [space.index(n) for n in sub_space.names]
    terms = {}
    for monom, c in poly.terms():
        exps = [0] * space.dim
        for k, e in enumerate(monom):
            exps[index[k]] = e
        terms[tuple(exps)] = c
    return space.ring.from_dict(terms)


def check_projection(result: Result, inst: Instance, seed: int) -> dict:
    """Prop. 4.3 on a residual ReLU network at a seeded rational θ_0 (every activation region, exactly): a function
    of the subset θ_T is a law iff ∇h ⊥ every Y_β, where X_T = Σ_β θ_rest^β Y_β(θ_T) (the fields restricted to T).

    Two code paths for the degree-2 laws depending only on θ_T: (a) the laws of the fields Y_β (the proposition's
    side) and (b) the laws of the whole network's fields, intersected with the polynomials in θ_T alone.  The
    proposition says the spaces are equal: (a)'s laws are verified conserved by the whole network's fields, and
    the dimensions agree.  A function of θ_T that is not ⊥ the Y_β (a coordinate of θ_T) must not be conserved."""
    net, o = _resnet(inst)
    point = working_points(net.space.dim, seed, 1)[0]
    fields = region_generators(net, activation_regions(net, point).regions)
    names = subset_names(net, o["subset"])[1]
    sub_space, sub_fields = restrict_to_subset(fields, names)
    side_a = polynomial_laws(sub_fields, 2).laws
    embedded = [_embed(h, sub_space, net.space) for h in side_a]
    full = polynomial_laws(fields, 2).laws
    inside = {net.space.index(n) for n in names}
    outside_monomials = sorted({m for h in full for m in h.monoms() if any(e for k, e in enumerate(m) if k not in inside)})
    rows = [[dict(h.terms()).get(m, QQ(0)) for m in outside_monomials] for h in full]
    side_b = len(full) - (exact_rank(rows) if outside_monomials else 0)
    bad = violations(embedded, fields)
    probe = net.space.var(names[0])
    probe_conserved = not violations([probe], fields)
    probe_orthogonal = not violations([sub_space.var(names[0])], sub_fields)
    record = {"instance": inst.label, "D": net.space.dim, "subset_size": len(names), "point": format_point(point),
              "laws_from_restricted_fields": len(side_a), "laws_of_the_network_in_the_subset": side_b,
              "laws_latex": law_lines(embedded, net.space)}
    if bad:
        i, k, poly = bad[0]
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"law": str(side_a[i].as_expr()), "field": k, "bracket": str(poly)}
    elif side_b != len(side_a):
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"laws from the restricted fields": len(side_a),
                                    "laws of the whole network depending only on the subset": side_b}
    elif probe_conserved != probe_orthogonal:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"function": names[0], "conserved": probe_conserved,
                                    "orthogonal to the restricted fields": probe_orthogonal}
    else:
        record["verdict"] = Verdict.HOLDS
    return record
