"""Recognise the shape of polynomial laws, so that they print as a human writes them.

A law is decomposed into signed *atoms* over the named weight matrices
(parameter names ``U1[i,j]``, ``b1[i]``, see :mod:`conslaw.algebra.parameters`):

* ``rowgram(M, i, j)`` = Σ_k M[i,k] M[j,k]  (``‖M_{i,:}‖²`` when i = j)
* ``colgram(M, i, j)`` = Σ_k M[k,i] M[k,j]  (``‖M_{:,j}‖²`` when i = j)
  (for tensors with more indices, such as convolution filters U1[j,c,a],
  the remaining indices run freely: ``‖U_{j,:,:}‖²``)
* ``square(b, i)``     = b_i²
* ``colsum(M, j)`` = Σ_k M[k,j],  ``rowsum(M, i)`` = Σ_k M[i,k]

all with one common coefficient magnitude.  Laws made of the same atoms
with a shifting index form a *family* (``for j = 1, …, r``; or the entries of
M Mᵀ − Nᵀ N when the index pairs fill a triangle).  A law that does not
decompose is kept as an explicit polynomial.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Optional, Sequence

from sympy.polys.rings import PolyElement

from conslaw.algebra.parameters import ParameterSpace, parse_name

Atom = tuple[str, str, str, int, int, int]  # (kind, stem, layer, i, j, number of indices of the tensor)


@dataclass
class RecognisedLaw:
    """A law as ``scale · Σ sign·atom`` (``atoms`` empty when unrecognised)."""

    poly: PolyElement
    scale: object
    atoms: list[tuple[int, Atom]]

    @property
    def recognised(self) -> bool:
        return bool(self.atoms)

    def index_pair(self) -> Optional[tuple[int, int]]:
        """The (i, j) that every atom shares (single-index atoms count as (i, i)), if any."""
        pairs = {(a[3], a[4]) for _, a in self.atoms}
        return pairs.pop() if len(pairs) == 1 else None

    def signature(self) -> tuple:
        return tuple(sorted((sign, kind, stem, layer) for sign, (kind, stem, layer, *_) in self.atoms))


@dataclass
class LawFamily:
    """Laws with one signature; ``pairs`` lists their (i, j) indices (0-based)."""

    signature: tuple
    laws: list[RecognisedLaw] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)


class _Shapes:
    """The matrices and vectors of a parameter space: sizes and index lookup."""

    def __init__(self, space: ParameterSpace):
        self.entry: dict[str, tuple[str, str, tuple[int, ...]]] = {}
        self.size: dict[tuple[str, str], tuple[int, ...]] = {}
        self.index: dict[tuple[str, str, tuple[int, ...]], int] = {}
        for pos, name in enumerate(space.names):
            parsed = parse_name(name)
            if parsed is None:
                continue
            stem, layer, idx = parsed
            self.entry[name] = parsed
            self.index[parsed] = pos
            old = self.size.get((stem, layer), (0,) * len(idx))
            self.size[(stem, layer)] = tuple(max(o, i + 1) for o, i in zip(old, idx))


def _monomial_of(atom: Atom, shapes: _Shapes, dim: int) -> list[tuple[int, ...]]:
    """The monomials an atom sums (for tensors with more indices, the other indices run freely)."""
    kind, stem, layer, i, j, _ = atom
    size = shapes.size[(stem, layer)]

    def mono(*entries):
        exps = [0] * dim
        for e in entries:
            exps[shapes.index[(stem, layer, e)]] += 1
        return tuple(exps)

    def others(skip: int):
        return product(*(range(n) for k, n in enumerate(size) if k != skip))

    def put(rest, at: int, value: int):
        rest = list(rest)
        rest.insert(at, value)
        return tuple(rest)

    if kind == "rowgram":
        return [mono(put(r, 0, i), put(r, 0, j)) for r in others(0)]
    if kind == "colgram":
        return [mono(put(r, 1, i), put(r, 1, j)) for r in others(1)]
    if kind == "square":
        return [mono((i,), (i,))]
    if kind == "colsum":
        return [mono(put(r, 1, j)) for r in others(1)]
    if kind == "rowsum":
        return [mono(put(r, 0, i)) for r in others(0)]
    raise ValueError(kind)


def _candidates(monom: tuple[int, ...], names: Sequence[str], shapes: _Shapes) -> list[Atom]:
    """Atoms that could contain the monomial."""
    vars_ = [(names[k], e) for k, e in enumerate(monom) if e]
    parsed = [(shapes.entry.get(n), e) for n, e in vars_]
    if any(p is None for p, _ in parsed):
        return []
    if len(parsed) == 1 and parsed[0][1] == 1:
        (stem, layer, idx), _ = parsed[0]
        n = len(idx)
        return [("colsum", stem, layer, idx[1], idx[1], n), ("rowsum", stem, layer, idx[0], idx[0], n)] if n >= 2 else []
    entries = [p for p, e in parsed for _ in range(e)]
    if len(entries) != 2 or entries[0][:2] != entries[1][:2]:
        return []
    (stem, layer, a), (_, _, b) = entries
    if len(a) == 1:
        return [("square", stem, layer, a[0], a[0], 1)] if a == b else []
    out = []
    if a[1:] == b[1:]:
        i, j = sorted((a[0], b[0]))
        out.append(("rowgram", stem, layer, i, j, len(a)))
    if a[0] == b[0] and a[2:] == b[2:]:
        i, j = sorted((a[1], b[1]))
        out.append(("colgram", stem, layer, i, j, len(a)))
    return out


def recognise(poly: PolyElement, space: ParameterSpace, shapes: Optional[_Shapes] = None) -> RecognisedLaw:
    """Decompose one law into signed atoms with a common coefficient, or report it unrecognised."""
    shapes = shapes or _Shapes(space)
    terms = dict(poly.items())
    if not terms:
        return RecognisedLaw(poly, 1, [])
    scale = abs(next(iter(terms.values())))
    if any(abs(c) != scale for c in terms.values()):
        return RecognisedLaw(poly, 1, [])
    remaining = dict(terms)
    atoms: list[tuple[int, Atom]] = []
    for monom in sorted(terms):
        if monom not in remaining:
            continue
        sign = 1 if remaining[monom] > 0 else -1
        best = None
        for atom in _candidates(monom, space.names, shapes):
            monos = _monomial_of(atom, shapes, space.dim)
            if all(remaining.get(m) == sign * scale for m in monos) and (best is None or len(monos) > len(best[1])):
                best = (atom, monos)  # the widest atom wins: a whole column beats its single entries
        if best is None:
            return RecognisedLaw(poly, 1, [])
        for m in best[1]:
            del remaining[m]
        atoms.append((sign, best[0]))
    return RecognisedLaw(poly, scale, atoms)


def group_families(laws: Sequence[PolyElement], space: ParameterSpace) -> tuple[list[LawFamily], list[RecognisedLaw]]:
    """Group recognised laws into families; return (families, unrecognised laws)."""
    shapes = _Shapes(space)
    families: dict[tuple, LawFamily] = {}
    loose: list[RecognisedLaw] = []
    for poly in laws:
        rec = recognise(poly, space, shapes)
        pair = rec.index_pair() if rec.recognised else None
        if pair is None:
            loose.append(rec)
            continue
        fam = families.setdefault((rec.signature(), rec.scale), LawFamily(rec.signature()))
        fam.laws.append(rec)
        fam.pairs.append(pair)
    return list(families.values()), loose
