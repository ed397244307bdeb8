"""Lines for a terminal: a writer that wraps each line to the terminal's width at spaces, continuation lines
indented four more than the line's own indentation.  The CLI uses it only when it writes to a terminal and
not JSON, LaTeX or Markdown: piped output and files keep one record per line."""
from __future__ import annotations

import shutil
import textwrap
from typing import TextIO


class WrappingWriter:
    """A text stream that wraps what is written to ``stream`` at ``width`` columns, line by line."""

    def __init__(self, stream: TextIO, width: int):
        self.stream = stream
        self.width = max(40, width)
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self.stream.write(wrap_line(line, self.width) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.stream.write(wrap_line(self._pending, self.width))
            self._pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return True


def wrap_line(line: str, width: int) -> str:
    """``line`` broken at spaces into lines of at most ``width`` characters (a word longer than that stays
    whole), each continuation indented four more than ``line``."""
    if len(line) <= width:
        return line
    indent = line[:len(line) - len(line.lstrip(" "))]
    return "\n".join(textwrap.wrap(line.strip(" "), width=width, initial_indent=indent,
                                   subsequent_indent=indent + "    ", break_long_words=False,
                                   break_on_hyphens=False))


def terminal_width(default: int = 100) -> int:
    """The terminal's width in columns (``COLUMNS`` first, as :func:`shutil.get_terminal_size` reads it)."""
    return shutil.get_terminal_size((default, 24)).columns
