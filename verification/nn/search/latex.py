"""The symmetry search's laws in LaTeX: h = Σ_u c_u q_u written term by term, named after the tensors."""
from __future__ import annotations

from fractions import Fraction

import torch

from ...report.prose import text_latex
from .candidates import DIAGONAL, ENTRY, FIBER, MEAN, SHIFT, Candidate


def _tex(name: str) -> str:
    return r"\mathtt{" + text_latex(name) + "}"


def _slice(name: str, ndim: int, axis: int, i: str) -> str:
    idx = [":"] * ndim
    idx[axis] = i
    return _tex(name) + ("[" + ",".join(idx) + "]" if ndim > 1 else f"_{{{i}}}")


def _coef(c: float, first: bool) -> str:
    f = Fraction(c).limit_denominator(12)
    sign = "-" if c < 0 else ("" if first else "+")
    mag = abs(float(f)) if abs(float(f) - c) < 1e-9 else abs(c)
    if abs(float(f) - c) < 1e-9:
        body = "" if f.denominator == 1 and abs(f.numerator) == 1 else (
            str(abs(f.numerator)) if f.denominator == 1 else rf"\tfrac{{{abs(f.numerator)}}}{{{f.denominator}}}")
    else:
        body = f"{mag:.3g}"
    return f"{sign}{body}"


def law_latex(cands: list[Candidate], row: torch.Tensor, shapes: dict) -> str:
    """One law Σ_u c_u q_u in LaTeX: ½‖slice‖² terms, ⟨slice_i, slice_j⟩ terms, ½‖Σ_i slice_i‖² terms, Σ slice terms; every slice of
    axis 0 with one coefficient reads as the whole tensor (½‖T‖², Σ T)."""
    terms = []
    support = torch.nonzero(row).flatten().tolist()
    whole: dict[tuple[str, str], float] = {}  # (kind, tensor) whose axis-0 slices all carry one coefficient
    for kind in (DIAGONAL, SHIFT):
        for t in {cands[u].tensor for u in support if cands[u].kind == kind and cands[u].axis == 0}:
            coefs = {cands[u].i: float(row[u]) for u in support
                     if cands[u].kind == kind and cands[u].tensor == t and cands[u].axis == 0}
            if len(coefs) == shapes[t][0] and len(set(coefs.values())) == 1:
                whole[(kind, t)] = next(iter(coefs.values()))
    for (kind, t), c in whole.items():
        coef = _coef(c * (0.5 if kind == DIAGONAL else 1.0), not terms)
        terms.append(coef + (rf"\|{_tex(t)}\|^2" if kind == DIAGONAL else rf"\textstyle\sum {_tex(t)}"))
    for u in support:
        c, cand = float(row[u]), cands[u]
        if cand.axis == 0 and (cand.kind, cand.tensor) in whole:
            continue
        nd = len(shapes[cand.tensor])
        coef = _coef(c * (0.5 if cand.kind in (DIAGONAL, MEAN) else 1.0), not terms)
        if cand.kind == MEAN:
            idx = [":"] * nd
            idx[cand.axis] = "i"
            body = (rf"\|\textstyle\sum_i {_tex(cand.tensor)}" + ("[" + ",".join(idx) + "]" if nd > 1 else "_i")
                    + r"\|^2")
        elif cand.kind == DIAGONAL:
            body = rf"\|{_slice(cand.tensor, nd, cand.axis, str(cand.i))}\|^2"
        elif cand.kind == SHIFT:
            body = rf"\textstyle\sum {_slice(cand.tensor, nd, cand.axis, str(cand.i))}"
        elif cand.kind == ENTRY:
            pos = [int(v) for v in torch.unravel_index(torch.tensor(cand.i), shapes[cand.tensor])]
            body = rf"{_tex(cand.tensor)}[{','.join(map(str, pos))}]"
        elif cand.kind == FIBER:
            rest = [int(v) for v in torch.unravel_index(torch.tensor(cand.i), shapes[cand.tensor][1:])]
            body = rf"\textstyle\sum_k {_tex(cand.tensor)}[k,{','.join(map(str, rest))}]"
        else:
            body = (rf"\langle {_slice(cand.tensor, nd, cand.axis, str(cand.i))}, "
                    rf"{_slice(cand.tensor, nd, cand.axis, str(cand.j))}\rangle")
        terms.append(f"{coef}{body}")
    return " ".join(terms) if terms else "0"
