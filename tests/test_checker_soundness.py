"""The checker is sound: no edit of a genuine certificate makes it accept a false count or a false claim.

Issue "The kernel in the loop", item 1: a genuine certificate with one extra parameter ``zz`` appended (its
coordinate appended to the point, the "law" ``zz`` appended to the laws, the verdict raised by one) used to be
accepted with exit 0; so were counts written ``2.0``, ranks ``12.0``, signs ``true``, duplicate JSON keys, a wrong
model relation, a description of another network, and a mirror summary that did not say which parameters carry
the entropic metric.
"""
from __future__ import annotations

import copy
import io
import json

import pytest

from conslaw.algebra import build_architecture
from conslaw.algebra.metric_flows import icnn_positive
from conslaw.verification.checker import check_certificate
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import (
    build_certificate,
    build_mirror_certificate,
    build_momentum_certificate,
)
from conslaw.verification.proofs.sign_flow import sign_flow_certificate


def _relu_bias():
    return build_certificate(build_architecture("relu", [3, 2, 3], bias=True))


def _attention():
    return build_certificate(build_architecture("attention", d=2, dk=1, dv=1))


def _conv():
    return build_certificate(build_architecture("conv", channels=[1, 2, 1], length=3, filters=[2, 1], strides=[1, 1]))


def _icnn():
    arch = build_architecture("relu", [2, 2, 1], bias=True)
    return build_mirror_certificate(arch, positive=icnn_positive(arch))


GENUINE = {
    "relu-bias": _relu_bias,
    "linear": lambda: build_certificate(build_architecture("linear", [2, 2, 2])),
    "attention": _attention,
    "conv": _conv,
    "mirror": lambda: build_mirror_certificate(build_architecture("linear", [2, 2, 1])),
    "mirror-icnn": _icnn,
    "momentum": lambda: build_momentum_certificate(build_architecture("linear", [1, 1, 1]), degree=2),
}


@pytest.fixture(scope="module", params=sorted(GENUINE))
def genuine(request):
    return request.param, json.loads(json.dumps(GENUINE[request.param]()))


def _cli(tmp_path, doc=None, raw: str | None = None) -> tuple[int, str]:
    path = tmp_path / "cert.json"
    path.write_text(raw if raw is not None else json.dumps(doc))
    out = io.StringIO()
    return run(["check", str(path)], out=out), out.getvalue()


def _with_free_parameter(cert: dict) -> dict:
    """The attack: an unused parameter zz, its "law" zz, and a verdict one law higher."""
    doc = copy.deepcopy(cert)
    D = len(doc["parameters"])
    doc["parameters"].append("zz")
    doc["point"].append("1")
    doc["D"] = D + 1
    doc["laws"].append({"terms": [["1", [[D, 1]]]], "text": "zz"})
    v = doc["verdict"]
    if v["status"] == "proven":
        v["laws"] += 1
        v["text"] = v["text"].replace(f"{v['laws'] - 1} independent", f"{v['laws']} independent")
    return doc


def test_genuine_certificates_pass(genuine, tmp_path):
    name, cert = genuine
    code, text = _cli(tmp_path, cert)
    assert code == 0, (name, text)


def test_an_extra_parameter_is_refused(genuine, tmp_path, capsys):
    name, cert = genuine
    code, text = _cli(tmp_path, _with_free_parameter(cert))
    err = capsys.readouterr().err
    assert code == 2, (name, text, err)
    assert "not those of the architecture" in err and "zz" in err


def test_parameters_out_of_order_are_refused(tmp_path, capsys):
    cert = json.loads(json.dumps(_relu_bias()))
    cert["parameters"][0], cert["parameters"][1] = cert["parameters"][1], cert["parameters"][0]
    code, _ = _cli(tmp_path, cert)
    assert code == 2 and "the order differs" in capsys.readouterr().err


def test_sign_flow_extra_parameter_is_refused(tmp_path, capsys):
    arch = build_architecture("relu", [2, 2, 1])
    cert = json.loads(json.dumps(sign_flow_certificate(arch, 0)))
    assert _cli(tmp_path, cert)[0] == 0
    doc = copy.deepcopy(cert)
    doc["parameters"].append("zz")
    doc["point"].append("1")
    for p in doc["patterns"]:
        p.append(0)
    doc["laws"].append({"coefficients": ["0"] * (len(doc["parameters"]) - 1) + ["1"]})
    code, _ = _cli(tmp_path, doc)
    assert code == 2 and "not those of the architecture" in capsys.readouterr().err


