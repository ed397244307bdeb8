"""Compile a LaTeX document and read it back: the PDF's text (poppler's ``pdftotext``) and the widths of the
overfull boxes in pdflatex's log.  CI installs both tools (``.ci/run``); elsewhere the tests skip."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (.ci/run installs texlive-latex-base and poppler-utils)")
        pytest.skip(f"{name} not installed")
    return exe


def typeset(tex: Path) -> tuple[str, list[float]]:
    """(the compiled PDF's text, the overfull boxes' widths in points) for the document ``tex``."""
    done = subprocess.run([tool("pdflatex"), "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=tex.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    log = tex.with_suffix(".log").read_text(errors="replace")
    text = subprocess.run([tool("pdftotext"), str(tex.with_suffix(".pdf")), "-"], capture_output=True,
                          text=True, timeout=60, check=True).stdout
    return text, [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def assert_clean(text: str, overfull: list[float], limit: float = 2.0) -> None:
    """No character pdflatex could not set, no '<' turned into '¡', no line wider than ``limit`` points."""
    assert "[U+" not in text and "¡" not in text and "¿" not in text
    assert max(overfull, default=0.0) <= limit, f"overfull boxes: {overfull}"
