"""Generators written by the user (``conslaw certify --fields FILE``): nothing to rebuild — the claim is about
the stored φ and fields themselves — so the checker reads them from the certificate with its bounded readers,
prices the work from their sizes, and forms V = {∇φ_k} then the fields, in the order the witness trees number them."""
from __future__ import annotations

from typing import Any

import sympy

from .exact import _gradient
from .laws import _law_polys
from .reading import LIMITS, _expr, _need, _polynomial, _show
from .running import poly_size, price_claims

GIVEN = "fields"


def given_generators(cert: dict, names: list[str], symbols: list, version: int, fails: list[str],
                     facts: list[str]) -> list[sympy.Matrix]:
    """The generators of a fields certificate: ∇ of each stored φ component, then each stored field (D
    components), after the work of checking the laws and the witness against them is priced."""
    spec, gens_spec = cert["architecture"], cert["generators"]
    _need(set(spec) <= {"name", "source"} and isinstance(spec.get("source", ""), str),
          f"\"architecture\" of user-given fields holds a name and a source only, got {_show(spec)}")
    stored = gens_spec.get("fields", [])
    _need(isinstance(stored, list) and len(stored) + len(gens_spec["phi"]) <= LIMITS.max_phi,
          f"\"generators\" must hold a list \"fields\"; at most {LIMITS.max_phi} generators in all")
    _need(gens_spec["phi"] or stored, "no generators: neither phi nor fields are stored")
    phi = [_polynomial(p, f"phi component {k}", version, names, fails) for k, p in enumerate(gens_spec["phi"])]
    fields: list[list[dict]] = []
    for k, comps in enumerate(stored):
        _need(isinstance(comps, list) and len(comps) == len(names), f"field {k} must have {len(names)} components")
        fields.append([_polynomial(c, f"field {k} component {i}", version, names, fails) for i, c in enumerate(comps)])
    law_polys = [_law_polys(h, i, version, names, fails) for i, h in enumerate(cert["laws"])]
    generator_terms = [poly_size(p).terms * max(poly_size(p).degree, 1) for p in phi]
    generator_terms += [sum(poly_size(c).terms * max(poly_size(c).degree, 1) for c in comps) for comps in fields]
    price_claims(law_polys, generator_terms, cert["rank_witness"]["brackets"], len(names))
    gens = [sympy.Matrix(_gradient(_expr(p, symbols), symbols)) for p in phi]
    gens += [sympy.Matrix([_expr(c, symbols) for c in comps]) for comps in fields]
    facts.append(f"generators read from the certificate as given by the user ({len(phi)} gradients of phi, "
                 f"{len(fields)} fields from {_show(spec.get('source', 'an unnamed source'))}): the claims are about "
                 "these fields; there is no architecture to rebuild")
    return gens


def is_given(spec: Any) -> bool:
    return isinstance(spec, dict) and spec.get("name") == GIVEN


__all__ = ["GIVEN", "given_generators", "is_given"]
