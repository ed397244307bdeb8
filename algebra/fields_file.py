"""Polynomial vector fields (or a map φ) written in a text file, read as data — never ``eval``.

The format (``conslaw count --fields FILE``, and ``laws``, ``certify``)::

    # a comment; blank lines are skipped
    parameters: u1 u2 v1 v2          (names separated by spaces or commas outside brackets; several lines add up)
    phi: u1*v1 + u2*v2               (one component of φ per line: the generators are the gradients ∇φ_k)
    field: v1, v2, -u1, -u2          (one vector field per line: its D components, in the parameters' order)
    law: u1**2 + u2**2 - v1**2 - v2**2   (optional: a law you state; verified as an identity before it is used)

A file gives ``parameters`` and at least one ``phi`` or ``field`` line; the generators are V = {∇φ_k} followed by
the fields.  Stated laws (``law:``) are checked, never trusted: ``count --fields FILE --known N`` proves the count N
with them when they are conserved (⟨∇h, X⟩ ≡ 0 for every generator X) and independent at the point.  Every
polynomial is read by :mod:`.polynomial_text`'s bounded grammar (integers, names, ``+ - * /``,
``**`` with a small integer exponent, parentheses), and the file is refused before any parsing when it exceeds
:class:`FieldsLimits` (bytes, lines, parameters, components), each error naming the file and the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .errors import ConslawError
from .polynomial_text import DEFAULT_LIMITS, PolynomialTextError, SparsePolynomial, parse_polynomial


class FieldsFileError(ConslawError, ValueError):
    """A fields file that cannot be read: its format, a bound, or a polynomial (with the file and line)."""


@dataclass(frozen=True)
class FieldsLimits:
    """What reading a fields file may cost, checked before the work is done."""

    max_bytes: int = 4 * 2**20
    max_lines: int = 50_000
    max_parameters: int = 5_000
    max_generators: int = 50_000
    max_terms: int = 500_000  # of all the polynomials together


LIMITS = FieldsLimits()
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+(,[0-9]+)*\])?$")
_KEYS = ("parameters", "phi", "field", "law")


@dataclass
class GivenFields:
    """What a fields file holds: the parameter names, φ's components, the vector fields and the stated laws (sparse
    polynomials
    ``{((index, exponent), ...): Fraction}``), and where they came from."""

    names: list[str]
    phi: list[SparsePolynomial] = field(default_factory=list)
    fields: list[list[SparsePolynomial]] = field(default_factory=list)
    source: str = "<text>"
    laws: list[SparsePolynomial] = field(default_factory=list)


def split_top_level(text: str, separators: str = ",") -> list[str]:
    """``text`` cut at the separators that stand outside parentheses and brackets (``U[0,1]`` stays whole)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch in separators and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _names(text: str, where: str) -> list[str]:
    out = [t for part in split_top_level(text, ", \t") if (t := part.strip())]
    for name in out:
        if not _NAME.match(name):
            raise FieldsFileError(f"{where}: {name[:40]!r} is not a parameter name (letters, digits and _, optionally "
                                  "indexed as W[0,1])")
    return out


def read_fields_text(text: str, source: str = "<text>", limits: FieldsLimits = LIMITS) -> GivenFields:
    """The parameters, φ and fields of a fields file's text (module docstring), every bound checked first."""
    if len(text) > limits.max_bytes:
        raise FieldsFileError(f"{source}: {len(text):,} characters, over the limit of {limits.max_bytes:,}")
    lines = text.splitlines()
    if len(lines) > limits.max_lines:
        raise FieldsFileError(f"{source}: {len(lines):,} lines, over the limit of {limits.max_lines:,}")
    entries: list[tuple[int, str, str]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, rest = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in _KEYS:
            raise FieldsFileError(f"{source} line {number}: expected 'parameters:', 'phi:', 'field:' or 'law:' at the "
                                  f"start, got {line[:40]!r}")
        entries.append((number, key, rest))
    names: list[str] = []
    for number, key, rest in entries:
        if key == "parameters":
            names += _names(rest, f"{source} line {number}")
    if not names:
        raise FieldsFileError(f"{source}: no 'parameters:' line (the names of θ's coordinates come first)")
    if len(names) > limits.max_parameters:
        raise FieldsFileError(f"{source}: {len(names):,} parameters, over the limit of {limits.max_parameters:,}")
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise FieldsFileError(f"{source}: parameter names given twice: {', '.join(twice[:5])}")
    index = {n: i for i, n in enumerate(names)}
    generators = sum(1 for _, key, _ in entries if key in ("phi", "field"))
    if generators == 0:
        raise FieldsFileError(f"{source}: no 'phi:' or 'field:' line, so there are no generators")
    if generators > limits.max_generators:
        raise FieldsFileError(f"{source}: {generators:,} generators, over the limit of {limits.max_generators:,}")
    given = GivenFields(names, source=source)
    terms = 0

    def polynomial(text: str, where: str) -> SparsePolynomial:
        nonlocal terms
        if not text.strip():
            raise FieldsFileError(f"{where}: an empty polynomial (write 0 for zero)")
        try:
            poly = parse_polynomial(text, index, DEFAULT_LIMITS)
        except PolynomialTextError as exc:
            raise FieldsFileError(f"{where}: {exc}") from None
        terms += len(poly)
        if terms > limits.max_terms:
            raise FieldsFileError(f"{where}: the polynomials so far have {terms:,} terms, over the limit of "
                                  f"{limits.max_terms:,}")
        return poly

    for number, key, rest in entries:
        where = f"{source} line {number}"
        if key == "phi":
            given.phi.append(polynomial(rest, where))
        elif key == "law":
            given.laws.append(polynomial(rest, where))
        elif key == "field":
            parts = split_top_level(rest)
            if len(parts) != len(names):
                raise FieldsFileError(f"{where}: a field has {len(parts)} components separated by commas, but there "
                                      f"are {len(names)} parameters")
            given.fields.append([polynomial(c, f"{where}, component {i} ({names[i]})") for i, c in enumerate(parts)])
    return given


def read_fields_file(path: str, limits: FieldsLimits = LIMITS) -> GivenFields:
    """:func:`read_fields_text` of a file, reading at most ``limits.max_bytes`` + 1 bytes of it."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FieldsFileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limits.max_bytes:
        raise FieldsFileError(f"{path}: more than {limits.max_bytes:,} bytes, over the limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FieldsFileError(f"{path}: not UTF-8 text") from None
    return read_fields_text(text, path, limits)


__all__: Sequence[str] = ["FieldsFileError", "FieldsLimits", "GivenFields", "read_fields_file", "read_fields_text",
                          "split_top_level"]
