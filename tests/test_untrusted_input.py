"""Untrusted input: certificates and polynomial text are data, never code, and never unbounded work.

Each hostile certificate must be rejected with exit status 1 (a claim does not
hold) or 2 (unreadable, malformed or over a bound, one line), never 3
(internal error), never a traceback, and never run anything.
"""
from __future__ import annotations

import copy
import io
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conslaw.algebra import NonPolynomialError, ParameterSpace, PolynomialVectorField
from conslaw.algebra.polynomial_text import PolynomialTextError, parse_polynomial, parse_rational
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import certify


def _payloads(sentinel: str) -> list[str]:
    return [
        f"__import__('os').system('touch {sentinel}')",
        f"exec(\"open('{sentinel}', 'w')\")",
        f"U1[0,0]**2 + __import__('os').system('touch {sentinel}')",
        "().__class__.__bases__[0].__subclasses__()",
        f"eval(\"open('{sentinel}', 'w')\")",
        f"lambda: open('{sentinel}', 'w')",
    ]


@pytest.fixture(scope="module")
def cert():
    return certify("relu", [2, 1, 2])


def _v1(cert: dict) -> dict:
    """The same certificate in the version-1 layout (polynomials as text)."""
    old = copy.deepcopy(cert)
    old["version"] = 1
    old["laws"] = [h["text"] for h in cert["laws"]]
    old["generators"]["phi"] = [p["text"] for p in cert["generators"]["phi"]]
    return old


def _check(tmp_path, document, *, raw: bytes | None = None, capsys=None):
    path = tmp_path / "cert.json"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(document))
    code = run(["check", str(path)], out=io.StringIO())
    err = capsys.readouterr().err if capsys is not None else ""
    return code, err


def test_version_1_is_still_read_safely(cert, tmp_path, capsys):
    code, err = _check(tmp_path, _v1(cert), capsys=capsys)
    assert code == 0, err


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("where", ["law", "phi"])
def test_code_in_a_certificate_is_never_run(cert, tmp_path, capsys, version, where):
    sentinel = tmp_path / "pwned"
    for payload in _payloads(str(sentinel)):
        doc = copy.deepcopy(cert) if version == 2 else _v1(cert)
        if version == 2:
            record = {"terms": [["1", [[0, 2]]]], "text": payload}
            if where == "law":
                doc["laws"][0] = record
            else:
                doc["generators"]["phi"][0] = record
        else:
            if where == "law":
                doc["laws"][0] = payload
            else:
                doc["generators"]["phi"][0] = payload
        code, err = _check(tmp_path, doc, capsys=capsys)
        assert not sentinel.exists(), payload
        assert code in (1, 2), (payload, code, err)
        assert "Traceback" not in err and "internal error" not in err


def test_python_api_strings_are_never_run(tmp_path):
    space = ParameterSpace(["U1[0,0]", "b1[0]"])
    sentinel = tmp_path / "pwned"
    for payload in _payloads(str(sentinel)):
        with pytest.raises(NonPolynomialError):
            PolynomialVectorField.from_exprs(space, [payload, "0"])
    assert not sentinel.exists()


@pytest.mark.parametrize("text, fragment", [
    ("U1[0,0]**100000000", "exponent"),
    ("(U1[0,0]+b1[0]+U1[0,0]*b1[0])**100000", "exponent"),
    ("9**9**9**9", "chained powers"),
    ("(U1[0,0]+b1[0])**40*(U1[0,0]-b1[0])**40", "degree"),
    ("(" * 10_000 + "1" + ")" * 10_000, "nesting"),
    ("1" * 5000, "digits"),
    ("U1[0,0]/b1[0]", "non-constant"),
    ("1/0", "division by zero"),
    ("(((", "ends in the middle"),
    ("2.5*U1[0,0]", "unexpected character"),
    ("U1[0,0]^2", r"use \*\* for powers"),
    ("x", "unknown symbol"),
])
def test_the_grammar_refuses_at_once(text, fragment):
    t0 = time.perf_counter()
    with pytest.raises(PolynomialTextError, match=fragment):
        parse_polynomial(text, ["U1[0,0]", "b1[0]"])
    assert time.perf_counter() - t0 < 2.0  # bounded: refused before any real work


