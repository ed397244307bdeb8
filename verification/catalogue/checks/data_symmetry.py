"""Check kind ``data_symmetry`` (Galley et al.): C3 augmentation's extra laws, none with the logistic loss."""
from __future__ import annotations

from sympy import QQ

from conslaw.algebra import (
    gradient_rank,
    lie_trace,
    polynomial_laws,
)

from ..schema import Instance, Result, Verdict
from ..verdicts import judge_count
from .common import certificate_name


def check_data_symmetry(result: Result, inst: Instance, seed: int) -> dict:
    """Galley et al. on an instance (:mod:`conslaw.algebra.data_symmetry`), certified
    (:func:`certificate.build_data_symmetry_certificate`, re-checkable by ``conslaw check``).
    ``…-square``: the square-loss count with augmentation, proven by the witness rank and the laws (for C3 the
    hand-derived rational ones; for one field, the flow-box theorem), against the formula; the count without
    augmentation beside it (for C3 it must be 0).
    ``gsf26:logistic-no-extra-law``: the count of the logistic loss's Taylor-order fields (an upper bound, proven for
    those fields) against the model's own count for all data (a lower bound): no extra law when they are equal."""
    from conslaw.algebra.data_symmetry import augmented_fields, build_augmented_model

    from ...proofs.certificate import build_data_symmetry_certificate, certificate_text

    options = dict(inst.options)
    model = build_augmented_model(inst.arch, **options)
    D = model.theta.dim
    loss = "square" if result.id.endswith("-square") else "logistic"
    cert = build_data_symmetry_certificate(inst.arch, options, loss=loss, seed=seed)
    verdict, rank = cert["verdict"], cert["rank_witness"]["rank"]
    point = [QQ(c) for c in cert["point"]]
    plain_fields = augmented_fields(model, "square", augmented=False)  # every data set: the model's own laws
    plain = D - lie_trace(plain_fields, points=[point]).rank
    plain_found = gradient_rank(model.theta, polynomial_laws(plain_fields, 2).laws, point) if plain else 0
    expected = result.formula(inst)
    record = {"instance": inst.label, "model": model.name, "D": D, "group_order": model.group_label, "loss": loss,
              "rank": rank, "laws": D - rank, "laws_verified": len(cert["laws"]), "plain_laws": plain,
              "expected": expected.laws, "argument": expected.argument, "in_hypotheses": expected.in_hypotheses,
              "laws_text": [law.get("text") or f"({law['numerator']['text']}) / ({law['denominator']['text']})"
                            for law in cert["laws"]][:12],
              "_certificate": (certificate_name(result.id, inst), certificate_text(cert))}
    if loss == "square":
        judge_count(record, verdict, expected, {"point": cert["point"], "rank": rank, "D": D})
        if record["verdict"] == "holds" and inst.arch == "c3-linear" and plain != 0:  # Wx: no law for all data
            record["verdict"] = Verdict.FAILS
            record["counterexample"] = {"note": "laws without augmentation", "plain_laws": plain}
        return record
    record["extra_laws_at_most"] = (D - rank) - plain
    # the Taylor-order fields only bound the logistic laws from above: "no extra law" is proven when that bound
    # meets the model's own (proven) count; a gap leaves only "at most" that many extra laws
    met = plain_found == plain and verdict["status"] == "proven" and D - rank == plain
    extra = ({"status": "proven", "laws": 0} if met else
             {"status": "bounded", "text": f"at most {(D - rank) - plain} extra laws (upper bound only)"})
    return judge_count(record, extra, expected, {"point": cert["point"], "upper": D - rank, "plain": plain})
