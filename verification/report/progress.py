"""Progress display for long runs: a tqdm bar on stderr once the run has lasted a second."""
from __future__ import annotations

import os
import sys
import time
from typing import Optional

from tqdm import tqdm


class ProgressBar:
    """A ``progress(stage, done, total)`` callback drawing one bar per stage on stderr.

    Nothing is drawn during the first ``delay`` seconds of the *run* (not of each
    stage: a run made of many short stages still shows its bar), nor when stderr
    is not a terminal (``disable=None``), so short runs and logs stay clean.
    """

    def __init__(self, enabled: bool = True, delay: float = 1.0):
        self.enabled = enabled
        self.delay = delay
        self._start = time.monotonic()
        self._stage: Optional[str] = None
        self._bar: Optional[tqdm] = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self.close()
            self._stage = stage
        if self._bar is None and time.monotonic() - self._start >= self.delay:
            self._bar = tqdm(total=total, desc=stage, disable=None, leave=False, unit="field", mininterval=0.2,
                             ncols=_stderr_size()[0], nrows=_stderr_size()[1])
        if self._bar is not None and done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _stderr_size() -> tuple[int, int]:
    """(columns, rows) of the terminal, 80 × 24 where a pseudo-terminal reports 0 × 0 (tqdm then draws nothing)."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        return size.columns or 80, size.lines or 24
    except (OSError, ValueError, AttributeError):
        return 80, 24
