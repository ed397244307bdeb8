"""conslaw's prose (Unicode text with formulas in it) as LaTeX: formulas typeset in math mode, text escaped."""
from __future__ import annotations

from conslaw.verification.catalogue.theorems import CATALOGUE
from conslaw.verification.report.prose import (
    _COMBINING,
    MATH_SYMBOLS,
    TEXT_SYMBOLS,
    prose_latex,
    prose_markdown,
    prose_parts,
)


def test_a_formula_in_a_title_is_mathematics():
    assert prose_latex("Weight decay: the laws become ψ(e^{λt}θ)") == (
        r"Weight decay: the laws become $\psi (e^{\lambda t}\theta )$")
    assert prose_parts("the signs of ∂φ(θ)ᵀw for seeded integer w")[1] == ("math", r"\partial \varphi (\theta )^{\top}w")


def test_symbols_and_operators():
    assert prose_latex("the laws Σ a_i |θ_i| checked") == r"the laws $\sum a_i \lvert \theta _i\rvert$ checked"
    assert prose_latex("the flow of ½‖φ(θ) − y‖² with λ = 1/2") == (
        r"the flow of $\tfrac{1}{2}\| \varphi (\theta ) - y\| ^{2}$ with $\lambda = 1/2$")
    assert prose_latex("(relative error < 1e-8)") == r"(relative error $<$ 1e-8)"
    assert prose_latex("∇h ⊥ every field") == r"$\nabla h \perp$ every field"
    assert prose_latex("there are exactly D − r laws") == r"there are exactly $D - r$ laws"


def test_text_stays_text():
    assert prose_latex("laws_at_most and results.json, 100% & #1") == (
        r"laws\_at\_most and results.json, 100\% \& \#1")
    assert prose_latex("Marcotte–Gribonval — naïve") == r"Marcotte--Gribonval --- na\"ive"
    assert prose_latex("x-coefficients of a VGG-style network") == "x-coefficients of a VGG-style network"
    # '<' and '>' in text mode are not in OT1's text font: pdflatex would print '¡' and '¿'
    assert prose_latex("scores x<y, p>q and a|b") == r"scores x\textless{}y, p\textgreater{}q and a\textbar{}b"


def test_code_spans():
    assert prose_latex("run `conslaw count attention --numeric` here") == (
        r"run \texttt{conslaw count attention -{}-{}numeric} here")
    assert prose_markdown("run `conslaw check` on ∇φ") == r"run `conslaw check` on $\nabla \varphi$"


def test_every_character_of_the_catalogue_is_known():
    """No title, method or reason of the catalogue falls back to an unknown character (pdflatex would print
    it as [U+…]); the LaTeX is ASCII."""
    known = set(MATH_SYMBOLS) | set(TEXT_SYMBOLS) | set(_COMBINING)
    for result in CATALOGUE:
        for text in (result.title, result.method, getattr(result, "reason", "") or ""):
            unknown = {c for c in text if not c.isascii() and c not in known}
            assert not unknown, (result.id, unknown)
            assert prose_latex(text).isascii()
