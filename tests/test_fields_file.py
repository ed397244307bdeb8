"""``--fields FILE``: a user's own polynomial fields or map φ, read as data by a bounded grammar, then counted,
searched and certified like an architecture (issue 24, item 4).  Expected counts come from arguments outside the
engine: so(3)'s orbits are spheres, a two-layer linear net has h(h + 1)/2 laws (h ≤ min(n, m)), one field nonzero
at a point has D − 1 (the flow-box theorem)."""
from __future__ import annotations

import io
import json

import pytest

from conslaw.algebra.architectures.given import given_architecture
from conslaw.algebra.fields_file import FieldsFileError, FieldsLimits, read_fields_text, split_top_level
from conslaw.verification.checker.certificate import check_certificate
from conslaw.verification.cli import run
from conslaw.verification.proofs.certificate import build_certificate
from conslaw.verification.proofs.counting import count_laws

SO3 = "# rotations of R^3\nparameters: x y z\nfield: y, -x, 0\nfield: 0, z, -y   # the yz-plane\n"


def cli(*args):
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def linear_phi_text(n: int, h: int, m: int) -> str:
    """φ = V U of a two-layer linear net, U (h × n), V (m × h), written as a fields file."""
    names = [f"U[{j},{i}]" for j in range(h) for i in range(n)] + [f"V[{k},{j}]" for k in range(m) for j in range(h)]
    lines = ["parameters: " + " ".join(names)]
    for k in range(m):
        for i in range(n):
            lines.append("phi: " + " + ".join(f"V[{k},{j}]*U[{j},{i}]" for j in range(h)))
    return "\n".join(lines) + "\n"


def test_split_keeps_indexed_names_and_parentheses_whole():
    assert split_top_level("W[0,1], (a + b)*c, -W[2,3]") == ["W[0,1]", " (a + b)*c", " -W[2,3]"]


def test_reading_a_file():
    given = read_fields_text(SO3, "so3.txt")
    assert given.names == ["x", "y", "z"] and given.phi == [] and len(given.fields) == 2
    assert given.fields[0][2] == {}  # the zero polynomial


@pytest.mark.parametrize("text, message", [
    ("field: a, b\n", "no 'parameters:' line"),
    ("parameters: a b\n", "no 'phi:' or 'field:' line"),
    ("parameters: a a\nphi: a\n", "given twice"),
    ("parameters: a b\nfield: a\n", "line 2: a field has 1 components"),
    ("parameters: a b\nphi: a*c\n", "line 2: unknown symbol 'c'"),
    ("parameters: a b\nphi: (a+b)**100000\n", "line 2: exponent 100000 exceeds"),
    ("parameters: a b\nphi: __import__('os').system('true')\n", "line 2"),
    ("parameters: a b\nphi: 0.5*a\n", "line 2"),
    ("parameters: a b\nphi:\n", "line 2: an empty polynomial"),
    ("parameters: a b\nrule: a\n", "line 2: expected 'parameters:', 'phi:', 'field:' or 'law:'"),
    ("parameters: a 1b\nphi: a\n", "'1b' is not a parameter name"),
])
def test_bad_files_are_refused_with_the_line(text, message):
    with pytest.raises(FieldsFileError, match=message.replace("(", r"\(").replace("*", r"\*")):
        read_fields_text(text, "f.txt")


def test_bounds_are_checked_before_the_work():
    small = FieldsLimits(max_bytes=100, max_lines=3, max_parameters=2, max_generators=1, max_terms=2)
    for text, message in (("x" * 101, "characters, over the limit"), ("\n" * 5, "lines, over the limit"),
                          ("parameters: a b c\nphi: a\n", "3 parameters"),
                          ("parameters: a b\nphi: a\nphi: b\n", "2 generators"),
                          ("parameters: a b\nphi: a + b + a*b\n", "terms, over the limit")):
        with pytest.raises(FieldsFileError, match=message):
            read_fields_text(text, "f.txt", small)


def test_rotations_have_one_law_the_squared_radius():
    arch = given_architecture(read_fields_text(SO3, "so3.txt"))
    _, _, report = count_laws(arch)
    assert report["laws"] == 1 and report["rank"] == 2  # so(3)'s orbits are the spheres: one invariant
    cert = build_certificate(arch)
    assert cert["verdict"]["status"] == "proven" and [h["text"] for h in cert["laws"]] == ["x**2 + y**2 + z**2"]
    assert check_certificate(json.loads(json.dumps(cert))).ok


@pytest.mark.parametrize("n, h, m", [(3, 2, 3), (2, 1, 3), (2, 2, 2)])
def test_a_linear_net_written_as_phi_has_the_formula_count(n, h, m):
    arch = given_architecture(read_fields_text(linear_phi_text(n, h, m), "linear.txt"))
    _, _, report = count_laws(arch)
    assert report["laws"] == h * (h + 1) // 2  # Marcotte et al. 2023, two-layer linear nets, h ≤ min(n, m)


def test_one_field_has_D_minus_one_laws():
    arch = given_architecture(read_fields_text("parameters: a b c\nfield: 1, a, 0\n", "one.txt"))
    _, _, report = count_laws(arch)
    assert report["laws"] == 2  # the flow-box theorem: D − 1 near a point where the field is nonzero


def test_cli_count_laws_certify_check(tmp_path):
    path = tmp_path / "so3.txt"
    path.write_text(SO3)
    code, text = cli("count", "--fields", str(path))
    assert code == 0 and "D - rank = 3 - 2 = 1" in text and "the file's gradients of phi, then its fields" in text
    assert "known laws from the literature" not in text
    code, text = cli("laws", "--fields", str(path), "--format", "json")
    statement = json.loads(text)["statement"]
    assert code == 0 and "conserved by the flows of the given fields" in statement
    cert_path = tmp_path / "so3.json"
    code, text = cli("certify", "--fields", str(path), "-o", str(cert_path))
    assert code == 0 and "re-read and verified" in text
    code, text = cli("check", str(cert_path))
    assert code == 0 and "generators read from the certificate as given by the user" in text
    cert = json.loads(cert_path.read_text())
    cert["generators"]["fields"][1][1] = {"terms": [["2", [[2, 1]]]], "text": "2*z"}  # another field
    report = check_certificate(cert)
    assert not report.ok


def test_cli_errors_are_one_line(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("parameters: a b\nfield: a, sin(b)\n")
    good = tmp_path / "so3.txt"
    good.write_text(SO3)
    for args, message in ((["count", "--fields", str(path)], "line 2, component 1 (b): unknown symbol 'sin'"),
                          (["count", "--fields", str(tmp_path / "missing.txt")], "cannot read"),
                          (["count", "relu", "2", "2", "2", "--fields", str(good)], "replaces the architecture"),
                          (["count", "--fields", str(good), "--numeric"], "drop --numeric"),
                          (["laws", "--fields", str(good), "--bias"], "replaces the architecture")):
        code, _ = cli(*args)
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, args
