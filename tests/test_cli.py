"""The ``conslaw`` command: outputs, JSON, and one-line errors with exit status 2."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest

from conslaw.verification.cli import run


def cli(*args):
    out = io.StringIO()
    code = run(list(args), out=out)
    return code, out.getvalue()


def test_count_relu_text():
    code, text = cli("count", "relu", "3", "2", "3", "--bias", "--show-brackets")
    assert code == 0
    assert "D - rank = 14 - 12 = 2" in text
    assert "level 1: [X" in text


def test_count_linear_json():
    code, text = cli("count", "linear", "2", "3", "2", "2", "--json", "--seed", "4", "--points", "3")
    assert code == 0
    report = json.loads(text)
    assert {"D", "rank", "laws", "seed", "points", "seconds"} <= set(report)
    assert report["D"] == 16 and report["seed"] == 4 and len(report["points"]) == 3
    assert report["laws"] == report["D"] - report["rank"]
    assert report["laws"] == report["known_laws"]["independent_at_first_point"]


def test_graph_export(tmp_path):
    path = tmp_path / "g.graphml"
    code, text = cli("count", "linear", "2", "2", "2", "--record", "all", "--graph", str(path), "--json")
    assert code == 0 and path.exists()
    assert json.loads(text)["graph_file"] == str(path)


def test_architectures_listing():
    code, text = cli("architectures")
    assert code == 0 and "relu" in text and "linear" in text and "resnet" in text


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["count", "relu", "3", "0", "3"], "at least 1"),
        (["count", "foo", "2", "2"], "unknown architecture 'foo'"),
        (["count", "relu", "3", "x", "3"], "'x' is not an integer"),
        (["count", "relu", "3"], "at least 2 widths"),
        (["count", "linear", "2", "2", "--bias"], "takes no biases"),
        (["count", "relu", "2", "2", "--points", "0"], "at least 1"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(args, fragment, capsys):
    code, _ = cli(*args)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1 and err.startswith("conslaw: error:")
    assert "Traceback" not in err


def test_console_script_installed():
    exe = shutil.which("conslaw")
    if exe is None:
        pytest.skip("conslaw is not on PATH (package not installed in this environment)")
    ok = subprocess.run([exe, "count", "relu", "2", "2", "2", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["laws"] == 2
    bad = subprocess.run([exe, "count", "relu", "2", "-1"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr


def test_module_entry_point():
    ok = subprocess.run([sys.executable, "-m", "conslaw.verification.cli", "count", "linear", "1", "2", "1"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "D - rank = 4 - 1 = 3" in ok.stdout


def test_progress_bar_is_drawn_under_a_pty():
    """Under a pseudo-terminal (which may report a size of 0 × 0) a run over a second draws its bar."""
    pty = pytest.importorskip("pty")
    import os

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "conslaw.verification.cli", "count", "relu", "12", "12", "12"],
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0 and "D - rank = 288 - 276 = 12" in text
    assert "field/s" in text  # the tqdm bar was drawn


@pytest.mark.parametrize("args, suggestion", [(["count", "resnt", "--dim", "2", "--hidden", "2", "2"], "resnet"),
                                              (["laws", "relus", "3", "2", "3"], "relu"),
                                              (["certify", "foo", "1", "2", "-o", "x.json"], None)])
def test_unknown_architecture_lists_resnet_and_suggests(args, suggestion, capsys):
    assert run(args, out=io.StringIO()) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "resnet" in err and "unknown architecture" in err
    assert (f"did you mean {suggestion!r}?" in err) if suggestion else "did you mean" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_output_wraps_to_its_width(monkeypatch):
    """On a terminal, human-readable lines wrap at its width (continuations indented); JSON stays one line."""
    monkeypatch.setenv("COLUMNS", "80")
    out = _Terminal()
    assert run(["count", "linear", "2", "2", "2", "--flow", "mirror-momentum"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= 80 and len(lines) > 5 and lines[1].startswith("    ")
    out = _Terminal()
    assert run(["count", "linear", "2", "2", "2", "--json"], out=out) == 0
    assert len(out.getvalue().strip().splitlines()) == 1
    piped = io.StringIO()
    assert run(["count", "linear", "2", "2", "2", "--flow", "mirror-momentum"], out=piped) == 0
    assert max(map(len, piped.getvalue().splitlines())) > 80  # piped: one record per line, unwrapped


def test_verify_out_is_ignored_by_git():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "verify-out/" in (root / ".gitignore").read_text().split()
    if shutil.which("git") and (root / ".git").exists():
        done = subprocess.run(["git", "check-ignore", "-q", "verify-out/index.html"], cwd=root)
        assert done.returncode == 0
