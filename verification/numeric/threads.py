"""How many CPU threads torch uses for the numerical fallback.

On a 2-core machine (2026-12-04, `conslaw count relu D --numeric`, float64): relu 24 24 24 (D = 1,224) took
5.1 s with two threads and 4.5 s with one when idle, 10.8 s and 6.9 s beside two busy processes; relu 40 40 40
(D = 3,200) 22.7 s with two and 29.6 s with one when idle.  Below ``LARGE_D`` parameters the work per call is
too small for a second thread to pay for its synchronisation (and a busy machine makes it worse), so one
thread; from ``LARGE_D`` on, the cores the 1-minute load average leaves idle, at least one.  ``--threads N``
overrides the choice.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Optional

LARGE_D = 2000


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cpu_threads(dim: int, requested: Optional[int] = None) -> tuple[int, str]:
    """(threads, why) for a problem with ``dim`` parameters (module docstring)."""
    cores = usable_cores()
    if requested is not None:
        return requested, "--threads"
    if dim < LARGE_D:
        return 1, f"D = {dim} < {LARGE_D}: one thread"
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    n = max(1, min(cores, round(cores - load)))
    return n, f"D = {dim}: the {n} of {cores} cores left idle by the load average {load:.1f}"


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """torch's intra-op threads set to ``n`` inside the block, restored after it."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