@pytest.mark.parametrize("edit, fragment", [
    (lambda c: c["verdict"].__setitem__("laws", float(c["verdict"]["laws"])), "must be an integer"),
    (lambda c: c["rank_witness"].__setitem__("rank", float(c["rank_witness"]["rank"])), "must be an integer"),
    (lambda c: c["verdict"].__setitem__("laws", True), "must be an integer"),
    (lambda c: c.__setitem__("D", float(c["D"])), "\"D\""),
    (lambda c: c["verdict"].__setitem__("status", "proven!"), "status"),
])
def test_numbers_of_the_wrong_type_are_malformed(tmp_path, capsys, edit, fragment):
    cert = json.loads(json.dumps(_relu_bias()))
    edit(cert)
    code, _ = _cli(tmp_path, cert)
    assert code == 2 and fragment in capsys.readouterr().err


def test_a_sign_true_is_malformed(tmp_path, capsys):
    cert = json.loads(json.dumps(sign_flow_certificate(build_architecture("relu", [2, 2, 1]), 0)))
    j = next(i for i, s in enumerate(cert["patterns"][0]) if s == 1)
    cert["patterns"][0][j] = True
    code, _ = _cli(tmp_path, cert)
    assert code == 2 and "a sign is -1, 0 or 1" in capsys.readouterr().err


def test_a_duplicate_key_is_malformed(tmp_path, capsys):
    text = json.dumps(_relu_bias())
    raw = text.replace('"verdict": {', '"verdict": {"laws": 3, ', 1)
    code, _ = _cli(tmp_path, raw=raw)
    assert code == 2 and "appears twice" in capsys.readouterr().err


def test_model_relation_is_checked_against_the_architecture(tmp_path, capsys):
    one_token = json.loads(json.dumps(build_certificate(build_architecture("attention", d=2, dk=1, dv=1, tokens=1))))
    assert one_token["model"]["relation"] == "lower bound"
    assert _cli(tmp_path, one_token)[0] == 0
    lied = copy.deepcopy(one_token)
    lied["model"] = {"relation": "equal", "reasons": []}
    assert _cli(tmp_path, lied)[0] == 1
    assert "does not follow from the architecture" in capsys.readouterr().err
    cert = json.loads(json.dumps(_relu_bias()))
    cert["model"] = {"relation": "lower bound", "reasons": ["made up"]}
    assert _cli(tmp_path, cert)[0] == 1


@pytest.mark.parametrize("description", [
    "2-layer ReLU network with widths (3, 2, 4) and biases",
    "2-layer ReLU network with widths (3, 2, 3)",
    "2-layer linear network with widths (3, 2, 3) and biases",
    "residual block x + g(x) around the 2-layer ReLU network with widths (3, 2, 3) and biases",
])
def test_a_description_of_another_network_is_rejected(tmp_path, capsys, description):
    cert = json.loads(json.dumps(_relu_bias()))
    cert["description"] = description
    assert _cli(tmp_path, cert)[0] == 1
    assert "does not describe the architecture" in capsys.readouterr().err


def test_the_mirror_summary_names_the_entropic_parameters(tmp_path):
    cert = json.loads(json.dumps(_icnn()))
    report = check_certificate(cert)
    assert report.ok
    positive = [cert["parameters"][i] for i in cert["flow"]["positive"]]
    line = next(f for f in report.facts if "entropic metric" in f)
    assert all(name in line for name in positive)
    others = [n for i, n in enumerate(cert["parameters"]) if i not in cert["flow"]["positive"]]
    assert not any(f"{n}," in line or line.endswith(n) for n in others)
    assert "Euclidean on the others" in line
    everything = check_certificate(json.loads(json.dumps(build_mirror_certificate(build_architecture("linear", [2, 2, 1])))))
    assert any("entropic metric on all 6 parameters" in f for f in everything.facts)
