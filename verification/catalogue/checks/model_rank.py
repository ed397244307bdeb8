"""Check kind ``model_rank`` (Theorem 3.8's argument on instances): a model's own fields, softmax included, have
exactly the laws of its φ — attention: φ = (Q_h K_hᵀ, V_h O_hᵀ)_h; the cross-entropy classification layer (Prop.
3.11): φ = the differences of W's rows to its last, the model's fields being the per-sample loss gradients.

Two certificates meet.  φ's count N_φ is certified exactly (:func:`.common._certified`: trace rank over QQ and
laws); every model field is a combination Σ_k c_k(θ) ∇φ_k with smooth coefficients, so dim Lie(model)(θ) ≤
D − N_φ.  The model's rank ≥ D − N_φ is proven at a seeded rational point by a minor of its fields and brackets
whose ball-arithmetic determinant excludes 0 (:mod:`...proofs.ball_rank`), written as a second certificate that
the independent checker recomputes forward (:mod:`...checker.ball`).  Where the two meet the model has exactly
N_φ laws near that point.  A minor that does not exclude 0 (up to the precision limit) leaves the instance
``not proven`` inside the hypotheses; outside them (N = 1, d = 1) it is reported as the hypothesis failing there,
with the proven lower bound — never as a count.
"""
from __future__ import annotations

from ...proofs.ball_rank import ball_certificate_text, ball_model, model_rank_report
from ..schema import Instance, Result, Verdict
from .common import _certified, certificate_name


def check_model_rank(result: Result, inst: Instance, seed: int) -> dict:
    """The claim: the model has exactly the expected number of laws — the result's formula where it has one (the
    per-head count for several heads), else φ's certified count N_φ (Theorem 3.8).  Proven bounds on the model's
    count: at least N_φ (φ's laws are the model's) and at most D − r (r the ball-certified rank); a claim outside
    them fails with the counterexample, a claim they pin exactly holds."""
    arch, cert, record = _certified(result, inst, seed)
    opts = dict(inst.options)
    model = ball_model(inst.arch, inst.widths, inst.bias, **opts)
    expected = result.formula(inst) if result.formula is not None else None
    inside = not model.outside_hypotheses() if expected is None else expected.in_hypotheses
    record.update(model.facts())
    record["in_hypotheses"] = inside
    if cert["verdict"]["status"] != "proven":
        record["verdict"] = Verdict.NOT_PROVEN
        record["evidence"] = f"phi's count is not proven: {cert['verdict']['text']}"
        return record
    phi_laws = cert["verdict"]["laws"]
    claimed = phi_laws if expected is None else expected.laws
    ball = model_rank_report(model, phi_laws=phi_laws, seed=seed)
    name = certificate_name(result.id, inst).removesuffix(".json") + "__model_rank.json"
    record["_certificates"] = [record.pop("_certificate"), (name, ball_certificate_text(ball["certificate"]))]
    at_most = cert["D"] - ball["rank"]
    record.update({"phi_laws": phi_laws, "model_laws_at_least": phi_laws, "model_laws_at_most": at_most,
                   "model_rank_at_least": ball["rank"], "claimed": claimed, "precision_bits": ball["precision"],
                   "determinant": ball["determinant"]})
    if expected is not None:
        record.update({"expected": expected.laws, "argument": expected.argument})
    if not phi_laws <= claimed <= at_most:
        record["verdict"] = Verdict.FAILS if inside else Verdict.DIFFERS_OUTSIDE
        record["counterexample"] = {"point": ball["certificate"]["point"], "D": cert["D"],
                                    "model_rank_at_least": ball["rank"], "model_laws": f"{phi_laws}..{at_most}",
                                    "claimed": claimed}
    elif phi_laws == at_most:
        record["verdict"] = Verdict.HOLDS if inside else Verdict.HOLDS_OUTSIDE
        record["evidence"] = (f"model rank >= {ball['rank']} = D - N_phi (ball arithmetic, {ball['precision']} "
                              f"bits) and <= D - N_phi: exactly the {phi_laws} laws of phi")
    else:
        record["verdict"] = Verdict.NOT_PROVEN if inside else Verdict.HYPOTHESIS_FAILS
        record["evidence"] = (f"the model has between {phi_laws} and {at_most} laws: its rank is proven >= "
                              f"{ball['rank']} only, below D - N_phi = {ball['target']}"
                              + ("" if inside else " (outside the hypotheses: "
                                 + (model.outside_hypotheses() or "see the result's hypotheses") + ")"))
    return record


__all__ = ["check_model_rank"]
