"""Re-verify a certificate with code paths independent of the ones that wrote it.

The producer uses SymPy's sparse polynomial rings, FLINT ranks and its own
architecture builders.  The checker uses none of them: it rebuilds φ with
SymPy *expression* matrices, differentiates and expands expression trees,
forms brackets with ``Matrix.jacobian``, and takes ranks with SymPy's
``DomainMatrix`` over QQ.  Each failure says what failed.  A certificate of
another flow (``"flow": {"kind": "momentum" | "mirror" | "mirror-momentum", …}``)
names its generators through φ, and the checker builds them itself
(:func:`_flow_generators`).

A certificate is untrusted input.  Nothing in it is ever executed: polynomials
are structured data (version 2: ``[["p/q", [[parameter index, exponent], …]], …]``)
or, in version 1, text read by the bounded grammar of
:mod:`conslaw.algebra.polynomial_text` — never ``eval``/``sympify``.  Before any
algebra, :func:`check_file` bounds the file size and the JSON nesting, and
:func:`check_certificate` bounds the number of parameters, the sizes of the
architecture, degrees, exponents, numbers of terms, the witness trees and the
digits of every rational (:class:`CheckLimits`).  What does not fit is refused
with :class:`CertificateFormatError` (exit 2 in the CLI), never attempted.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy
from sympy.polys.matrices import DomainMatrix

from conslaw.algebra.polynomial_text import PolynomialTextError, TextLimits, parse_polynomial, parse_rational

from .checker_work import DEADLINE_SECONDS, Deadline, PolySize, WorkRefused, law_units, require

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
    flow: str = "gradient"  # "gradient" (the ∇φ_k) or a kind of FLOW_KINDS (fields rebuilt by _flow_generators)


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


# ------------------------------------------- independent rebuild of φ
def _matrix(stem: str, rows: int, cols: int) -> sympy.Matrix:
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{stem}[{i},{j}]"))


def _phi_linear(widths) -> list[sympy.Expr]:
    prod = sympy.eye(widths[0])
    for l in range(1, len(widths)):
        prod = _matrix(f"U{l}", widths[l], widths[l - 1]) * prod
    return list(prod)


def _phi_relu(widths, bias: bool) -> list[sympy.Expr]:
    q = len(widths) - 1
    # products along every path from an input (or hidden bias) to each neuron
    paths = [[sympy.Integer(1)] for _ in range(widths[0])]
    for l in range(1, q + 1):
        W = _matrix(f"U{l}", widths[l], widths[l - 1])
        paths = [
            [W[i, j] * m for j in range(widths[l - 1]) for m in paths[j]]
            + ([sympy.Symbol(f"b{l}[{i}]")] if bias and l < q else [])
            for i in range(widths[l])
        ]
    return [m for out in paths for m in out]


def _phi_softmax(n: int, K: int, bias: bool) -> list[sympy.Expr]:
    W = _matrix("W", K, n)
    out = [W[k, j] - W[K - 1, j] for k in range(K - 1) for j in range(n)]
    if bias:
        out += [sympy.Symbol(f"b[{k}]") - sympy.Symbol(f"b[{K - 1}]") for k in range(K - 1)]
    return out


def _phi_attention(d: int, dk: int, dv: int, heads: int) -> list[sympy.Expr]:
    out = []
    for h in range(1, heads + 1):
        for left, right, inner in (("Q", "K", dk), ("V", "O", dv)):
            out += list(_matrix(f"{left}{h}", d, inner) * _matrix(f"{right}{h}", d, inner).T)
    return out


def _phi_conv(channels, length, filters, strides) -> list[sympy.Expr]:
    """Distinct products u·v along input → hidden unit → output paths of the circulant matrices."""
    C, J, K = channels
    (k1, k2), (s1, s2), N = filters, strides, length
    W1 = {}  # (j, t_hidden, c, t_in) -> filter entry
    for j in range(J):
        for t in range(N):
            for c in range(C):
                for a in range(k1):
                    W1[(j, t, c, (t + s1 * a) % N)] = sympy.Symbol(f"U1[{j},{c},{a}]")
    W2 = {}  # (k, t_out, j, t_hidden) -> filter entry
    for k in range(K):
        for t in range(N):
            for j in range(J):
                for b in range(k2):
                    W2[(k, t, j, (t + s2 * b) % N)] = sympy.Symbol(f"U2[{k},{j},{b}]")
    products = {w1 * w2 for (j, t, _, _), w1 in W1.items() for (_, _, j2, t2), w2 in W2.items() if (j2, t2) == (j, t)}
    return sorted(products, key=sympy.default_sort_key)



def _sizes(spec: dict, what: str, n: int) -> list[int]:
    value = spec.get(what)
    _need(isinstance(value, list) and len(value) == n if n else isinstance(value, list) and 2 <= len(value) <= 20,
          f"architecture field {what!r} must be a list of {n or '2 to 20'} sizes, got {_show(value)}")
    return [_int(v, f"architecture {what}", 1) for v in value]


def _flag(spec: dict, what: str) -> bool:
    value = spec.get(what, False)
    _need(isinstance(value, bool), f"architecture field {what!r} must be true or false, got {_show(value)}")
    return value


def _budget(units: int, stage: str) -> None:
    """Refuse (exit 2) a stage whose estimated work is over the checker's budget (:mod:`checker_work`)."""
    try:
        require(units, stage)
    except WorkRefused as exc:
        raise CertificateFormatError(str(exc)) from None


