"""LaTeX and Markdown output: the papers' notation, a statement sentence, and a document that compiles."""
from __future__ import annotations

import io
import json

import pytest
from typeset import assert_clean, tool, typeset

from conslaw.algebra import ParameterSpace, PolynomialVectorField, linear_network, polynomial_laws, relu_network
from conslaw.verification.cli import run
from conslaw.verification.report.latex import latex_document, law_items, statement_sentence


def render(arch):
    basis = polynomial_laws(arch.generators(), 2)
    return law_items(basis.laws, arch.space)


def test_relu_family_with_biases():
    items = render(relu_network([3, 4, 3], bias=True))
    assert len(items) == 1
    assert items[0].formula == r"\|U^{(1)}_{j,:}\|^2 + (b^{(1)}_{j})^2 - \|U^{(2)}_{:,j}\|^2"
    assert items[0].condition == r"j = 1, \dots, 4"
    assert items[0].count == 4


def test_linear_gram_entries():
    items = render(linear_network([2, 3, 2]))
    assert len(items) == 1
    assert items[0].formula == r"\left(U^{(1)} U^{(1)\top} - U^{(2)\top} U^{(2)}\right)_{i,j}"
    assert items[0].condition == r"1 \le i \le j \le 3"


def test_deep_relu_one_family_per_hidden_layer():
    items = render(relu_network([2, 3, 2, 2]))
    assert [it.count for it in items] == [3, 2]
    assert r"\|U^{(2)}_{j,:}\|^2 - \|U^{(3)}_{:,j}\|^2" == items[1].formula


def test_conv_attention_softmax_notation():
    from conslaw.algebra import attention_layer, conv_relu_block, softmax_layer

    conv = render(conv_relu_block([2, 3, 2], 4, [2, 2]))
    assert [(it.formula, it.condition) for it in conv] == [
        (r"\|U^{(1)}_{j,:,:}\|^2 - \|U^{(2)}_{:,j,:}\|^2", r"j = 1, \dots, 3")]
    att = render(attention_layer(3, 2, 2))
    assert [it.formula for it in att] == [
        r"\left(Q^{(1)\top} Q^{(1)} - K^{(1)\top} K^{(1)}\right)_{i,j}",
        r"\left(V^{(1)\top} V^{(1)} - O^{(1)\top} O^{(1)}\right)_{i,j}",
    ]
    soft = render(softmax_layer(3, 4))
    assert (soft[0].formula, soft[0].condition) == (r"\sum_{k} W_{k,j}", r"j = 1, \dots, 3")


def test_unrecognised_law_falls_back_to_the_polynomial():
    S = ParameterSpace(["x", "y", "z"])
    x, y, z = S.symbols
    X = PolynomialVectorField(S, [y, -x, 0])  # rotation: conserves x² + y² and z
    items = law_items(polynomial_laws([X], 2).laws, S)
    formulas = [it.formula for it in items]
    assert "x^{2} + y^{2}" in formulas and "z" in formulas


def test_statement_sentence():
    items = render(relu_network([3, 2, 3], bias=True))
    text = statement_sentence("2-layer ReLU network with widths (3, 2, 3) and biases", items,
                              {"status": "proven", "laws": 2})
    assert text.startswith("For the 2-layer ReLU network with widths (3, 2, 3) and biases, the functions")
    assert text.endswith("are conserved by the gradient flow; they are the only ones: there are exactly 2 independent laws.")
    bounded = statement_sentence("net", items, {"status": "bounded", "lower": 1, "upper": 2})
    assert "between 1 and 2" in bounded and "only ones" not in bounded


def test_cli_formats():
    for fmt, needle in [("latex", r"\|U^{(1)}_{j,:}\|^2"), ("markdown", "$$"), ("text", "b1[0]**2")]:
        out = io.StringIO()
        assert run(["laws", "relu", "3", "2", "3", "--bias", "--format", fmt], out=out) == 0
        assert needle in out.getvalue()
    out = io.StringIO()
    assert run(["laws", "linear", "2", "3", "2", "--format", "json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["verdict"]["laws"] == 6 and len(data["laws"]) == 6


def _pdflatex():
    return tool("pdflatex")


@pytest.mark.parametrize("args", [
    ["relu", "3", "2", "3", "--bias"], ["linear", "2", "3", "2"], ["linear", "1", "2", "2", "1"], ["relu", "2", "3", "2", "2"],
    ["conv", "--channels", "2", "2", "1", "--length", "3", "--filters", "2", "1"],
    ["attention", "--d", "2", "--dk", "1", "--dv", "2", "--heads", "2"], ["softmax", "2", "3", "--bias"],
    ["attention", "--d", "1", "--dk", "1", "--dv", "1"],
    ["resnet", "--dim", "2", "--hidden", "2", "2", "--classes", "3", "--subset", "head", "--seed", "1"],
    ["resnet", "--dim", "1", "--hidden", "1", "1"],
])
def test_latex_compiles(tmp_path, args):
    """``conslaw laws … --format latex --standalone`` typesets cleanly: no unset character, no overfull line,
    the sentence and the laws in the PDF's text."""
    tex = tmp_path / "laws.tex"
    assert run(["laws", *args, "--format", "latex", "--standalone", "-o", str(tex)], out=io.StringIO()) == 0
    text, overfull = typeset(tex)
    assert_clean(text, overfull)
    assert (tmp_path / "laws.pdf").stat().st_size > 1000
    assert "conserved by the gradient flow" in " ".join(text.split())


def test_long_law_breaks_across_lines(tmp_path):
    """A law printed as an explicit polynomial of many terms wraps at its + and − instead of running off the
    page (one law per line, each an inline formula)."""
    S = ParameterSpace([f"x{i}" for i in range(40)])
    law = sum(((i + 1) * S.gens[i] * S.gens[i + 1] for i in range(39)), S.ring.zero)
    items = law_items([law], S)
    body = statement_sentence("test space", items, {"status": "bounded", "lower": 1, "upper": 2})
    (tmp_path / "long.tex").write_text(latex_document(body))
    text, overfull = typeset(tmp_path / "long.tex")
    assert_clean(text, overfull)
    assert text.count("+") >= 30


def test_document_wrapper():
    doc = latex_document("body")
    assert doc.startswith(r"\documentclass{article}") and doc.rstrip().endswith(r"\end{document}")
