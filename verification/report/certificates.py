"""Law reports: the certified laws of an architecture as text, LaTeX, Markdown or JSON."""
from __future__ import annotations

import json
from fractions import Fraction

from conslaw.algebra.architectures import Architecture
from conslaw.algebra.architectures.given import GIVEN
from conslaw.algebra.fields import from_sparse, to_polynomial
from conslaw.algebra.parameters import ParameterSpace

from ..proofs.certificate import polynomial_text
from .latex import latex_document, law_items, statement_sentence
from .prose import prose_latex


def render_laws(arch: Architecture, cert: dict, fmt: str, standalone: bool = False) -> str:
    """The statement and its laws in the requested format (text, latex, markdown, json)."""
    texts = [polynomial_text(h) for h in cert["laws"]]
    laws = [to_polynomial(arch.space, h, f"law {i}") for i, h in enumerate(texts)]
    items = law_items(laws, arch.space)
    verdict = cert["verdict"]
    scope = cert.get("model", {"relation": "equal", "reasons": []})
    search = cert["law_search"]
    rank, dim = cert["rank_witness"]["rank"], cert["D"]
    math = (lambda t: f"${t}$") if fmt in ("latex", "markdown") else (lambda t: t)
    flow = "the flows of the given fields" if arch.name == GIVEN else "the gradient flow"
    foot = (f"Polynomial laws searched up to degree {search['degree']} (exactly, over the rationals); "
            f"trace rank {math(f'{rank}')} of {math(f'D = {dim}')} at a seeded random rational point "
            f"(seed {cert['seed']}).")
    notes = cert.get("notes", [])
    if notes:
        foot += " " + " ".join(f"Note: {prose_latex(n) if fmt == 'latex' else n}." for n in notes)
    if fmt == "json":
        return json.dumps({
            "description": cert["description"], "D": cert["D"], "verdict": verdict,
            "laws": texts, "latex": [{"formula": it.formula, "condition": it.condition} for it in items],
            "statement": statement_sentence(cert["description"], items, verdict, model=scope, flow=flow),
            "law_search": search,
            "model_count": scope,
            "rank": cert["rank_witness"]["rank"], "point": cert["point"], "seed": cert["seed"], "notes": notes,
        })
    if fmt == "latex":
        body = statement_sentence(prose_latex(cert["description"]), items, verdict, model=scope,
                                  escape=prose_latex, flow=flow) + "\n\n" + foot
        return latex_document(body) if standalone else body
    if fmt == "markdown":
        return statement_sentence(cert["description"], items, verdict, math="markdown", model=scope,
                                  flow=flow) + "\n\n" + foot
    lines = [f"{cert['description']}: {verdict['text']}"]
    if scope["relation"] != "equal":
        lines[0] += f" for the flows of the fields grad phi; for the model only a lower bound ({scope['reasons'][0]})"
    lines += [f"  {h}" for h in texts]
    lines += [f"  note: {n}" for n in notes]
    lines.append(foot)
    return "\n".join(lines)


def render_resnet_laws(report: dict, laws, space, fmt: str, standalone: bool = False) -> str:
    """The block laws of a deep residual network (``deep_report.resnet_laws``) in the requested format."""
    items = law_items(laws, space)
    verdict = report["verdict"]
    description = f"{report['description']}, restricted to {report['subset']}"
    foot = (f"Laws depending only on {report['subset']}, searched up to degree {report['law_search']['degree']}; "
            f"rank {report['rank']} of {report['subset_size']} at a seeded random rational point (seed {report['seed']}); "
            f"inputs: {report['coverage']}.")
    if fmt == "json":
        return json.dumps({**report, "latex": [{"formula": it.formula, "condition": it.condition} for it in items],
                           "statement": statement_sentence(description, items, verdict)})
    if fmt == "latex":
        body = statement_sentence(prose_latex(description), items, verdict) + "\n\n" + prose_latex(foot)
        return latex_document(body) if standalone else body
    if fmt == "markdown":
        return statement_sentence(description, items, verdict, math="markdown") + "\n\n" + foot
    lines = [f"{description}: {verdict['text']}"] + [f"  {h}" for h in report["laws_found"]]
    lines += [f"  note: {n}" for n in report["notes"][:-1]]  # the last note is the coverage, in the footer
    return "\n".join(lines + [foot])