def test_the_grammar_reads_polynomials():
    p = parse_polynomial("-(U1[0,0] - 2*b1[0])**2/4 + 3", ["U1[0,0]", "b1[0]"])
    assert p == {((0, 2),): -0.25, ((0, 1), (1, 1)): 1, ((1, 2),): -1, (): 3}
    assert parse_rational("-22/7") * 7 == -22
    for bad in ("1/0", "1.5", "1e3", "2**3", "", "1/-2"):
        with pytest.raises(PolynomialTextError):
            parse_rational(bad)


def _set(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize("path, value", [
    (("point", 0), "1/0"),
    (("laws", 0, "text"), "((("),
    (("laws",), "U1[0,0]**2"),
    (("architecture",), "relu"),
    (("verdict",), "proven"),
    (("rank_witness", "brackets", 0, "tree"), "0"),
    (("laws", 0, "terms", 0, 1, 0), [0, 100000000]),
    (("laws", 0, "terms", 0, 0), "9" * 100_000),
    (("architecture", "widths"), [300, 300, 300]),
    (("architecture", "widths"), [True, 1, 2]),
    (("parameters",), ["__import__('os')"]),
    (("version",), True),
])
def test_malformed_certificates_exit_2_in_one_line(cert, tmp_path, capsys, path, value):
    doc = copy.deepcopy(cert)
    _set(doc, path, value)
    t0 = time.perf_counter()
    code, err = _check(tmp_path, doc, capsys=capsys)
    assert code == 2, err
    assert err.startswith("conslaw: error:") and err.count("\n") == 1
    assert time.perf_counter() - t0 < 15


@pytest.mark.parametrize("raw", [
    b"\x00\xff\xfe binary \x89PNG",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    b"1" * 10_000,
])
def test_unreadable_files_exit_2(tmp_path, capsys, raw):
    code, err = _check(tmp_path, None, raw=raw, capsys=capsys)
    assert code == 2 and err.count("\n") == 1


def test_dev_zero_is_bounded(capsys):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    t0 = time.perf_counter()
    assert run(["check", "/dev/zero"], out=io.StringIO()) == 2
    assert "limit" in capsys.readouterr().err
    assert time.perf_counter() - t0 < 10


# ---------------------------------------------------------------- fuzzing
_hostile = st.sampled_from(_payloads("/tmp/conslaw-fuzz-sentinel") + [
    "1/0", "(((", "9**9**9**9", "U1[0,0]**100000000", "\x00", "nan", "-0", "1e308", "[[", "{}", "",
])
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12) | _hostile,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_mutated_certificates(cert, tmp_path, capsys, data):
    doc = copy.deepcopy(cert) if data.draw(st.booleans()) else _v1(cert)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "delete"]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if action == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(_json)
    code, err = _check(tmp_path, doc, capsys=capsys)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1
    assert not os.path.exists("/tmp/conslaw-fuzz-sentinel")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_json)
def test_fuzz_random_json(tmp_path, capsys, doc):
    code, err = _check(tmp_path, doc, capsys=capsys)
    assert code == 2 and err.count("\n") == 1, err


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("U1[0,]b+-*/()**0123456789 .^_xe'\"")), max_size=40) | _hostile)
def test_fuzz_polynomial_text(text):
    space = ParameterSpace(["U1[0,0]", "b1[0]"])
    try:
        PolynomialVectorField.from_exprs(space, [text, "0"])
    except NonPolynomialError:
        pass


