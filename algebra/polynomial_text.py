"""Polynomials written as text, read by a small grammar of our own — never ``eval``.

Polynomial text is *data*: a certificate or a user's string may come from anyone,
so it is never handed to ``eval``, ``sympify`` or ``parse_expr`` (which run Python
code).  The grammar accepts exactly

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*          ("/": by a nonzero constant only)
    factor := ("+" | "-") factor | power
    power  := atom ["**" INTEGER]                     (0 ≤ INTEGER ≤ max_exponent)
    atom   := INTEGER | NAME | "(" expr ")"

where NAME is one of the parameter names (``U1[0,1]``, ``b1[2]``, ``W[3,0]``).
Every operation is bounded *before* it is carried out (text length, nesting
depth, exponent, total degree, number of terms, size of the coefficients), so
hostile input such as ``(a+b+c)**100000`` or ``9**9**9**9`` is refused at once.

The result is plain data: ``{monomial: Fraction}`` with a monomial a sorted tuple
of ``(parameter index, exponent)`` pairs (``()`` for the constant term).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

from .errors import NonPolynomialError

Monomial = tuple[tuple[int, int], ...]
SparsePolynomial = dict[Monomial, Fraction]


class PolynomialTextError(NonPolynomialError):
    """Text that is not a polynomial of the accepted grammar, or exceeds a bound."""


@dataclass(frozen=True)
class TextLimits:
    """Bounds on the work that reading one polynomial may cost."""

    max_chars: int = 200_000
    max_depth: int = 50
    max_exponent: int = 64
    max_degree: int = 64
    max_terms: int = 20_000
    max_digits: int = 400          # of one integer literal
    max_bits: int = 4_096          # of a coefficient's numerator or denominator
    max_product_work: int = 2_000_000  # term pairs formed by one multiplication


DEFAULT_LIMITS = TextLimits()

_SPACE = re.compile(r"\s*")
_TOKEN = re.compile(
    r"(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\[[0-9,\s]*\])?)|(?P<op>\*\*|[-+*/()]))"
)


def _tokens(text: str, limits: TextLimits) -> list[tuple[str, str, int]]:
    if not isinstance(text, str):
        raise PolynomialTextError(f"expected polynomial text, got {type(text).__name__}")
    if len(text) > limits.max_chars:
        raise PolynomialTextError(f"polynomial text of {len(text)} characters exceeds the limit of {limits.max_chars}")
    out, pos = [], 0
    while True:
        pos = _SPACE.match(text, pos).end()
        if pos == len(text):
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = " (use ** for powers)" if ch == "^" else ""
            raise PolynomialTextError(f"unexpected character {ch!r} at position {pos}{hint}")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "num" and len(value) > limits.max_digits:
            raise PolynomialTextError(f"an integer of {len(value)} digits exceeds the limit of {limits.max_digits}")
        out.append((kind, value, pos))
        pos = m.end()
    return out


def _degree(p: SparsePolynomial) -> int:
    return max((sum(e for _, e in m) for m in p), default=0)


def _check_size(p: SparsePolynomial, limits: TextLimits) -> SparsePolynomial:
    if len(p) > limits.max_terms:
        raise PolynomialTextError(f"more than {limits.max_terms} terms")
    for c in p.values():
        if c.numerator.bit_length() > limits.max_bits or c.denominator.bit_length() > limits.max_bits:
            raise PolynomialTextError(f"a coefficient exceeds {limits.max_bits} bits")
    return p


def add_term(out: dict, m, c) -> None:
    """out[m] += c, dropping the term when it cancels (any monomial key, any exact coefficient)."""
    v = out.get(m, 0) + c
    if v:
        out[m] = v
    else:
        out.pop(m, None)


def _add_into(out: SparsePolynomial, q: SparsePolynomial, sign: int, limits: TextLimits) -> None:
    """out += sign·q, in place (a sum of many terms costs linear time), then bounded."""
    for m, c in q.items():
        add_term(out, m, sign * c)
    if len(out) > limits.max_terms:
        raise PolynomialTextError(f"more than {limits.max_terms} terms")
    _check_size({m: out[m] for m in q if m in out}, limits)  # only the coefficients this sum changed


def _monomial_product(a: Monomial, b: Monomial) -> Monomial:
    exps = dict(a)
    for k, e in b:
        exps[k] = exps.get(k, 0) + e
    return tuple(sorted(exps.items()))


def multiply(p: SparsePolynomial, q: SparsePolynomial, limits: TextLimits = DEFAULT_LIMITS) -> SparsePolynomial:
    """p·q, refused before any work when its degree or its number of term pairs is over the limits."""
    if not p or not q:
        return {}
    if _degree(p) + _degree(q) > limits.max_degree:
        raise PolynomialTextError(f"degree {_degree(p) + _degree(q)} exceeds the limit of {limits.max_degree}")
    if len(p) * len(q) > limits.max_product_work:
        raise PolynomialTextError(f"a product of {len(p)} by {len(q)} terms exceeds the work limit")
    out: SparsePolynomial = {}
    for ma, ca in p.items():
        for mb, cb in q.items():
            add_term(out, _monomial_product(ma, mb), ca * cb)
    return _check_size(out, limits)


def power(p: SparsePolynomial, n: int, limits: TextLimits = DEFAULT_LIMITS) -> SparsePolynomial:
    """p**n by repeated multiplication, each step bounded."""
    if n > limits.max_exponent:
        raise PolynomialTextError(f"exponent {n} exceeds the limit of {limits.max_exponent}")
    if _degree(p) * n > limits.max_degree:
        raise PolynomialTextError(f"degree {_degree(p) * n} exceeds the limit of {limits.max_degree}")
    bound = power_terms_bound(len(p), len({k for m in p for k, _ in m}), _degree(p), n)
    if bound > limits.max_terms:
        raise PolynomialTextError(f"a power with up to {bound} terms exceeds the limit of {limits.max_terms} terms "
                                  "(refused before expanding)")
    result: SparsePolynomial = {(): Fraction(1)}
    for _ in range(n):
        result = multiply(result, p, limits)
    return result


def power_terms_bound(terms: int, variables: int, degree: int, n: int) -> int:
    """An upper bound on the terms of p**n for p of ``terms`` terms in ``variables`` variables and of degree
    ``degree``: at most the multisets of n terms, C(terms + n − 1, n), and at most the monomials of degree ≤ n·degree
    in those variables, C(variables + n·degree, variables)."""
    from math import comb

    return min(comb(terms + n - 1, n) if terms else 0, comb(variables + n * degree, variables))


class _Parser:
    def __init__(self, text: str, names: Mapping[str, int], limits: TextLimits):
        self.tokens = _tokens(text, limits)
        self.names = names
        self.limits = limits
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise PolynomialTextError("the text ends in the middle of an expression")
        self.pos += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in ops

    def parse(self) -> SparsePolynomial:
        if not self.tokens:
            raise PolynomialTextError("empty polynomial text")
        p = self.expr()
        tok = self.peek()
        if tok is not None:
            raise PolynomialTextError(f"unexpected {tok[1]!r} at position {tok[2]}")
        return p

    def expr(self) -> SparsePolynomial:
        p = dict(self.term())
        while self.is_op("+", "-"):
            sign = 1 if self.take()[1] == "+" else -1
            _add_into(p, self.term(), sign, self.limits)
        return p

    def term(self) -> SparsePolynomial:
        p = self.factor()
        while self.is_op("*", "/"):
            op = self.take()[1]
            q = self.factor()
            if op == "*":
                p = multiply(p, q, self.limits)
            else:
                if any(m != () for m in q):
                    raise PolynomialTextError("division by a non-constant: the result is not a polynomial")
                c = q.get((), Fraction(0))
                if c == 0:
                    raise PolynomialTextError("division by zero")
                p = _check_size({m: v / c for m, v in p.items()}, self.limits)
        return p

    def factor(self) -> SparsePolynomial:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise PolynomialTextError(f"nesting deeper than {self.limits.max_depth}")
        try:
            if self.is_op("+", "-"):
                sign = 1 if self.take()[1] == "+" else -1
                p = self.factor()
                return p if sign == 1 else {m: -c for m, c in p.items()}
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> SparsePolynomial:
        base = self.atom()
        if not self.is_op("**"):
            return base
        self.take()
        kind, value, at = self.take()
        if kind != "num":
            raise PolynomialTextError(f"the exponent at position {at} must be a non-negative integer literal")
        if self.is_op("**"):
            raise PolynomialTextError("chained powers a**b**c are not accepted: add parentheses")
        return power(base, int(value), self.limits)

    def atom(self) -> SparsePolynomial:
        kind, value, at = self.take()
        if kind == "num":
            return {(): Fraction(int(value))} if int(value) else {}
        if kind == "name":
            key = re.sub(r"\s+", "", value)
            if key not in self.names:
                raise PolynomialTextError(f"unknown symbol {value!r} at position {at}: not a parameter name")
            return {((self.names[key], 1),): Fraction(1)}
        if value == "(":
            p = self.expr()
            kind2, value2, at2 = self.take()
            if value2 != ")":
                raise PolynomialTextError(f"expected ')' at position {at2}, found {value2!r}")
            return p
        raise PolynomialTextError(f"unexpected {value!r} at position {at}")


def parse_polynomial(text: str, names: Sequence[str] | Mapping[str, int],
                     limits: TextLimits = DEFAULT_LIMITS, label: str = "") -> SparsePolynomial:
    """Read ``text`` as a polynomial in the named parameters; bounded, never executes anything.

    >>> parse_polynomial("U1[0,0]**2 - 3*b[1]/2", ["U1[0,0]", "b[1]"])
    {((0, 2),): Fraction(1, 1), ((1, 1),): Fraction(-3, 2)}
    """
    index = names if isinstance(names, Mapping) else {n: i for i, n in enumerate(names)}
    try:
        return _Parser(text, index, limits).parse()
    except PolynomialTextError as exc:
        if label:
            raise PolynomialTextError(f"{label}: {exc}") from None
        raise


_RATIONAL = re.compile(r"^\s*([+-]?\d+)\s*(?:/\s*(\d+))?\s*$")


def parse_rational(text: str, max_digits: int = DEFAULT_LIMITS.max_digits) -> Fraction:
    """``"p/q"`` or ``"p"`` as a Fraction; anything else (floats, ``1/0``, expressions) is refused."""
    if not isinstance(text, str):
        raise PolynomialTextError(f"expected a rational written as \"p/q\", got {type(text).__name__}")
    if len(text) > 2 * max_digits + 8:
        raise PolynomialTextError(f"a rational of {len(text)} characters exceeds the limit")
    m = _RATIONAL.match(text)
    if m is None:
        raise PolynomialTextError(f"{text[:40]!r} is not a rational number p/q")
    num, den = m.group(1), m.group(2) or "1"
    if len(num.lstrip("+-")) > max_digits or len(den) > max_digits:
        raise PolynomialTextError(f"a rational with more than {max_digits} digits exceeds the limit")
    if int(den) == 0:
        raise PolynomialTextError(f"{text!r} divides by zero")
    return Fraction(int(num), int(den))
