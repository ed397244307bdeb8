"""Check kind ``resnet_subset`` (Theorems 4.6–4.7, Section 4.4): the laws of a parameter subset of a deep
ResNet, certified where the rank reaches a count."""
from __future__ import annotations

from ..schema import Instance, Result, Verdict


def check_resnet_subset(result: Result, inst: Instance, seed: int) -> dict:
    """Laws depending only on a subset of a residual ReLU network's parameters (deep_report.count_resnet: every
    activation region at θ_0 enumerated exactly), against the result's formula of the instance and the report
    (Theorem 4.6: block l, r_l; 4.7: straddle, 0; Section 4.4: all, Σ r_l)."""
    from ...proofs.resnet import count_resnet

    o = dict(inst.options)
    report = count_resnet(o["dim"], list(o["hidden"]), subset=o["subset"], seed=seed, bias=inst.bias)
    expected = result.formula(inst, report)
    verdict = report["verdict"]
    record = {"instance": inst.label, "D": report["D"], "subset_size": report["subset_size"], "rank": report["rank"],
              "regions": report.get("activation_patterns"), "expected": expected.laws, "argument": expected.argument,
              "in_hypotheses": expected.in_hypotheses, "certificate_status": verdict["status"]}
    if verdict["status"] != "proven":
        record["verdict"] = Verdict.NOT_PROVEN
        record["evidence"] = verdict["text"]
    elif not expected.in_hypotheses:
        record["verdict"] = Verdict.HYPOTHESIS_FAILS
        record["evidence"] = f"{verdict['text']}; {expected.argument}"
    elif verdict["laws"] == expected.laws:
        record["verdict"] = Verdict.HOLDS
    else:
        record["verdict"] = Verdict.FAILS
        record["counterexample"] = {"point": report["points"][0], "rank": report["rank"],
                                    "subset_size": report["subset_size"], "certified_laws": verdict["laws"],
                                    "claimed": expected.laws}
    return record