# ------------------------------------------------- bounded exact commands
@pytest.mark.parametrize("args, fragment", [
    (["count", "relu", "1000", "1000", "1000"], "use --numeric"),
    (["laws", "relu", "1000", "1000", "1000"], "memory"),
    (["certify", "relu", "1000", "1000", "1000", "-o", "/dev/null"], "memory"),
    (["count", "linear", "1000", "1000"], "memory"),
    (["count", "attention", "--d", "1000", "--dk", "8", "--dv", "8"], "memory"),
    (["count", "relu", "3", "3", "3", "--points", "1000"], "--points 1000"),
    (["laws", "relu", "3", "2", "3", "--bias", "--degree", "10"], "lower --degree"),
    (["laws", "relu", "1000", "1000", "1000", "--degree", "64"], "more than 10^15 unknowns"),
    (["laws", "relu", "3", "3", "--degree", "100000000"], "above 64"),
    (["count", "resnet", "--dim", "1000", "--hidden", "1000", "1000"], "smaller sizes"),
    (["count", "relu", "3", "3", "3", "--numeric", "--seed", str(10**30)], "seed between 0 and 2^63"),
    (["count", "relu", "3", "3", "3", "--numeric", "--force"], "--force is for the exact"),
    (["count", "relu", "3", "3", "3", "--time-limit", "-1"], "positive number of seconds"),
])
def test_oversized_requests_are_refused_at_once(args, fragment, capsys):
    t0 = time.perf_counter()
    assert run(args, out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and err.startswith("conslaw: error:")
    assert time.perf_counter() - t0 < 10  # refused from the shapes, not after trying


def test_time_limit_stops_an_exact_run(capsys):
    t0 = time.perf_counter()
    assert run(["count", "relu", "16", "16", "16", "--time-limit", "0.5", "--no-progress"], out=io.StringIO()) == 4
    assert "time limit of 0.5 s" in capsys.readouterr().err
    assert time.perf_counter() - t0 < 15
    out = io.StringIO()  # a stopped run never looks like a count in JSON
    assert run(["count", "relu", "16", "16", "16", "--time-limit", "0.5", "--json"], out=out) == 4
    assert json.loads(out.getvalue()) == {"status": "stopped", "bound_reason": json.loads(out.getvalue())["bound_reason"]}


def test_a_stopped_numerical_run_reports_a_bound_not_a_count(capsys):
    """relu 40 40 40 has 40 laws; stopped after a second, its JSON has only laws_at_most, status stopped, exit 4,
    and the run ends within 10 % of the limit (plus the interpreter's start, counted from run())."""
    out = io.StringIO()
    t0 = time.perf_counter()
    code = run(["count", "relu", "40", "40", "40", "--numeric", "--time-limit", "3", "--json"], out=out)
    seconds = time.perf_counter() - t0
    report = json.loads(out.getvalue())
    assert code == 4
    assert "laws" not in report and report["status"] == "stopped" and report["laws_at_most"] >= 40
    assert seconds < 3 * 1.1


def test_a_bounded_count_is_not_a_count_in_json():
    out = io.StringIO()
    assert run(["count", "resnet", "--dim", "1", "--hidden", "1", "1", "--json"], out=out) == 0
    report = json.loads(out.getvalue())
    assert "laws" not in report
    assert (report["laws_at_least"], report["laws_at_most"], report["status"]) == (2, 3, "bounded")


def test_huge_exact_seed_works():
    out = io.StringIO()
    assert run(["count", "relu", "2", "2", "2", "--seed", str(10**30), "--json"], out=out) == 0
    assert json.loads(out.getvalue())["laws"] == 2


@pytest.mark.parametrize("text", ["U1[0,0]**100000000", "(U1[0,0]+U2[0,0]+U2[1,0])**100000", "9**9**9**9"])
def test_oversized_version_1_laws_are_refused_at_once(cert, tmp_path, capsys, text):
    doc = _v1(cert)
    doc["laws"][0] = text
    t0 = time.perf_counter()
    code, err = _check(tmp_path, doc, capsys=capsys)
    assert code == 2 and err.count("\n") == 1 and "law 0" in err
    assert time.perf_counter() - t0 < 10


def test_matched_is_said_only_when_phi_matches(cert):
    from conslaw.verification.checker import check_certificate

    good = check_certificate(cert)
    assert any("matched" in f for f in good.facts)
    bad = copy.deepcopy(cert)
    bad["generators"]["phi"][0] = {"terms": [["2", [[0, 1], [2, 1]]]]}
    report = check_certificate(bad)
    assert not report.ok and not any("matched" in f for f in report.facts)
    assert any("does not match the architecture" in f for f in report.failures)
