"""Progress display for long runs: a tqdm bar that appears only after one second."""
from __future__ import annotations

from typing import Optional

from tqdm import tqdm


class ProgressBar:
    """A ``progress(stage, done, total)`` callback drawing one bar per stage on stderr.

    Bars appear only when a stage lasts more than ``delay`` seconds and stderr
    is a terminal (``disable=None``), so short runs and logs stay clean.
    """

    def __init__(self, enabled: bool = True, delay: float = 1.0):
        self.enabled = enabled
        self.delay = delay
        self._stage: Optional[str] = None
        self._bar: Optional[tqdm] = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=stage, delay=self.delay, disable=None, leave=False, unit="field")
        if self._bar is not None and done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