_RUNNING = threading.local()  # the running check's backstop (per thread: Dask workers may check side by side)


def tick(stage: str) -> None:
    """Refuse (exit 2) a check that has run past the checker's time budget (:class:`checker_work.Deadline`)."""
    try:
        getattr(_RUNNING, "deadline", None) or _start_deadline(DEADLINE_SECONDS)
        _RUNNING.deadline.check(stage)
    except WorkRefused as exc:
        raise CertificateFormatError(str(exc)) from None


def _start_deadline(seconds: float) -> None:
    _RUNNING.deadline = Deadline(seconds)


def poly_size(poly: dict) -> PolySize:
    """Terms, degree and longest coefficient (bits) of a parsed polynomial {monomial: Fraction}."""
    degree = max((sum(e for _, e in m) for m in poly), default=0)
    bits = max((max(c.numerator.bit_length(), c.denominator.bit_length()) for c in poly.values()), default=0)
    return PolySize(len(poly), degree, bits)


@dataclass(frozen=True)
class PhiSize:
    """Sizes of the φ an architecture names, from its sizes alone: D, components, terms of each, degree."""

    D: int
    components: int
    terms: int
    degree: int

    @property
    def units(self) -> int:
        """Rebuilt, compared, differentiated and evaluated: four passes over components × terms × degree."""
        return 4 * self.components * self.terms * self.degree


