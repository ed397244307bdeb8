"""Statements never overclaim: "the only ones" and "proven" only where the proof covers the model."""
from __future__ import annotations

import io
import json

import pytest

from conslaw.algebra import attention_layer, relu_network
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import build_certificate
from conslaw.verification.report.certificates import render_laws


@pytest.mark.parametrize("d,dk,dv,heads,tokens", [
    (3, 1, 2, 1, 1),   # one token: the softmax is constant
    (1, 1, 1, 1, 2),   # d = 1
    (2, 1, 1, 2, 2),   # several heads: completeness open (Cor. 3.10)
    (2, 3, 1, 1, 2),   # d' > d: outside Corollary 3.9 as stated
])
def test_attention_outside_the_hypotheses_is_a_lower_bound_for_the_model(d, dk, dv, heads, tokens):
    arch = attention_layer(d, dk, dv, heads=heads, tokens=tokens)
    assert not arch.phi_count_is_model_count
    cert = build_certificate(arch)
    assert cert["model"]["relation"] == "lower bound"
    for fmt in ("text", "latex", "markdown"):
        text = render_laws(arch, cert, fmt)
        assert "only ones" not in text and "only one" not in text
        assert "lower bound" in text
    out = io.StringIO()
    assert run(["certify", "attention", "--d", str(d), "--dk", str(dk), "--dv", str(dv), "--heads", str(heads),
                "--tokens", str(tokens), "-o", "/dev/null"], out=out) == 0
    assert "only a lower bound" in out.getvalue()
    out = io.StringIO()
    assert run(["count", "attention", "--d", str(d), "--dk", str(dk), "--dv", str(dv), "--heads", str(heads),
                "--tokens", str(tokens), "--json"], out=out) == 0
    assert json.loads(out.getvalue())["model_count"]["relation"] == "lower bound"


def test_inside_the_hypotheses_the_statement_is_complete():
    for arch in (attention_layer(3, 2, 2), relu_network([3, 2, 3], bias=True)):
        assert arch.phi_count_is_model_count
        assert "they are the only ones" in render_laws(arch, build_certificate(arch), "latex")


def test_one_token_model_has_more_laws_than_phi():
    """(3, 1, 2), N = 1: every entry of Q, K is conserved (2·3·1 = 6) and Y = x V Oᵀ is the linear net
    [3, 2, 3] (2·3/2 = 3 laws, Prop. 3.5): 9 for the model, while phi's count is 4."""
    from conslaw.verification.numeric.counting import count_laws_numerically

    model = count_laws_numerically("attention", d=3, dk=1, dv=2, tokens=1, model=True, inputs=30)
    assert model["laws"] == 6 + 3
    out = io.StringIO()
    assert run(["count", "attention", "--d", "3", "--dk", "1", "--dv", "2", "--tokens", "1", "--json"], out=out) == 0
    assert json.loads(out.getvalue())["laws"] == 1 + 3 < model["laws"]
