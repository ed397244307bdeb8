"""Laws of a model trained on group-augmented data (Galley et al.), against the model's own, with a certificate
that passes the independent checker before anything of it is reported (:mod:`conslaw.algebra.data_symmetry`)."""
from __future__ import annotations

from typing import Optional, TypedDict

from sympy import QQ

from conslaw.algebra import ConslawError, lie_trace
from conslaw.algebra.data_symmetry import augmented_fields, build_augmented_model

from .audit import audited
from .certificate import build_data_symmetry_certificate, certificate_text


class DataSymmetryReport(TypedDict):
    """What ``conslaw data-symmetry`` reports (its JSON has the same keys but ``rank``, ``group_text`` and
    ``orders``)."""

    model: str
    options: dict
    loss: str
    D: int
    group_order: str
    group_text: str
    plain_laws: int
    rank: int
    orders: Optional[list]
    verdict: dict
    laws: list[str]
    point: list
    seed: int


def data_symmetry_report(model_name: str, options: dict, loss: str = "square",
                         seed: int = 0) -> tuple[DataSymmetryReport, dict]:
    """(the report, its certificate): the laws with augmentation, certified and audited, and without (the model's
    own count at the certificate's point)."""
    model = build_augmented_model(model_name, **options)
    if loss == "logistic" and len(model.outputs) != 1:
        raise ConslawError(f"the logistic loss needs one output; this model has {len(model.outputs)}")
    cert = build_data_symmetry_certificate(model_name, options, loss=loss, seed=seed)
    audited(certificate_text(cert).encode("utf-8"))
    point = [QQ(c) for c in cert["point"]]
    plain = model.theta.dim - lie_trace(augmented_fields(model, "square", augmented=False), points=[point]).rank
    laws = [law.get("text") or f"({law['numerator']['text']}) / ({law['denominator']['text']})" for law in cert["laws"]]
    report: DataSymmetryReport = {
        "model": model.name, "options": options, "loss": loss, "D": cert["D"], "group_order": model.group_label,
        "group_text": model.group_text, "plain_laws": plain, "rank": cert["rank_witness"]["rank"],
        "orders": cert["flow"].get("orders"), "verdict": cert["verdict"], "laws": laws, "point": cert["point"],
        "seed": seed}
    return report, cert


#: the keys of the JSON report, in its order
JSON_KEYS = ("model", "options", "loss", "D", "group_order", "plain_laws", "verdict", "laws", "point", "seed")

__all__ = ["JSON_KEYS", "DataSymmetryReport", "data_symmetry_report"]
