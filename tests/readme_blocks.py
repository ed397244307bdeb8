"""The README's fenced code blocks, as data for the tests that run them (``tests/test_readme_blocks.py``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.S | re.M)


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int  # 1-based line of the opening fence

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.lang})"


def blocks(lang: str | None = None) -> list[Block]:
    text = README.read_text()
    out = []
    for m in _FENCE.finditer(text):
        indent, kind, body = m.groups()
        code = "\n".join(line[len(indent):] for line in body.splitlines())
        if lang is None or kind == lang:
            out.append(Block(kind, code, text.count("\n", 0, m.start()) + 1))
    return out


def transcripts() -> list[tuple[Block, str, list[str]]]:
    """Every ``$ conslaw …`` shown in a text block with the output lines the README prints under it."""
    out = []
    for block in blocks("text"):
        lines = block.code.splitlines()
        if not lines or not lines[0].startswith("$ conslaw"):
            continue
        for line in lines:
            if line.startswith("$ "):
                out.append((block, line[2:], []))
            else:
                out[-1][2].append(line)
    return out


_TIME = re.compile(r"\b\d+\.\d+ s\b")


def same_output(shown: list[str], actual: list[str]) -> bool:
    """The README's lines against a command's output: equal, but for timings (``0.018 s``) and a ``...`` line,
    which stands for any number of lines."""
    shown = [_TIME.sub("T s", s) for s in shown]
    actual = [_TIME.sub("T s", a) for a in actual]
    if "..." not in shown:
        return shown == actual
    cut = shown.index("...")
    head, tail = shown[:cut], shown[cut + 1:]
    return actual[:len(head)] == head and (not tail or actual[-len(tail):] == tail) and len(actual) >= len(head) + len(tail)
