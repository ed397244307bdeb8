"""Every code block of the README runs as printed (after the README's own install, or with the extra the block
names), and every ``$ conslaw …`` transcript matches the command's output."""
from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from readme_blocks import README, blocks, same_output, transcripts

from conslaw.verification.cli import run
from conslaw.verification.report.extras import EXTRAS

ROOT = README.parent
#: import name → the extra of setup.cfg that installs it (the base install has sympy, networkx, flint, numpy, torch,
#: tqdm, dask and hypothesis)
EXTRA_OF = {module: extra for module, (_, extra) in EXTRAS.items()}


def _python_blocks():
    return [b for b in blocks("python") if "def test_" not in b.code]  # the test-file block: test_readme_example


def _needed_extras(code: str) -> set[str]:
    names = set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code, re.M))
    return {EXTRA_OF[n] for n in names if n in EXTRA_OF}


@pytest.mark.parametrize("block", _python_blocks(), ids=str)
def test_python_block_runs(block, tmp_path):
    """Each Python block runs on its own in a fresh interpreter; a block that imports an optional library names
    its extra in a comment (``pip install "conslaw[figures]"``)."""
    for extra in _needed_extras(block.code):
        assert f"conslaw[{extra}]" in block.code, f"{block} needs the {extra!r} extra and does not say so"
    done = subprocess.run([sys.executable, "-c", block.code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr


def test_the_monitor_block_without_matplotlib(tmp_path):
    """``monitor.plot()`` without matplotlib: one line naming the extra, no traceback, the block goes on."""
    block = next(b for b in _python_blocks() if "LawMonitor" in b.code)
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text("import sys\nsys.modules['matplotlib'] = None  # as if it were not installed\n")
    done = subprocess.run([sys.executable, "-c", block.code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "conslaw[figures]" in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "drift.png").exists() and done.stdout.strip()


@pytest.mark.parametrize("shown", [t for t in transcripts() if " verify" not in t[1]], ids=lambda t: t[1])
def test_transcript_matches_the_output(shown):
    block, command, lines = shown
    out = io.StringIO()
    assert run(shlex.split(command)[1:], out=out) == 0
    actual = out.getvalue().rstrip("\n").splitlines()
    assert same_output(lines, actual), f"{block}: the README shows\n" + "\n".join(lines) + "\nthe command prints\n" + \
        "\n".join(actual)


def _bash_lines(marker: str) -> list[tuple[str, str]]:
    block = next(b for b in blocks("bash") if marker in b.code)
    out = []
    for line in block.code.splitlines():
        command, _, comment = line.partition("#")
        if command.strip():
            out.append((command.strip(), comment.strip()))
    return out


@pytest.mark.parametrize("line", _bash_lines("conslaw count resnet"), ids=lambda c: c[0])
def test_resnet_block_says_what_the_commands_print(line):
    """The deep-ResNet block: each command runs, and the count in its comment is the one it prints."""
    command, comment = line
    out = io.StringIO()
    assert run(shlex.split(command)[1:], out=out) == 0
    text = out.getvalue()
    exact = re.search(r"exactly (\d+) laws?", comment)
    between = re.search(r"between (\d+) and (\d+)", comment)
    assert exact or between or "laws, stated" in comment, comment
    if exact:
        assert f"exactly {exact.group(1)} independent" in text
    if between:
        assert f"between {between.group(1)} and {between.group(2)}" in text and "not proven" in text


@pytest.mark.parametrize("line", _bash_lines("python -m pytest -m slow"), ids=lambda c: c[0])
def test_test_commands_are_valid(line):
    """The Tests block: each pytest command line is valid (collected, not run: this is that suite); the first
    is the one .ci/run runs."""
    command, _ = line
    args = shlex.split(command)
    assert args[:3] == [ "python", "-m", "pytest"]
    done = subprocess.run([sys.executable, "-m", "pytest", *args[3:], "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert re.search(r"\d+ tests? collected|\d+/\d+ tests collected", done.stdout), done.stdout[-500:]


def test_install_commands_are_what_ci_runs():
    """The two set-up commands: the test one is, command for command, what .ci/run does (there with --quiet, in
    .venv); the main-job one runs, as printed, in the slow test below."""
    ci = (ROOT / ".ci" / "run").read_text().replace("--quiet ", "").replace("python3 -m venv .venv", "VENV")
    second = next(b for b in blocks("bash") if ".venv-test" in b.code).code.strip()
    for step in second.replace("python3 -m venv .venv-test", "VENV").split(" && "):
        if step.startswith(". .venv-test"):
            continue
        assert step.replace("pip install", "python -m pip install") in ci or step in ci, step


@pytest.mark.slow
def test_main_job_block_runs_as_printed(tmp_path):
    """The README's first command, as printed, in a copy of the repository: a fresh venv, torch, the package,
    and ``conslaw verify``, whose output matches the README's transcript."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tmp_path / name)
    first = next(b for b in blocks("bash") if "conslaw verify" in b.code).code.strip()
    done = subprocess.run(["bash", "-c", first], cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "verify-out" / "index.html").exists()
    shown = next(t for t in transcripts() if " verify" in t[1])
    actual = done.stdout.rstrip("\n").splitlines()
    verify_lines = actual[next(i for i, a in enumerate(actual) if a.startswith("tc25:") or "holds" in a):]
    assert same_output(shown[2], verify_lines) or same_output(shown[2], actual), "\n".join(actual[-20:])


def test_every_block_is_covered():
    """No bash or Python block of the README escapes these tests."""
    covered = {b.line for b in _python_blocks()} | {b.line for b in blocks("python") if "def test_" in b.code}
    bash = blocks("bash")
    assert len(bash) == 4, [str(b) for b in bash]  # main job, tests install, deep ResNets, Tests
    assert covered == {b.line for b in blocks("python")}
    assert Path(ROOT / "tests" / "test_readme_example.py").exists()
