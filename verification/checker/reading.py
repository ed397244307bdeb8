"""Reading an untrusted certificate: formats, limits, and bounded parsers of its values (never ``eval``).

Every reader raises :class:`CertificateFormatError` with the path of the value it refuses."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from conslaw.algebra.polynomial_text import (
    PolynomialTextError,
    TextLimits,
    parse_polynomial,
    parse_rational,
)

FORMAT = "conslaw-certificate"


SIGN_FLOW_FORMAT = "conslaw-sign-flow-certificate"  # checked by checker_sign_flow


SUPPORTED_VERSIONS = (1, 2)


class CertificateFormatError(ValueError):
    """The file is not a readable certificate (not JSON, missing keys, wrong version, over a bound)."""


@dataclass(frozen=True)
class CheckLimits:
    """What the checker agrees to work on; anything larger is refused before any algebra."""

    max_file_bytes: int = 16 * 2**20
    max_parameters: int = 400
    max_phi: int = 20_000
    max_laws: int = 400
    max_degree: int = 12
    max_terms: int = 5_000
    max_brackets: int = 400
    max_tree_depth: int = 12
    max_tree_leaves: int = 64
    max_digits: int = 400
    max_size: int = 10_000        # any single size in the architecture


LIMITS = CheckLimits()


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}(\[[0-9]{1,6}(,[0-9]{1,6}){0,3}\])?$")


@dataclass
class CheckReport:
    ok: bool
    failures: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    verdict: dict = field(default_factory=dict)
    flow: str = "gradient"  # "gradient" (the ∇φ_k), a kind of FLOW_KINDS (fields rebuilt by _flow_generators) or
    # "model" (a ball-rank certificate: the verdict is a rank lower bound, not a count)


# ------------------------------------------------------------- validation
def _need(cond: bool, message: str) -> None:
    if not cond:
        raise CertificateFormatError(message)


def _int(value: Any, what: str, low: int = 0, high: int = LIMITS.max_size) -> int:
    _need(isinstance(value, int) and not isinstance(value, bool), f"{what} must be an integer, got {_show(value)}")
    _need(low <= value <= high, f"{what} = {value} is outside [{low}, {high}]")
    return value


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (dict, list, str, int, float, bool)) or value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _rational(value: Any, what: str) -> Fraction:
    try:
        return parse_rational(value, LIMITS.max_digits)
    except PolynomialTextError as exc:
        raise CertificateFormatError(f"{what}: {exc}") from None


def _terms(value: Any, what: str, D: int) -> dict:
    """Version 2 polynomial: a list of [coefficient "p/q", [[index, exponent], ...]] terms."""
    _need(isinstance(value, list), f"{what} must be a list of terms, got {_show(value)}")
    _need(len(value) <= LIMITS.max_terms, f"{what} has {len(value)} terms, more than the limit {LIMITS.max_terms}")
    poly: dict = {}
    for term in value:
        _need(isinstance(term, list) and len(term) == 2 and isinstance(term[1], list),
              f"{what}: a term must be [\"p/q\", [[index, exponent], ...]], got {_show(term)}")
        coeff = _rational(term[0], what)
        exps: dict[int, int] = {}
        _need(len(term[1]) <= LIMITS.max_degree, f"{what}: a monomial of more than {LIMITS.max_degree} factors")
        for pair in term[1]:
            _need(isinstance(pair, list) and len(pair) == 2, f"{what}: a factor must be [index, exponent], got {_show(pair)}")
            k = _int(pair[0], f"{what}: parameter index", 0, D - 1)
            e = _int(pair[1], f"{what}: exponent", 1, LIMITS.max_degree)
            exps[k] = exps.get(k, 0) + e
        monom = tuple(sorted(exps.items()))
        _need(sum(exps.values()) <= LIMITS.max_degree, f"{what}: degree above the limit {LIMITS.max_degree}")
        poly[monom] = poly.get(monom, 0) + coeff
    return {m: c for m, c in poly.items() if c}


def _text(value: Any, what: str, names: list[str]) -> dict:
    """Version 1 polynomial: text, read by the bounded grammar (never eval)."""
    limits = TextLimits(max_chars=200_000, max_degree=LIMITS.max_degree, max_exponent=LIMITS.max_degree,
                        max_terms=LIMITS.max_terms, max_digits=LIMITS.max_digits)
    _need(isinstance(value, str), f"{what} must be polynomial text, got {_show(value)}")
    try:
        return parse_polynomial(value, names, limits)
    except PolynomialTextError as exc:
        raise CertificateFormatError(f"{what}: {exc}") from None


def _polynomial(value: Any, what: str, version: int, names: list[str], fails: list[str]) -> dict:
    if version == 1:
        return _text(value, what, names)
    _need(isinstance(value, dict) and "terms" in value, f"{what} must be an object with \"terms\", got {_show(value)}")
    poly = _terms(value["terms"], what, len(names))
    if "text" in value:  # the readable copy must say the same polynomial
        if _text(value["text"], f"{what} (text)", names) != poly:
            fails.append(f"{what}: its text {_show(value['text'])} does not match its terms")
    return poly


def _expr(poly: dict, symbols) -> sympy.Expr:
    return sympy.Add(*[sympy.Rational(c.numerator, c.denominator) * sympy.Mul(*[symbols[k] ** e for k, e in m])
                       for m, c in poly.items()])


def _tree(value: Any, n_gens: int, depth: int = 0, leaves: list | None = None) -> Any:
    """A witness tree: a generator index, or [left, right]; bounded depth and size."""
    leaves = [0] if leaves is None else leaves
    _need(depth <= LIMITS.max_tree_depth, f"a witness tree deeper than {LIMITS.max_tree_depth}")
    if isinstance(value, list):
        _need(len(value) == 2, f"a witness bracket must be [left, right], got {_show(value)}")
        return [_tree(value[0], n_gens, depth + 1, leaves), _tree(value[1], n_gens, depth + 1, leaves)]
    leaves[0] += 1
    _need(leaves[0] <= LIMITS.max_tree_leaves, f"a witness tree with more than {LIMITS.max_tree_leaves} leaves")
    return _int(value, "a witness tree leaf (generator index)", 0, max(n_gens - 1, 0))


def _no_duplicate_keys(pairs: list) -> dict:
    """A JSON object whose keys are all distinct (a duplicate key would let two readers see two documents)."""
    out: dict = {}
    for key, value in pairs:
        _need(key not in out, f"the key {_show(key)} appears twice in one JSON object")
        out[key] = value
    return out


def strictly_equal(value: Any, expected: Any) -> bool:
    """``value == expected`` with JSON types kept apart: ``2.0`` is not the count ``2`` and ``true`` is not ``1``."""
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(expected, int):
        return type(value) is int and value == expected
    if isinstance(expected, dict):
        return isinstance(value, dict) and value.keys() == expected.keys() and \
            all(strictly_equal(value[k], expected[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(value, list) and len(value) == len(expected) and \
            all(strictly_equal(a, b) for a, b in zip(value, expected))
    return type(value) is type(expected) and value == expected


def _read_json(path: str) -> Any:
    try:
        with open(path, "rb") as fh:
            data = fh.read(LIMITS.max_file_bytes + 1)
    except OSError as exc:
        raise CertificateFormatError(f"cannot read it: {exc.strerror}") from None
    return _parse_json(data)


def _parse_json(data: bytes) -> Any:
    """The certificate's JSON from its bytes: bounded size, UTF-8, no duplicate key, bounded nesting."""
    if len(data) > LIMITS.max_file_bytes:
        raise CertificateFormatError(f"larger than the limit of {LIMITS.max_file_bytes // 2**20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CertificateFormatError("not a text file (not UTF-8)") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise CertificateFormatError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise CertificateFormatError("JSON nested too deeply") from None
    except CertificateFormatError:
        raise
    except ValueError as exc:  # e.g. an integer literal of thousands of digits
        raise CertificateFormatError(f"not readable JSON: {str(exc)[:80]}") from None


def _parameters(cert: dict) -> list[str]:
    names = cert["parameters"]
    _need(isinstance(names, list) and names, f"\"parameters\" must be a non-empty list of names, got {_show(names)}")
    _need(len(names) <= LIMITS.max_parameters,
          f"{len(names)} parameters, more than the checker's limit of {LIMITS.max_parameters}")
    for n in names:
        _need(isinstance(n, str) and _NAME.match(n) is not None, f"{_show(n)} is not a parameter name")
    _need(len(set(names)) == len(names), "a parameter name is listed twice")
    return names