def plain_polynomial(terms: dict, names: list[str]) -> str:
    """``{sorted tuple of variable indices: integer}`` as text, e.g. ``U1[0,0]**2 - U2[0,0]**2`` (no SymPy ring:
    at D in the thousands its dense exponent tuples would cost gigabytes)."""
    out = []
    for monomial, c in sorted(terms.items()):
        factors = [names[v] + (f"**{monomial.count(v)}" if monomial.count(v) > 1 else "")
                   for v in sorted(set(monomial))]
        body = "*".join(factors) or "1"
        magnitude = "" if abs(c) == 1 and factors else f"{abs(c)}*" if factors else f"{abs(c)}"
        text = magnitude + (body if factors else "")
        out.append((" - " if c < 0 else " + ") + text if out else ("-" if c < 0 else "") + text)
    return "".join(out) or "0"


def render_modular_laws(report: dict, laws: list, names: list[str], fmt: str, standalone: bool = False,
                        checked: str = "") -> str:
    """The laws found and certified by ``conslaw laws … --modular`` (:mod:`~..proofs.modular_law_search`;
    ``laws``: their terms, ``{sorted variable indices: integer}``) in the requested format; ``checked``: what the
    independent checker said of the certificate.  Text is written directly; LaTeX, Markdown and JSON group the
    laws into families in SymPy's ring (heavier at large D)."""
    cert = report["certificate"]
    if fmt == "text":
        verdict, scope = cert["verdict"], report["model_count"]
        lines = [f"{report['description']}: {verdict['text']}"]
        if scope["relation"] != "equal":
            lines[0] += (" for the flows of the fields grad phi; for the model only a lower bound "
                         f"({scope['reasons'][0]})")
        return "\n".join(lines + [f"  {plain_polynomial(h, names)}" for h in laws] + [_modular_foot(report, fmt,
                                                                                                     checked)])
    space = ParameterSpace(names)
    polys = [from_sparse(space, {tuple((v, m.count(v)) for v in sorted(set(m))): Fraction(c) for m, c in h.items()})
             for h in laws]
    return _render_modular_rich(report, polys, space, fmt, standalone, checked)


def _modular_foot(report: dict, fmt: str, checked: str) -> str:
    cert, search = report["certificate"], report["law_search"]
    math = (lambda t: f"${t}$") if fmt in ("latex", "markdown") else (lambda t: t)
    dim = f"D = {cert['D']}"
    return (f"Polynomial laws searched up to degree 2 by the modular route ({search['blocks']} "
            f"block{'s' if search['blocks'] != 1 else ''} of parameters, {search['groups']:,} groups of monomials by "
            f"sign character, sampled equations mod p lifted by rational reconstruction, every law verified as an "
            f"identity over the integers): the laws of degree at most 2 form a space of dimension {search['basis']} "
            f"(complete); rank {math(str(cert['rank']))} of {math(dim)} at a seeded random integer point (seed "
            f"{report['seed']}); certificate {checked or 'not checked'}.")


def _render_modular_rich(report: dict, laws, space, fmt: str, standalone: bool, checked: str) -> str:
    items = law_items(laws, space)
    cert = report["certificate"]
    verdict, scope, search = cert["verdict"], report["model_count"], report["law_search"]
    foot = _modular_foot(report, fmt, checked)
    if fmt == "json":
        return json.dumps({
            "description": report["description"], "D": cert["D"], "verdict": verdict, "route": report["route"],
            "laws": [str(h.as_expr()) for h in laws],
            "latex": [{"formula": it.formula, "condition": it.condition} for it in items],
            "statement": statement_sentence(report["description"], items, verdict, model=scope),
            "law_search": search, "model_count": scope, "rank": cert["rank"], "seed": report["seed"],
            "certificate": checked,
        })
    if fmt == "latex":
        body = statement_sentence(prose_latex(report["description"]), items, verdict, model=scope,
                                  escape=prose_latex) + "\n\n" + prose_latex(foot)
        return latex_document(body) if standalone else body
    return statement_sentence(report["description"], items, verdict, math="markdown", model=scope) + "\n\n" + foot
