"""Re-verify a certificate with code paths independent of the ones that wrote it.

The producer uses SymPy's sparse polynomial rings, FLINT ranks and its own
architecture builders.  The checker uses none of them: it rebuilds φ with
SymPy *expression* matrices, differentiates and expands expression trees,
forms brackets with ``Matrix.jacobian``, and takes ranks with SymPy's own
``Matrix.rank`` over the rationals.  Each failure says what failed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sympy

FORMAT = "conslaw-certificate"
SUPPORTED_VERSIONS = (1,)


class CertificateFormatError(ValueError):
    """The file is not a readable certificate (not JSON, missing keys, wrong version)."""


@dataclass
class CheckReport:
    ok: bool
    failures: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    verdict: dict = field(default_factory=dict)


# ------------------------------------------------------------------ parsing
def _symbols(names):
    return [sympy.Symbol(n) for n in names]


def _parse(text: str, names, symbols) -> sympy.Expr:
    local = {}
    for k, name in enumerate(sorted(names, key=len, reverse=True)):
        if name in text:
            token = f"_v{k}_"
            text = text.replace(name, token)
            local[token] = symbols[names.index(name)]
    return sympy.sympify(text, locals=local)


def _rational(s: str) -> sympy.Rational:
    value = sympy.Rational(s)
    if not isinstance(value, sympy.Rational):
        raise CertificateFormatError(f"{s!r} is not a rational number")
    return value


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


def _rebuild_phi(spec: dict):
    name = str(spec.get("name", ""))
    if name.startswith("residual-"):  # x + g(x): the same fields as g (Prop. 3.2)
        name = name[len("residual-"):]
    widths, bias = spec.get("widths"), spec.get("bias", False)
    if name == "linear":
        return _phi_linear(widths)
    if name == "relu":
        return _phi_relu(widths, bias)
    if name == "softmax":
        return _phi_softmax(widths[0], widths[1], bias)
    if name == "attention":
        return _phi_attention(spec["d"], spec["dk"], spec["dv"], spec["heads"])
    if name == "conv":
        return _phi_conv(spec["channels"], spec["length"], spec["filters"], spec["strides"])
    return None


# ------------------------------------------------------------- the checks
def _gradient(expr, symbols) -> list:
    return [sympy.diff(expr, s) for s in symbols]


def _bracket(X: sympy.Matrix, Y: sympy.Matrix, theta: sympy.Matrix) -> sympy.Matrix:
    """[X, Y] = ∂Y·X − ∂X·Y."""
    return (Y.jacobian(theta) * X - X.jacobian(theta) * Y).applyfunc(sympy.expand)


def check_certificate(cert: dict) -> CheckReport:
    """Verify the three claims and the verdict; collect every failure."""
    for key in ("format", "version", "architecture", "parameters", "point", "generators", "laws", "rank_witness", "verdict"):
        if key not in cert:
            raise CertificateFormatError(f"missing key {key!r}")
    if cert["format"] != FORMAT:
        raise CertificateFormatError(f"format is {cert['format']!r}, expected {FORMAT!r}")
    if cert["version"] not in SUPPORTED_VERSIONS:
        raise CertificateFormatError(f"unsupported certificate version {cert['version']!r}")
    names = list(cert["parameters"])
    D = len(names)
    symbols = _symbols(names)
    theta = sympy.Matrix(symbols)
    fails: list[str] = []
    facts: list[str] = []
    if cert.get("D", D) != D:
        fails.append(f"D is {cert['D']} but {D} parameters are listed")
    point = [_rational(c) for c in cert["point"]]
    if len(point) != D:
        raise CertificateFormatError(f"the point has {len(point)} coordinates for {D} parameters")
    at = dict(zip(symbols, point))

    # generators: rebuilt from the architecture when it is known, else read
    stored_phi = [_parse(p, names, symbols) for p in cert["generators"]["phi"]]
    rebuilt = _rebuild_phi(cert["architecture"])
    phi = stored_phi  # its order numbers the generators in the witness trees
    if rebuilt is not None:
        if sorted(map(sympy.srepr, map(sympy.expand, rebuilt))) != sorted(map(sympy.srepr, map(sympy.expand, stored_phi))):
            fails.append("phi stored in the certificate does not match the architecture it names")
        facts.append(f"phi rebuilt independently from the architecture {cert['architecture']} and matched")
    else:
        facts.append("phi read from the certificate (architecture not rebuilt)")
    gens = [sympy.Matrix(_gradient(p, symbols)) for p in phi]

    # (1) every law is a first integral of every generator
    laws = [_parse(h, names, symbols) for h in cert["laws"]]
    law_grads = []
    for i, h in enumerate(laws):
        if h.free_symbols - set(symbols):
            fails.append(f"law {i} uses symbols that are not parameters")
            continue
        g = _gradient(h, symbols)
        law_grads.append(g)
        for k, X in enumerate(gens):
            d = sympy.expand(sum(g[j] * X[j] for j in range(D) if g[j] != 0 and X[j] != 0))
            if d != 0:
                fails.append(f"law {i} is not conserved: <grad h_{i}, X_{k}> = {d} is not identically 0")
                break
    facts.append(f"{len(laws)} laws checked against {len(gens)} generators as polynomial identities")

    # (2) the laws' gradients are independent at the point
    m = len(laws)
    if law_grads:
        law_rank = sympy.Matrix([[c.subs(at) for c in g] for g in law_grads]).rank()
        if law_rank != m:
            fails.append(f"the laws' gradients have rank {law_rank} at the point, not {m}: they are not independent")
            m = law_rank
    facts.append(f"laws independent at the point: {m}")

    # (3) the witness brackets: recompute each value, then the rank
    witness = cert["rank_witness"]
    cache: dict[str, sympy.Matrix] = {}

    def build(tree):
        key = json.dumps(tree)
        if key not in cache:
            if isinstance(tree, int):
                if not 0 <= tree < len(gens):
                    raise CertificateFormatError(f"witness refers to generator {tree}, but there are {len(gens)}")
                cache[key] = gens[tree]
            else:
                cache[key] = _bracket(build(tree[0]), build(tree[1]), theta)
        return cache[key]

    values = []
    for b, entry in enumerate(witness["brackets"]):
        value = build(entry["tree"]).subs(at)
        stored = sympy.Matrix([_rational(c) for c in entry["value"]])
        if value != stored:
            fails.append(f"witness bracket {b} {entry['tree']}: its value at the point is not the one stored")
        values.append(list(value))
    rank = sympy.Matrix(values).rank() if values else 0
    if rank != witness.get("rank"):
        fails.append(f"the witness brackets have rank {rank} at the point, but the certificate claims {witness.get('rank')}")
    facts.append(f"witness rank at the point: {rank}")

    # the verdict those numbers support
    if rank + m == D:
        expected = {"status": "proven", "laws": m}
    else:
        expected = {"status": "bounded", "lower": m, "upper": D - rank}
    claimed = {k: cert["verdict"].get(k) for k in expected}
    if claimed != expected or cert["verdict"].get("status") != expected["status"]:
        fails.append(f"the verdict claims {cert['verdict'].get('text', cert['verdict'])!s}, "
                     f"but the verified numbers give {expected}")
    return CheckReport(not fails, fails, facts, expected)


def check_file(path: str) -> CheckReport:
    try:
        with open(path) as fh:
            cert: Any = json.load(fh)
    except OSError as exc:
        raise CertificateFormatError(f"cannot read it: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CertificateFormatError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(cert, dict):
        raise CertificateFormatError("the file does not hold a JSON object")
    try:
        return check_certificate(cert)
    except (KeyError, TypeError, IndexError) as exc:
        raise CertificateFormatError(f"malformed certificate: {exc!r}") from None
