"""Check kind ``intrinsic`` (Marcotte, Peyré, Gribonval 2025): the kernel-inclusion criterion at generic and
balanced points."""
from __future__ import annotations

import random

from conslaw.algebra import (
    polynomial_laws,
)
from conslaw.algebra.points import format_point, random_rational_point

from ..schema import Instance, Result, Verdict
from .common import certificate_name


def check_intrinsic(result: Result, inst: Instance, seed: int) -> dict:
    """The intrinsic-dynamics criterion ker[∂φ; ∂h] ⊂ ker ∂M (:mod:`conslaw.algebra.intrinsic`) at each kind of
    point ``result.formula`` names (generic, balanced, relaxed balanced), exactly, against where it must hold."""
    from conslaw.algebra.intrinsic import balanced_linear_point, kernel_inclusion

    from ...proofs.certificate import build_intrinsic_certificate, certificate_text

    arch = inst.build()
    laws = polynomial_laws(arch.generators(), 2).laws
    expected = result.formula(inst)
    points = {"generic": random_rational_point(arch.dim, random.Random(seed))}
    if "balanced" in expected:
        points["balanced"] = balanced_linear_point(inst.widths, False, seed)
    if "relaxed balanced" in expected:
        points["relaxed balanced"] = balanced_linear_point(inst.widths, True, seed)
    record = {"instance": inst.label, "D": arch.dim, "laws": len(laws), "points": {}, "_certificates": []}
    wrong = []
    for kind, point in points.items():
        r = kernel_inclusion(arch, point, laws)
        cert = build_intrinsic_certificate(arch, point, seed=seed, inclusion=r)
        name = certificate_name(result.id, inst).replace(".json", f"__{kind.replace(' ', '-')}.json")
        record["_certificates"].append((name, certificate_text(cert)))
        must, argument = expected[kind]
        record["points"][kind] = {"criterion": "holds" if r["holds"] else "fails", "expected": "holds" if must else
                                  "fails", "kernel_dim": r["kernel_dim"], "argument": argument}
        if r["holds"] != must:
            wrong.append({"point kind": kind, "point": format_point(point), **r})
    record["verdict"] = Verdict.FAILS if wrong else "holds"
    if wrong:
        record["counterexample"] = wrong[0]
    return record
