"""The checker's own φ: each architecture rebuilt with SymPy expression matrices, independent of
:mod:`conslaw.algebra.architectures` (on purpose), with its expected parameters and presentation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from .reading import LIMITS, CertificateFormatError, _int, _need, _rational, _show
from .running import _budget


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


def _phi_affine(widths, bias: bool) -> list[sympy.Expr]:
    """The affine network (a leaky ReLU of slope 1): U_q ⋯ U_1 row-major, then U_q ⋯ U_{l+1} b_l per hidden layer."""
    q = len(widths) - 1
    mats = [_matrix(f"U{l}", widths[l], widths[l - 1]) for l in range(1, q + 1)]
    product = sympy.eye(widths[0])
    for m in mats:
        product = m * product
    out = list(product)
    if bias:
        for l in range(1, q):
            carried = sympy.Matrix(widths[l], 1, lambda i, _: sympy.Symbol(f"b{l}[{i}]"))
            for m in mats[l:]:
                carried = m * carried
            out += list(carried)
    return [sympy.expand(e) for e in out]


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
    if family in ("linear", "relu", "leaky-relu"):
        widths, bias = s["widths"], s["bias"]
        D = sum(a * b for a, b in zip(widths, widths[1:])) + (sum(widths[1:-1]) if bias else 0)
        paths = 1
        for l in range(1, len(widths)):
            paths = widths[l - 1] * paths + (1 if bias and l < len(widths) - 1 else 0)
        q = len(widths) - 1
        if family == "relu" or (family == "leaky-relu" and s["slope"] != 1):
            size = PhiSize(D, widths[-1] * paths, 1, q)
        else:  # products of matrices: each entry a sum over the paths between two ends
            size = PhiSize(D, widths[-1] * (widths[0] + (q - 1 if bias else 0)), max(paths // widths[0], 1), q)
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
    if family == "leaky-relu":  # slope ≠ 1: the ReLU path lifting; slope 1: an affine network
        return _phi_relu(s["widths"], s["bias"]) if s["slope"] != 1 else _phi_affine(s["widths"], s["bias"])
    if family == "softmax":
        return _phi_softmax(*s["widths"], s["bias"])
    if family == "attention":
        return _phi_attention(s["d"], s["dk"], s["dv"], s["heads"])
    return _phi_conv(s["channels"], s["length"], s["filters"], s["strides"])


REBUILDABLE = ("linear", "relu", "softmax", "attention", "conv", "leaky-relu")


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
    elif family == "leaky-relu":
        slope = spec.get("slope")
        _need(isinstance(slope, str), f"architecture slope must be a rational \"p/q\", got {_show(slope)}")
        sizes = {"widths": _sizes(spec, "widths", 0), "bias": _flag(spec, "bias"),
                 "slope": _rational(slope, "architecture slope")}
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
    if family in ("linear", "relu", "leaky-relu"):
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
    if family in ("linear", "relu", "leaky-relu"):
        kind = {"relu": "ReLU", "linear": "linear", "leaky-relu": f"leaky ReLU network (slope {s.get('slope')})"}
        out = [kind[family], f"widths ({tup(map(str, s['widths']))})"]
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
    if family in ("relu", "linear", "softmax", "leaky-relu") and not s["bias"]:
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