def phi_size(spec: Any) -> PhiSize:
    """The sizes of φ for the named architecture, refused at once when over the limits or the work budget."""
    _need(isinstance(spec, dict), f"\"architecture\" must be an object, got {_show(spec)}")
    name = spec.get("name")
    _need(isinstance(name, str), f"the architecture's name must be a string, got {_show(name)}")
    family, s = _architecture(spec)
    if family in ("linear", "relu"):
        widths, bias = s["widths"], s["bias"]
        D = sum(a * b for a, b in zip(widths, widths[1:])) + (sum(widths[1:-1]) if bias else 0)
        paths = 1
        for l in range(1, len(widths)):
            paths = widths[l - 1] * paths + (1 if bias and l < len(widths) - 1 else 0)
        q = len(widths) - 1
        size = PhiSize(D, widths[-1] * paths, 1, q) if family == "relu" else \
            PhiSize(D, widths[-1] * widths[0], paths // widths[0], q)
    elif family == "softmax":
        (n, K), bias = s["widths"], s["bias"]
        size = PhiSize(K * n + (K if bias else 0), (K - 1) * (n + int(bias)), 2, 1)
    elif family == "attention":
        d, dk, dv, heads = s["d"], s["dk"], s["dv"], s["heads"]
        size = PhiSize(2 * d * (dk + dv) * heads, 2 * d * d * heads, max(dk, dv), 2)
    else:
        (C, J, K), (k1, k2), N = s["channels"], s["filters"], s["length"]
        size = PhiSize(J * C * k1 + K * J * k2, J * N * C * k1 * K * k2, 1, 2)
    _need(size.D <= LIMITS.max_parameters,
          f"the architecture has D = {size.D} parameters, more than the checker's limit of {LIMITS.max_parameters}")
    _need(size.components <= LIMITS.max_phi,
          f"phi has {size.components} components, more than the checker's limit of {LIMITS.max_phi}")
    _budget(size.units, "rebuilding phi and its gradients")
    return size


def _rebuild_phi(spec: Any):
    """φ rebuilt from the named architecture (sizes checked against the limits and the budget first)."""
    phi_size(spec)
    family, s = _architecture(spec)
    if family == "linear":
        return _phi_linear(s["widths"])
    if family == "relu":
        return _phi_relu(s["widths"], s["bias"])
    if family == "softmax":
        return _phi_softmax(*s["widths"], s["bias"])
    if family == "attention":
        return _phi_attention(s["d"], s["dk"], s["dv"], s["heads"])
    return _phi_conv(s["channels"], s["length"], s["filters"], s["strides"])


REBUILDABLE = ("linear", "relu", "softmax", "attention", "conv")


def _names(stem: str, *sizes: int) -> list[str]:
    """Row-major names ``stem[i,j,…]`` of an array of the given sizes."""
    out = [""]
    for n in sizes:
        out = [f"{o},{i}" if o else f"{i}" for o in out for i in range(n)]
    return [f"{stem}[{o}]" for o in out]


def _architecture(spec: dict) -> tuple[str, dict]:
    """(family, sizes) of a certificate's architecture, read with the same bounds as :func:`_rebuild_phi`."""
    name = spec["name"]
    residual = name.startswith("residual-")
    family = name[len("residual-"):] if residual else name
    if family in ("linear", "relu"):
        sizes = {"widths": _sizes(spec, "widths", 0), "bias": _flag(spec, "bias") and family == "relu"}
    elif family == "softmax":
        sizes = {"widths": _sizes(spec, "widths", 2), "bias": _flag(spec, "bias")}
    elif family == "attention":
        sizes = {k: _int(spec.get(k), f"architecture {k}", 1) for k in ("d", "dk", "dv", "heads")}
        sizes["tokens"] = _int(spec.get("tokens", 2), "architecture tokens", 1)
    elif family == "conv":
        sizes = {"channels": _sizes(spec, "channels", 3), "length": _int(spec.get("length"), "architecture length", 1),
                 "filters": _sizes(spec, "filters", 2), "strides": _sizes(spec, "strides", 2)}
    else:
        raise CertificateFormatError(f"architecture {name!r} is not one the checker can rebuild")
    return family, {**sizes, "residual": residual}


def expected_parameters(spec: Any) -> list[str]:
    """The parameter names, in order, of the architecture a certificate names (the checker's own copy of the
    layouts: layer by layer, each weight matrix row-major, then that layer's bias)."""
    family, s = _architecture(spec)
    if family in ("linear", "relu"):
        w, q = s["widths"], len(s["widths"]) - 1
        out = []
        for l in range(1, q + 1):
            out += _names(f"U{l}", w[l], w[l - 1]) + (_names(f"b{l}", w[l]) if s["bias"] and l < q else [])
        return out
    if family == "softmax":
        n, K = s["widths"]
        return _names("W", K, n) + (_names("b", K) if s["bias"] else [])
    if family == "attention":
        d, dk, dv = s["d"], s["dk"], s["dv"]
        return [x for h in range(1, s["heads"] + 1)
                for x in _names(f"Q{h}", d, dk) + _names(f"K{h}", d, dk) + _names(f"V{h}", d, dv) + _names(f"O{h}", d, dv)]
    (C, J, K), (k1, k2) = s["channels"], s["filters"]
    return _names("U1", J, C, k1) + _names("U2", K, J, k2)


def expected_gaps(spec: Any) -> list[str]:
    """The hypotheses of the theorem equating φ's count with the model's that the architecture leaves (attention:
    Theorem 3.8 and Corollaries 3.9-3.10 of the main paper need N >= 2 tokens, d >= 2, d', d'' <= d, one head);
    a short key for each, in the order the producer states them.  Every other architecture has none."""
    family, s = _architecture(spec)
    if family != "attention":
        return []
    gaps = []
    if s["tokens"] < 2:
        gaps.append("N >= 2")
    if s["d"] < 2:
        gaps.append("d >= 2")
    if s["dk"] > s["d"] or s["dv"] > s["d"]:
        gaps.append("d', d'' <= d")
    if s["heads"] >= 2:
        gaps.append("heads")
    return gaps


def description_phrases(spec: Any) -> list[str]:
    """Phrases the description of the architecture must contain (its family and every size, in the producer's
    wording), checked so that a certificate cannot describe another network than the one it proves."""
    family, s = _architecture(spec)
    tup = ", ".join
    if family in ("linear", "relu"):
        out = ["ReLU" if family == "relu" else "linear", f"widths ({tup(map(str, s['widths']))})"]
        out += ["and biases"] if s["bias"] else []
    elif family == "softmax":
        out = ["softmax", f"with {s['widths'][0]} inputs and {s['widths'][1]} classes"] + (["bias"] if s["bias"] else [])
    elif family == "attention":
        out = [f"d = {s['d']}, d' = {s['dk']}, d'' = {s['dv']}",
               "one attention head" if s["heads"] == 1 else f"{s['heads']} heads"]
    else:
        out = [f"channels (C, J, K) = ({tup(map(str, s['channels']))})", f"signal length {s['length']}",
               f"filter sizes ({tup(map(str, s['filters']))})"]
        out += [f"strides ({tup(map(str, s['strides']))})"] if s["strides"] != [1, 1] else []
    return out + (["residual block x + g(x)"] if s["residual"] else [])


def _forbidden_phrases(spec: Any) -> list[str]:
    """Phrases that would claim what the architecture does not have (biases it lacks, a residual connection)."""
    family, s = _architecture(spec)
    out = [] if s["residual"] else ["residual"]
    if family in ("relu", "linear", "softmax") and not s["bias"]:
        out.append("bias")
    return out


def check_presentation(cert: dict, fails: list[str], facts: list[str]) -> None:
    """The free-text fields a certificate presents as claims: its ``description`` must name the architecture's
    family and sizes (:func:`description_phrases`), and ``model.relation``/``reasons`` (is φ's count the model's, or
    only a lower bound for it?) must follow from the architecture's own gaps (:func:`expected_gaps`)."""
    spec, description = cert["architecture"], cert.get("description")
    if description is not None:
        _need(isinstance(description, str) and len(description) <= 2000, "\"description\" must be a short string")
        missing = [p for p in description_phrases(spec) if p not in description]
        wrong = [p for p in _forbidden_phrases(spec) if p in description]
        if missing or wrong:
            fails.append(f"the description {_show(description)} does not describe the architecture "
                         f"{_show(spec)}" + (f" (missing {missing})" if missing else "") +
                         (f" (claims {wrong})" if wrong else ""))
        else:
            facts.append("description names the architecture's family and sizes")
    gaps = expected_gaps(spec)
    model = cert.get("model")
    if model is None:
        facts.append("no model relation claimed (phi's count only)")
        return
    _need(isinstance(model, dict) and isinstance(model.get("reasons"), list),
          f"\"model\" must be an object with \"relation\" and a list \"reasons\", got {_show(model)}")
    relation, reasons = model.get("relation"), model["reasons"]
    expected = "lower bound" if gaps else "equal"
    if relation != expected or len(reasons) != len(gaps) or \
            not all(isinstance(r, str) and key in r for r, key in zip(reasons, gaps)):
        fails.append(f"the model relation {_show(relation)} with {len(reasons)} reasons does not follow from the "
                     f"architecture: the checker finds it {expected!r}" +
                     (f" (hypotheses left: {', '.join(gaps)})" if gaps else ""))
    else:
        facts.append(f"model relation {relation!r} follows from the architecture" +
                     (f" (hypotheses left: {', '.join(gaps)})" if gaps else " (the theorem's hypotheses hold)"))


def _check_parameters(cert: dict, names: list[str]) -> None:
    """The certificate's parameters are exactly the architecture's (names and order), for its flow: θ, or
    (s, θ, v_θ) / (s, θ, p_θ) on the phase space of the momentum flows."""
    theta = expected_parameters(cert["architecture"])
    kind = cert["flow"].get("kind") if isinstance(cert.get("flow"), dict) else None
    prefix = {"momentum": "v_", "mirror-momentum": "p_"}.get(kind)
    expected = theta if prefix is None else ["s"] + theta + [prefix + n for n in theta]
    if names != expected:
        extra = [n for n in names if n not in expected][:3]
        lost = [n for n in expected if n not in names][:3]
        detail = (f"; not in it: {extra}" if extra else "") + (f"; missing: {lost}" if lost else "") or \
            "; the order differs"
        raise CertificateFormatError(f"the parameters are not those of the architecture ({len(names)} listed, "
                                     f"{len(expected)} expected{detail})")


# ------------------------------------------------------------- the checks
def _gradient(expr, symbols) -> list:
    free = expr.free_symbols
    return [sympy.diff(expr, s) if s in free else sympy.Integer(0) for s in symbols]


def _bracket(X: sympy.Matrix, Y: sympy.Matrix, theta: sympy.Matrix) -> sympy.Matrix:
    """[X, Y] = ∂Y·X − ∂X·Y."""
    return (Y.jacobian(theta) * X - X.jacobian(theta) * Y).applyfunc(sympy.expand)


def _rank(rows: list[list]) -> int:
    """Exact rank of a matrix of rationals: SymPy's DomainMatrix over QQ (fraction-free elimination in the field;
    ``Matrix.rank`` on expression entries took over 15 minutes on a 44 × 72 matrix of a 2023-paper certificate)."""
    return DomainMatrix.from_Matrix(sympy.Matrix(rows)).to_field().rank()


FLOW_KINDS = ("momentum", "mirror", "mirror-momentum")


def _phase_space(flow: dict, phi: list, names: list[str], symbols: list, prefix: str) -> tuple:
    """(τ, s, θ, the velocity-like symbols) of a phase-space certificate: the parameters must be s, then θ, then
    one ``prefix`` name per θ in the same order; φ may involve θ only."""
    tau = _rational(flow.get("tau"), "flow tau")
    _need(tau > 0, f"the friction tau must be positive, got {_show(flow.get('tau'))}")
    _need(len(names) % 2 == 1 and names[0] == "s", f"a {flow['kind']} certificate's parameters start with s")
    D = (len(names) - 1) // 2
    theta = symbols[1:D + 1]
    _need(names[D + 1:] == [prefix + n for n in names[1:D + 1]],
          f"a {flow['kind']} certificate's parameters are s, theta, then {prefix} of each theta in the same order")
    for k, p in enumerate(phi):
        _need(not (p.free_symbols - set(theta)), f"phi component {k} involves more than theta")
    return sympy.Rational(tau.numerator, tau.denominator), symbols[0], theta, symbols[D + 1:]


def _positive(flow: dict, D: int) -> set[int]:
    """The parameters under the entropic metric (``flow.positive``: indices into θ; default all)."""
    if "positive" not in flow:
        return set(range(D))
    chosen = flow["positive"]
    _need(isinstance(chosen, list) and len(chosen) <= D, "\"positive\" must be a list of parameter indices")
    return {_int(i, "a positive parameter index", 0, D - 1) for i in chosen}


def _which(chosen: set[int], names: list[str]) -> str:
    """The parameters that carry the entropic metric, by name (all of them, or the list)."""
    if len(chosen) == len(names):
        return f"all {len(names)} parameters"
    listed = ", ".join(names[i] for i in sorted(chosen))
    return f"{len(chosen)} of the {len(names)} parameters: {listed}; Euclidean on the others"


def _flow_generators(flow: Any, phi: list, names: list[str], symbols: list) -> tuple[list, str]:
    """The generators of a certificate's flow, rebuilt from φ, and a sentence saying which they are.

    * ``momentum``: the heavy-ball flow on (s, θ, v): V_0 = (τs, v, −τv), W_k = (0, 0, −∇_θφ_k);
    * ``mirror``: the mirror flow θ̇ = −K(θ)∇L on θ, K = diag(θ_i on the positive parameters, 1 elsewhere):
      X_k = K(θ)∇φ_k;
    * ``mirror-momentum``: its momentum version on (s, θ, p): V_0 = (τs, K(θ)p, −τp), W_k = (0, 0, −∇_θφ_k).
    """
    _need(isinstance(flow, dict) and flow.get("kind") in FLOW_KINDS, f"unknown flow {_show(flow)}")
    kind = flow["kind"]
    if kind == "mirror":
        chosen = _positive(flow, len(symbols))
        grads = [_gradient(p, symbols) for p in phi]
        return ([sympy.Matrix([t * g if i in chosen else g for i, (t, g) in enumerate(zip(symbols, grad))])
                 for grad in grads],
                f"the mirror-flow fields K(theta) grad phi_k built from phi ({len(phi)}; entropic metric on "
                f"{_which(chosen, names)})")
    tau, s, theta, dual = _phase_space(flow, phi, names, symbols, "v_" if kind == "momentum" else "p_")
    D = len(theta)
    if kind == "momentum":
        moved = list(dual)
    else:
        chosen = _positive(flow, D)
        moved = [t * p if i in chosen else p for i, (t, p) in enumerate(zip(theta, dual))]
    drift = sympy.Matrix([tau * s] + moved + [-tau * x for x in dual])
    pushes = [sympy.Matrix([0] * (D + 1) + [-g for g in _gradient(p, theta)]) for p in phi]
    which = f"; entropic metric on {_which(chosen, names[1:D + 1])}" if kind == "mirror-momentum" else ""
    return [drift] + pushes, f"the {kind} phase-space fields V_0 and W_k built from phi ({len(phi) + 1}{which})"


def verdict_text(status: str, D: int, rank: int, laws: int, single_field: bool = False) -> str:
    """The only verdict sentences a certificate may carry (the checker's own copy of the format)."""
    if single_field:
        return (f"exactly {D - 1} independent conservation laws (one field, nonzero at the point: the flow-box "
                f"theorem; {laws} of them written out)")
    if status == "proven":
        return f"exactly {laws} independent conservation laws (rank {rank} + {laws} laws = D = {D})"
    return f"count bounded between {laws} and {D - rank}"


def check_verdict_types(verdict: dict) -> None:
    """A verdict's numbers are JSON integers (``2.0`` or ``true`` is not a count) and its status one of two words."""
    _need(verdict.get("status") in ("proven", "bounded"),
          f"the verdict's status must be \"proven\" or \"bounded\", got {_show(verdict.get('status'))}")
    for key in ("laws", "lower", "upper"):
        if key in verdict:
            _int(verdict[key], f"the verdict's {key!r}", 0, 2 * LIMITS.max_parameters + 1)


def _parameters(cert: dict) -> list[str]:
    names = cert["parameters"]
    _need(isinstance(names, list) and names, f"\"parameters\" must be a non-empty list of names, got {_show(names)}")
    _need(len(names) <= LIMITS.max_parameters,
          f"{len(names)} parameters, more than the checker's limit of {LIMITS.max_parameters}")
    for n in names:
        _need(isinstance(n, str) and _NAME.match(n) is not None, f"{_show(n)} is not a parameter name")
    _need(len(set(names)) == len(names), "a parameter name is listed twice")
    return names


def check_certificate(cert: Any, deadline: float = DEADLINE_SECONDS) -> CheckReport:
    """Verify the three claims and the verdict; collect every failure.

    Malformed or oversized input raises :class:`CertificateFormatError`; a
    well-formed certificate whose claims do not hold gives ``ok = False``.  ``deadline``: the seconds after which
    a check is stopped and refused (:class:`checker_work.Deadline`, a backstop behind the work estimates).
    """
    _need(isinstance(cert, dict), "the certificate must be a JSON object")
    _start_deadline(deadline)
    if cert.get("format") == SIGN_FLOW_FORMAT:
        from .checker_sign_flow import check_sign_flow_certificate

        return check_sign_flow_certificate(cert)
    for key in ("format", "version", "architecture", "parameters", "point", "generators", "laws", "rank_witness", "verdict"):
        _need(key in cert, f"missing key {key!r}")
    _need(cert["format"] == FORMAT, f"format is {_show(cert['format'])}, expected {FORMAT!r}")
    version = cert["version"]
    _need(version in SUPPORTED_VERSIONS and not isinstance(version, bool),
          f"unsupported certificate version {_show(version)}")
    names = _parameters(cert)
    D = len(names)
    symbols = [sympy.Symbol(n) for n in names]
    fails: list[str] = []
    facts: list[str] = []
    _need(isinstance(cert["point"], list), f"\"point\" must be a list of rationals, got {_show(cert['point'])}")
    _need(len(cert["point"]) == D, f"the point has {len(cert['point'])} coordinates for {D} parameters")
    point = [_rational(c, f"point coordinate {i}") for i, c in enumerate(cert["point"])]
    at = {s: sympy.Rational(c.numerator, c.denominator) for s, c in zip(symbols, point)}

    gens_spec, laws_spec, witness, verdict = cert["generators"], cert["laws"], cert["rank_witness"], cert["verdict"]
    _need(isinstance(gens_spec, dict) and isinstance(gens_spec.get("phi"), list),
          "\"generators\" must be an object with a list \"phi\"")
    _need(len(gens_spec["phi"]) <= LIMITS.max_phi, f"phi has more than {LIMITS.max_phi} components")
    _need(isinstance(laws_spec, list), f"\"laws\" must be a list, got {_show(laws_spec)}")
    _need(len(laws_spec) <= LIMITS.max_laws, f"more than {LIMITS.max_laws} laws")
    _need(isinstance(witness, dict) and isinstance(witness.get("brackets"), list),
          "\"rank_witness\" must be an object with a list \"brackets\"")
    _need(len(witness["brackets"]) <= LIMITS.max_brackets, f"more than {LIMITS.max_brackets} witness brackets")
    _need(isinstance(verdict, dict), f"\"verdict\" must be an object, got {_show(verdict)}")
    check_verdict_types(verdict)
    _int(witness.get("rank"), "the witness rank", 0, LIMITS.max_parameters)

    kind = cert["flow"].get("kind") if isinstance(cert.get("flow"), dict) else None
    if "D" in cert:
        _need(strictly_equal(cert["D"], D), f"\"D\" is {_show(cert['D'])}, but {D} parameters are listed")
    if kind == "data-symmetry":  # stored fields, checked against the checker's own rebuild of the loss gradients
        from .checker_data_symmetry import data_symmetry_generators

        gens, same_span = data_symmetry_generators(cert, names, symbols, version, fails, facts)
        report = _verify_claims(cert, names, symbols, version, gens, at, fails, facts, kind)
        if report.ok:  # the costly rebuild last: a certificate whose claims fail is rejected without it
            same_span()
            report.ok = not report.failures
        return report

    # generators: φ must be rebuilt from the architecture; an architecture the checker cannot rebuild is refused,
    # and so are parameters other than the architecture's own (an unused extra parameter is a free "law").  The
    # work is priced from the declared sizes before any algebra (checker_work).
    spec = cert["architecture"]
    _need(isinstance(spec, dict) and isinstance(spec.get("name"), str),
          f"\"architecture\" must be an object with a name, got {_show(spec)}")
    if spec["name"].removeprefix("residual-") not in REBUILDABLE:
        fails.append(f"architecture {spec['name']!r} is not one the checker can rebuild, so phi (and with it the "
                     "generators) cannot be verified")
        return CheckReport(False, fails, facts, {}, kind or "gradient")
    size = phi_size(spec)
    _check_parameters(cert, names)
    facts.append(f"parameters: the {D} of the architecture, in its order")
    if len(gens_spec["phi"]) > size.components:  # (conv: at most; its φ keeps each distinct product once)
        fails.append(f"phi stored in the certificate has {len(gens_spec['phi'])} components, but the architecture it "
                     f"names has at most {size.components}")
        return CheckReport(False, fails, facts, {}, kind or "gradient")
    phi_polys = [_polynomial(p, f"phi component {k}", version, names, fails) for k, p in enumerate(gens_spec["phi"])]
    law_polys = [_law_polys(h, i, version, names, fails) for i, h in enumerate(laws_spec)]
    generator_terms = [poly_size(p).terms * max(poly_size(p).degree, 1) for p in phi_polys]
    if kind in ("momentum", "mirror-momentum"):
        generator_terms.append(4 * D)
    _budget(law_units([poly_size(q) for pair in law_polys for q in pair], generator_terms),
            f"checking {len(law_polys)} laws against {len(generator_terms)} generators")
    _budget(_witness_units(witness["brackets"], D, max(generator_terms, default=1)), "recomputing the witness brackets")
    if "intrinsic" in cert:
        _budget(size.components * (size.components + 1) // 2 * D * max(size.terms, 1),
                "the intrinsic claim's M = dphi dphi^T")
    rebuilt = _rebuild_phi(cert["architecture"])
    stored_phi = [_expr(p, symbols) for p in phi_polys]
    if sorted(map(sympy.srepr, map(sympy.expand, rebuilt))) != sorted(map(sympy.srepr, stored_phi)):
        fails.append("phi stored in the certificate does not match the architecture it names")
    if fails:  # stop at the first failed check: nothing after it could make the certificate valid
        return CheckReport(False, fails, facts, {}, kind or "gradient")
    facts.append(f"phi rebuilt independently from the architecture {_show(cert['architecture'])} and matched")
    check_presentation(cert, fails, facts)
    phi = stored_phi  # its order numbers the generators in the witness trees
    if "flow" in cert:
        gens, which = _flow_generators(cert["flow"], phi, names, symbols)
        facts.append(f"generators: {which}")
    else:
        gens = [sympy.Matrix(_gradient(p, symbols)) for p in phi]
    tick("building the generators")

    report = _verify_claims(cert, names, symbols, version, gens, at, fails, facts,
                            cert["flow"]["kind"] if "flow" in cert else "gradient")
    if "intrinsic" in cert:  # the kernel-inclusion claim of intrinsic dynamics, on top of the count
        from .checker_intrinsic import check_kernel_inclusion

        check_kernel_inclusion(cert, phi, names, symbols, version, at, report)
    return report


def _law_polys(spec: Any, i: int, version: int, names: list[str], fails: list[str]) -> tuple[dict, dict]:
    """(A, B) of a law A/B as parsed polynomials: a polynomial law has B = 1; ``{"numerator": …, "denominator": …}``
    is rational."""
    if isinstance(spec, dict) and "numerator" in spec:
        _need("denominator" in spec, f"law {i}: a rational law needs a \"denominator\"")
        A = _polynomial(spec["numerator"], f"law {i} numerator", version, names, fails)
        B = _polynomial(spec["denominator"], f"law {i} denominator", version, names, fails)
        _need(bool(B), f"law {i}: the denominator is zero")
        return A, B
    return _polynomial(spec, f"law {i}", version, names, fails), {(): Fraction(1)}


def _law(spec: Any, i: int, version: int, names: list[str], symbols: list, fails: list[str]) -> tuple:
    """(A, B) of a law A/B as SymPy expressions (:func:`_law_polys`)."""
    A, B = _law_polys(spec, i, version, names, fails)
    return _expr(A, symbols), _expr(B, symbols)


def _witness_units(brackets: list, D: int, generator_terms: int) -> int:
    """Units of the witness brackets: each internal node of a tree is a Jacobian (D² derivatives) times a field,
    priced with the largest generator's terms squared; every value is then evaluated at the point (D each)."""
    nodes = 0
    for entry in brackets:
        stack = [entry.get("tree") if isinstance(entry, dict) else None]
        while stack:
            t = stack.pop()
            if isinstance(t, list):
                nodes += 1
                stack += t[:2]
            if nodes > 10**6:
                break
    return nodes * (D * D + generator_terms ** 2) + len(brackets) * D


def _verify_claims(cert: dict, names: list[str], symbols: list, version: int, gens: list, at: dict,
                   fails: list[str], facts: list[str], flow: str) -> CheckReport:
    """Claims (1)–(3) and the verdict, on the generators ``gens`` (sympy column matrices)."""
    D = len(names)
    theta = sympy.Matrix(symbols)
    laws_spec, witness, verdict = cert["laws"], cert["rank_witness"], cert["verdict"]
    # (1) every law is a first integral of every generator
    laws = [_law(h, i, version, names, symbols, fails) for i, h in enumerate(laws_spec)]
    law_grads = []
    for i, (A, B) in enumerate(laws):
        gA, gB = _gradient(A, symbols), _gradient(B, symbols)
        g = [sympy.expand(B * a - A * b) for a, b in zip(gA, gB)]  # B²∇(A/B)
        law_grads.append(g)
        if all(c == 0 for c in g):
            fails.append(f"law {i} is a constant, not a conservation law")
            continue
        for k, X in enumerate(gens):
            tick("checking the laws")
            d = sympy.expand(sum(g[j] * X[j] for j in range(D) if g[j] != 0 and X[j] != 0))
            if d != 0:
                fails.append(f"law {i} is not conserved: <grad h_{i}, X_{k}> = {_show(str(d))} is not "
                             "identically 0")
                break
        if fails:  # stop at the first failed check
            return CheckReport(False, fails, facts, {}, flow)
    facts.append(f"{len(laws)} laws checked against {len(gens)} generators as polynomial identities")

    # (2) the laws' gradients are independent at the point
    m = len(laws)
    if any(B.xreplace(at) == 0 for _, B in laws):
        fails.append("a law's denominator vanishes at the point")
    if law_grads:
        law_rank = _rank([[c.xreplace(at) for c in g] for g in law_grads])
        if law_rank != m:
            fails.append(f"the laws' gradients have rank {law_rank} at the point, not {m}: they are not independent")
    if fails:
        return CheckReport(False, fails, facts, {}, flow)
    facts.append(f"laws independent at the point: {m}")

    # (3) the witness brackets: recompute each value, then the rank
    cache: dict[str, sympy.Matrix] = {}

    def build(tree):
        key = json.dumps(tree)
        if key not in cache:
            tick("recomputing the witness brackets")
            cache[key] = gens[tree] if isinstance(tree, int) else _bracket(build(tree[0]), build(tree[1]), theta)
        return cache[key]

    values = []
    for b, entry in enumerate(witness["brackets"]):
        _need(isinstance(entry, dict) and "tree" in entry and isinstance(entry.get("value"), list),
              f"witness bracket {b} must be an object with \"tree\" and a list \"value\"")
        _need(gens, "witness brackets but no generators")
        tree = _tree(entry["tree"], len(gens))
        _need(len(entry["value"]) == D, f"witness bracket {b}: its value has {len(entry['value'])} coordinates, not {D}")
        stored = sympy.Matrix([_rational(c, f"witness bracket {b} value") for c in entry["value"]]).applyfunc(
            lambda c: sympy.Rational(c.numerator, c.denominator))
        value = build(tree).xreplace(at)
        if value != stored:
            fails.append(f"witness bracket {b} {_show(entry['tree'])}: its value at the point is not the one stored")
        values.append(list(value))
    rank = _rank(values) if values else 0
    if not strictly_equal(witness.get("rank"), rank):
        fails.append(f"the witness brackets have rank {rank} at the point, but the certificate claims "
                     f"{_show(witness.get('rank'))}")
    facts.append(f"witness rank at the point: {rank}")

    # the verdict those numbers support, its numbers and its sentence; one generator, nonzero at the point (rank
    # 1), has exactly D − 1 laws near it by the flow-box theorem, however many are written out
    single = len(gens) == 1 and rank == 1 and m < D - 1
    if single:
        expected = {"status": "proven", "laws": D - 1}
    elif rank + m == D:
        expected = {"status": "proven", "laws": m}
    else:
        expected = {"status": "bounded", "lower": m, "upper": D - rank}
    claimed = {k: verdict.get(k) for k in expected}
    sentence = verdict_text(expected["status"], D, rank, m, single)
    if not strictly_equal(claimed, expected):
        fails.append(f"the verdict claims {_show(verdict.get('text', verdict))}, "
                     f"but the verified numbers give {expected}")
    elif verdict.get("text") != sentence:
        fails.append(f"the verdict's text {_show(verdict.get('text'))} does not state the verified result "
                     f"{sentence!r}")
    return CheckReport(not fails, fails, facts, expected, flow)


def check_file(path: str) -> CheckReport:
    """Read (bounded) and check a certificate file; unreadable or malformed input raises CertificateFormatError."""
    return check_certificate(_read_json(path))


def check_bytes(data: bytes, deadline: float = DEADLINE_SECONDS) -> CheckReport:
    """Check a certificate from the bytes of its file: the same reader and checks as :func:`check_file`."""
    return check_certificate(_parse_json(data), deadline)
