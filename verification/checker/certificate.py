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
with :class:`CertificateFormatError` (exit 2 in the CLI), never attempted."""
from __future__ import annotations

import json
from typing import Any

import sympy

from .data_symmetry import data_symmetry_generators
from .exact import _bracket, _gradient, _rank
from .flows import _flow_generators
from .given import given_generators, is_given
from .intrinsic import check_kernel_inclusion
from .laws import _law, _law_polys
from .phi import (
    REBUILDABLE,
    _check_parameters,
    _rebuild_phi,
    check_presentation,
    phi_size,
)
from .reading import (
    FORMAT,
    LIMITS,
    SIGN_FLOW_FORMAT,
    SUPPORTED_VERSIONS,
    CheckReport,
    _expr,
    _int,
    _need,
    _parameters,
    _parse_json,
    _polynomial,
    _rational,
    _read_json,
    _show,
    _tree,
    strictly_equal,
)
from .running import _budget, _start_deadline, poly_size, price_claims, tick
from .sign_flow import check_sign_flow_certificate
from .verdicts import check_verdict_types, verdict_text
from .work import DEADLINE_SECONDS

MODULAR_FORMAT = "conslaw-modular-certificate"  # checked by .modular (its own trusted base: + NumPy, FLINT)
MODULAR_DEADLINE_SECONDS = 120.0  # its work is priced to about a minute (.modular.ModularLimits); a backstop
BALL_FORMAT = "conslaw-ball-rank"  # checked by .ball (its own trusted base: + FLINT's arb balls)


def check_certificate(cert: Any, deadline: float = DEADLINE_SECONDS) -> CheckReport:
    """Verify the three claims and the verdict; collect every failure.

    Malformed or oversized input raises :class:`CertificateFormatError`; a
    well-formed certificate whose claims do not hold gives ``ok = False``.  ``deadline``: the seconds after which
    a check is stopped and refused (:class:`checker_work.Deadline`, a backstop behind the work estimates).
    """
    _need(isinstance(cert, dict), "the certificate must be a JSON object")
    _start_deadline(deadline)
    if cert.get("format") == MODULAR_FORMAT:  # NumPy and FLINT are loaded for this kind only
        from .modular import check_modular_certificate

        _start_deadline(max(deadline, MODULAR_DEADLINE_SECONDS))
        return check_modular_certificate(cert)
    if cert.get("format") == BALL_FORMAT:  # FLINT's balls are loaded for this kind only
        from .ball import check_ball_certificate

        return check_ball_certificate(cert)
    if cert.get("format") == SIGN_FLOW_FORMAT:

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

        gens, same_span = data_symmetry_generators(cert, names, symbols, version, fails, facts)
        report = _verify_claims(cert, names, symbols, version, gens, at, fails, facts, kind)
        if report.ok:  # the costly rebuild last: a certificate whose claims fail is rejected without it
            same_span()
            report.ok = not report.failures
        return report

    if is_given(cert["architecture"]):  # user-given fields: read as stored, nothing to rebuild
        gens = given_generators(cert, names, symbols, version, fails, facts)
        tick("building the generators")
        if fails:
            return CheckReport(False, fails, facts, {}, "given")
        return _verify_claims(cert, names, symbols, version, gens, at, fails, facts, "given")

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
    price_claims(law_polys, generator_terms, witness["brackets"], D)
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

        check_kernel_inclusion(cert, phi, names, symbols, version, at, report)
    return report


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
