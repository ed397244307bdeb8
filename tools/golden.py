"""Golden outputs that pin conslaw's behaviour before a refactor (issue 22, step 1): the complete text of one
command per CLI path, and ``conslaw verify --grid full`` (``results.json`` and every certificate, timings
zeroed).  Timings are the only fields allowed to differ between two runs; they are set to 0 (JSON
``seconds``) or written ``T s`` (text).

    python tools/golden.py             # compare with tests/golden/ (exit 1 and a diff when anything changed)
    python tools/golden.py --write     # record them anew (only when a change of behaviour is meant)
    python tools/golden.py --no-verify # the CLI texts only (seconds, not minutes)

``tests/test_golden.py`` runs the CLI part in the default suite and the verify part in the slow one.
"""
from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from conslaw.verification.catalogue.run import timings_zeroed

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CERT = "CERT.json"  # stands for a scratch certificate path in the commands below

#: name → argv (one per CLI path)
COMMANDS = {
    "count-relu-brackets": ["count", "relu", "3", "2", "3", "--bias", "--show-brackets"],
    "count-relu-json": ["count", "relu", "3", "2", "3", "--bias", "--json"],
    "count-linear-deep": ["count", "linear", "2", "3", "3", "2"],
    "count-conv": ["count", "conv", "--channels", "1", "2", "1", "--length", "3", "--filters", "2", "2"],
    "count-attention": ["count", "attention", "--d", "2", "--dk", "1", "--dv", "1"],
    "count-softmax": ["count", "softmax", "3", "4", "--bias"],
    "count-residual": ["count", "relu", "2", "3", "2", "--residual"],
    "flow-sign": ["count", "linear", "1", "1", "1", "--flow", "sign"],
    "flow-momentum": ["count", "linear", "2", "2", "2", "--flow", "momentum"],
    "flow-mirror": ["count", "linear", "2", "3", "2", "--flow", "mirror"],
    "flow-mirror-momentum": ["count", "linear", "2", "2", "2", "--flow", "mirror-momentum"],
    "flow-mirror-icnn": ["count", "relu", "2", "3", "1", "--bias", "--flow", "mirror", "--metric", "icnn"],
    "numeric": ["count", "relu", "6", "6", "6", "--numeric", "--no-progress"],
    "numeric-model": ["count", "attention", "--d", "3", "--dk", "2", "--dv", "2", "--numeric", "--model",
                      "--no-progress"],
    "module": ["count", "--module", "golden_models:mlp", "--no-progress"],
    "laws-text": ["laws", "relu", "3", "2", "3", "--bias"],
    "laws-latex": ["laws", "relu", "3", "2", "3", "--bias", "--format", "latex", "--standalone"],
    "laws-markdown": ["laws", "linear", "2", "3", "2", "--format", "markdown"],
    "laws-json": ["laws", "softmax", "2", "3", "--bias", "--format", "json"],
    "certify": ["certify", "relu", "3", "2", "3", "--bias", "-o", CERT],
    "check": ["check", CERT],
    "data-symmetry": ["data-symmetry", "c3-linear", "--outputs", "2"],
    "data-symmetry-logistic": ["data-symmetry", "lightning-attention", "--group", "c4", "--loss", "logistic"],
    "resnet-count": ["count", "resnet", "--dim", "2", "--hidden", "3", "3", "--subset", "block:2"],
    "resnet-laws": ["laws", "resnet", "--dim", "2", "--hidden", "3", "3", "--bias", "--subset", "block:1",
                    "--seed", "1"],
    "architectures": ["architectures"],
}

_TIME = re.compile(r"\b\d+(\.\d+)? ?s\b")
# a singular-value gap whose smaller value is at rounding (≥ 1e12 in float64) depends on the BLAS build, not the code
_ROUNDING_GAP = re.compile(r"(gap s_r/s_\(r\+1\) = )\d\.\de\+(1[2-9]|[2-9]\d)\b")


def _normal_text(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            try:
                line = json.dumps(timings_zeroed(json.loads(stripped)), sort_keys=True)
            except ValueError:
                pass
        lines.append(_ROUNDING_GAP.sub(r"\1(at rounding, ≥ 1e12)", _TIME.sub("T s", line)))
    return "\n".join(lines) + "\n"


def cli_texts() -> dict[str, str]:
    """The normalised output (stdout, then the exit status) of every command of :data:`COMMANDS`."""
    from conslaw.verification.cli import run

    sys.path.insert(0, str(GOLDEN))
    texts = {}
    with tempfile.TemporaryDirectory() as tmp:
        cert = os.path.join(tmp, "cert.json")
        for name, argv in COMMANDS.items():
            out = io.StringIO()
            status = run([cert if a == CERT else a for a in argv], out=out)
            text = out.getvalue().replace(cert, CERT)
            if name == "certify":
                text += "--- " + CERT + "\n" + json.dumps(timings_zeroed(json.loads(Path(cert).read_text())),
                                                          indent=1, sort_keys=True) + "\n"
            texts[name] = _normal_text(text) + f"exit {status}\n"
    return texts


def verify_full() -> dict[str, str]:
    """``results.json`` of ``conslaw verify --grid full`` (timings zeroed) and a sha256 per certificate."""
    from conslaw.verification.cli import run

    with tempfile.TemporaryDirectory() as tmp:
        status = run(["verify", "--grid", "full", "--out", tmp, "--no-progress"], out=io.StringIO())
        results = timings_zeroed(json.loads(Path(tmp, "results.json").read_text()))
        certs = {}
        for path in sorted(Path(tmp, "certificates").iterdir()):
            data = json.dumps(timings_zeroed(json.loads(path.read_text())), indent=1, sort_keys=True)
            certs[path.name] = hashlib.sha256(data.encode()).hexdigest()
    return {"verify-full-results.json": json.dumps(results, indent=1, sort_keys=True) + "\n",
            "verify-full-certificates.json": json.dumps({"exit": status, "sha256": certs}, indent=1) + "\n"}


def _files(with_verify: bool) -> dict[str, str]:
    files = {f"cli/{name}.txt": text for name, text in cli_texts().items()}
    if with_verify:
        files.update(verify_full())
    return files


def compare(files: dict[str, str]) -> list[str]:
    """The unified diffs between ``files`` and the recorded golden files (empty: unchanged)."""
    diffs = []
    for name, text in files.items():
        path = GOLDEN / name
        old = path.read_text() if path.exists() else ""
        if old != text:
            diffs.append("".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                      f"golden/{name}", f"now/{name}", n=1)))
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the golden files anew")
    parser.add_argument("--no-verify", action="store_true", help="the CLI texts only")
    args = parser.parse_args()
    files = _files(not args.no_verify)
    if args.write:
        for name, text in files.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text)
        print(f"wrote {len(files)} golden files in {GOLDEN}")
        return
    diffs = compare(files)
    for d in diffs:
        print(d[:4000])
    print(f"{len(files) - len(diffs)} of {len(files)} golden files unchanged")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
