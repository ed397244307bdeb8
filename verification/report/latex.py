"""Laws and statements as LaTeX and Markdown, written the way a paper writes them.

Families found by :mod:`law_patterns` print with a running index
(``\\|U^{(1)}_{j,:}\\|^2 + (b^{(1)}_{j})^2 - \\|U^{(2)}_{:,j}\\|^2, j = 1, …, r``) or as
the entries of a matrix (``U^{(1)} U^{(1)\\top} - U^{(2)\\top} U^{(2)}``); other
laws print as explicit polynomials.  Indices are 1-based, as in the papers
(parameter ``U1[0,1]`` is ``U^{(1)}_{1,2}``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

import sympy
from sympy.polys.rings import PolyElement

from conslaw.algebra.parameters import ParameterSpace, latex_name, matrix_latex

from .law_families import Atom, LawFamily, RecognisedLaw, group_families
from .prose import allow_breaks

_ORDER = {"rowgram": 0, "rowsum": 0, "colsum": 0, "square": 1, "colgram": 2}


@dataclass
class LawItem:
    """One displayed line: a formula and the range of its indices (empty for a single law)."""

    formula: str
    condition: str = ""
    count: int = 1


def _atom(atom: Atom, i: str, j: str) -> str:
    kind, stem, layer, _, _, order = atom
    M = matrix_latex(stem, layer)
    rest = ",:" * (order - 2)
    if kind == "rowgram":
        return (f"\\|{M}_{{{i},:{rest}}}\\|^2" if i == j
                else f"\\langle {M}_{{{i},:{rest}}}, {M}_{{{j},:{rest}}}\\rangle")
    if kind == "colgram":
        return (f"\\|{M}_{{:,{i}{rest}}}\\|^2" if i == j
                else f"\\langle {M}_{{:,{i}{rest}}}, {M}_{{:,{j}{rest}}}\\rangle")
    if kind == "square":
        return f"({M}_{{{i}}})^2"
    if kind == "colsum":
        return f"\\sum_{{k}} {M}_{{k,{j}}}"
    return f"\\sum_{{k}} {M}_{{{i},k}}"


def _signed_sum(parts: Sequence[tuple[int, str]]) -> str:
    out = ""
    for sign, tex in parts:
        if not out:
            out = tex if sign > 0 else f"-{tex}"
        else:
            out += f" + {tex}" if sign > 0 else f" - {tex}"
    return out


def _ordered(atoms):
    return sorted(atoms, key=lambda sa: (-sa[0], sa[1][2], _ORDER[sa[1][0]], sa[1][1]))


def _scaled(scale, body: str) -> str:
    return body if scale == 1 else f"{sympy.latex(sympy.Rational(int(scale.numerator), int(scale.denominator)))}\\left({body}\\right)"


def _index_range(values: list[int], name: str) -> str:
    vals = sorted(v + 1 for v in values)
    if vals == list(range(1, len(vals) + 1)):
        return f"{name} = 1" if len(vals) == 1 else f"{name} = 1, \\dots, {len(vals)}"
    return f"{name} \\in \\{{{', '.join(map(str, vals))}\\}}"


def _transposed(stem: str, layer: str) -> str:
    return f"{stem}^{{({layer})\\top}}" if layer else f"{stem}^\\top"


def _gram_matrix(atoms) -> str:
    parts = []
    for sign, (kind, stem, layer, *_) in _ordered(atoms):
        M, Mt = matrix_latex(stem, layer), _transposed(stem, layer)
        parts.append((sign, f"{M} {Mt}" if kind == "rowgram" else f"{Mt} {M}"))
    return _signed_sum(parts)


def family_items(fam: LawFamily) -> list[LawItem]:
    """The display lines for one family."""
    atoms = _ordered(fam.laws[0].atoms)
    scale = fam.laws[0].scale
    if all(i == j for i, j in fam.pairs):
        if len(fam.pairs) == 1:
            i = str(fam.pairs[0][0] + 1)
            return [LawItem(_scaled(scale, _signed_sum([(s, _atom(a, i, i)) for s, a in atoms])))]
        body = _signed_sum([(s, _atom(a, "j", "j")) for s, a in atoms])
        return [LawItem(_scaled(scale, body), _index_range([i for i, _ in fam.pairs], "j"), len(fam.pairs))]
    if all(a[0] in ("rowgram", "colgram") for _, a in atoms):
        n = max(max(p) for p in fam.pairs) + 1
        full = sorted(fam.pairs) == [(i, j) for i in range(n) for j in range(i, n)]
        entry = f"\\left({_gram_matrix(atoms)}\\right)_{{i,j}}"
        if full:
            return [LawItem(_scaled(scale, entry), f"1 \\le i \\le j \\le {n}", len(fam.pairs))]
        pairs = ", ".join(f"({i + 1},{j + 1})" for i, j in sorted(fam.pairs))
        return [LawItem(_scaled(scale, entry), f"(i,j) \\in \\{{{pairs}\\}}", len(fam.pairs))]
    return [explicit_item(rec) for rec in fam.laws]


def explicit_item(rec: RecognisedLaw) -> LawItem:
    if rec.recognised:
        i, j = rec.index_pair() or (0, 0)
        return LawItem(_scaled(rec.scale, _signed_sum([(s, _atom(a, str(i + 1), str(j + 1))) for s, a in _ordered(rec.atoms)])))
    return LawItem(polynomial_latex(rec.poly))


def polynomial_latex(poly: PolyElement) -> str:
    """An unrecognised law, written out term by term."""
    return sympy.latex(poly.as_expr(), symbol_names={s: latex_name(str(s)) for s in poly.ring.symbols})


def law_items(laws: Sequence[PolyElement], space: ParameterSpace) -> list[LawItem]:
    """Display lines for a list of laws: families first (in parameter order), then the rest."""
    families, loose = group_families(laws, space)
    items: list[LawItem] = []
    for fam in families:
        items.extend(family_items(fam))
    items.extend(explicit_item(rec) for rec in loose)
    return items


def _item_math(item: LawItem) -> str:
    return item.formula + (f", \\quad {item.condition}" if item.condition else "")


def _item_inline(item: LawItem) -> str:
    return f"${item.formula}$" + (f", \\quad ${item.condition}$" if item.condition else "")


def law_lines(laws: Sequence[PolyElement], space: ParameterSpace) -> list[str]:
    """Each display line of :func:`law_items` as one LaTeX formula (a family with its index range)."""
    return [_item_math(item) for item in law_items(laws, space)]


def statement_sentence(description: str, items: Sequence[LawItem], verdict: dict, math: str = "latex",
                       model: Optional[dict] = None, escape=lambda t: t, flow: str = "the gradient flow") -> str:
    """'For the …, the functions … are conserved by the gradient flow; they are the only ones: …'.

    "The only ones" is said only when the verdict is proven *and* φ's count is
    the model's (``model["relation"] == "equal"``) *and* every law counted is
    listed; otherwise the sentence says what is proven: the count for φ's fields,
    a lower bound for the model, or (one field, the flow-box theorem) a count
    larger than the list.  ``flow``: what conserves them (user-given fields: "the flows of the given fields").
    """
    if math == "latex":  # one law per line, each formula inline so that a long polynomial breaks at + and -
        shown = ("\\begin{quote}\n" + "\\\\\n".join(_item_inline(it) for it in items) + "\n\\end{quote}\n"
                 if items else "")
    else:
        shown = "".join(f"\n$$ {_item_math(it)} $$\n" for it in items)
    n = sum(it.count for it in items)
    noun = "function" if n == 1 else "functions"
    verb = "is" if n == 1 else "are"
    status = verdict.get("status")
    if n == 0:
        head = f"For the {description}, "
        if status == "proven":
            return head + "there is no conservation law: the trace has full rank (proven at the point)."
        if verdict.get("lower") is None:  # sampled inputs: laws are not stated, since none could be verified
            return head + (f"no law is stated (its generators were sampled, so none is proven); the number of "
                           f"independent laws is at most {verdict.get('upper')}.")
        return head + f"no polynomial law was found; the number of independent laws is at most {verdict.get('upper')}."
    head = f"For the {description}, the {noun}\n{shown}"
    if status == "proven" and verdict["laws"] > n:  # the flow-box case: the count is proven, the list is not complete
        k = verdict["laws"]
        tail = (f"{verb} conserved by {flow}; there are exactly {k} independent laws near the point (one "
                f"field, nonzero there: the flow-box theorem), so {'this is' if n == 1 else 'these are'} not all of "
                f"them: the other {k - n} are not polynomials of the degree searched.")
    elif status == "proven":
        k = verdict["laws"]
        law_s = "law" if k == 1 else "laws"
        exactly = f"there {'is' if k == 1 else 'are'} exactly {k} independent {law_s}"
        if model is None or model.get("relation") == "equal":
            only = "it is the only one" if n == 1 else "they are the only ones"
            tail = f"{verb} conserved by {flow}; {only}: {exactly}."
        else:
            tail = (f"{verb} conserved by {flow}; for the flows of the fields $\\nabla\\varphi_k$ {exactly}; "
                    f"for the model itself this is only a lower bound ({escape(model['reasons'][0])}).")
    elif verdict.get("lower") is None:
        tail = (f"{verb} conserved by the gradient flows of the fields used; the number of independent laws is at most "
                f"{verdict['upper']} (not proven).")
    else:
        tail = (f"{verb} conserved by {flow}; the number of independent laws is between "
                f"{verdict['lower']} and {verdict['upper']} (not proven complete at this degree).")
    return head + tail


def math_pieces(formula: str) -> list[tuple[str, str]]:
    """A displayed formula (LaTeX math) cut at its top-level ``\\text{…}``: ``("text", words)`` and
    ``("math", formula)`` pieces in order, each formula with a break allowed after its top-level ``,\\ `` and
    ``;\\ `` (inline formulas break there and after relations and binary operators, in TeX and in KaTeX)."""
    pieces: list[tuple[str, str]] = []
    depth, i, start = 0, 0, 0

    def add_math(src: str) -> None:
        body = src.strip()
        if body.endswith("\\"):  # a control space before the text: the text's own space does its job
            body = body[:-1].rstrip()
        if body:
            pieces.append(("math", allow_breaks(body, after=("\\ ", "\\quad"))))
        if src[-1:].isspace() or src.endswith("\\ "):
            pieces.append(("text", " "))

    while i < len(formula):
        if formula.startswith("\\text{", i) and depth == 0:
            add_math(formula[start:i])
            j, level = i + len("\\text{"), 1
            while j < len(formula) and level:
                level += {"{": 1, "}": -1}.get(formula[j], 0) if formula[j - 1] != "\\" else 0
                j += 1
            pieces.append(("text", formula[i + len("\\text{"):j - 1]))
            i = start = j
            continue
        if formula[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(formula[i], 0)
        i += 1
    add_math(formula[start:])
    merged: list[tuple[str, str]] = []
    for kind, src in pieces:
        if merged and kind == "text" and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + src)
        else:
            merged.append((kind, src))
    return merged


def breakable_math(formula: str) -> str:
    """A displayed formula (LaTeX math) as a paragraph that TeX can break across lines (:func:`math_pieces`:
    its ``\\text{…}`` as running text between inline formulas).  For pdflatex documents, where ``\\[ … \\]``
    would run off the page."""
    out = "".join(f"${src}$" if kind == "math" else src for kind, src in math_pieces(formula))
    return re.sub(r"\s+", " ", out).strip()


def latex_document(body: str, title: str = "Conservation laws") -> str:
    """A standalone document that compiles with pdflatex (amsmath and amssymb, both in texlive-latex-base);
    ``\\sloppy`` with an emergency stretch, so that long identifiers and formulas break rather than overflow."""
    return (
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
        "\\setlength{\\emergencystretch}{3em}\\sloppy\n\\begin{document}\n"
        f"\\section*{{{title}}}\n{body}\n\\end{{document}}\n"
    )
