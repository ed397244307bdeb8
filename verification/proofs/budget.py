"""Refuse exact runs that would not finish or not fit, from the shapes alone; enforce --time-limit.

The exact engine's cost was measured on a 2-core machine (``benchmarks/bench_count.py``,
``benchmarks/bench_laws.py``): the count takes about 1.5 s·(D/200)² for ReLU nets and
6 s·(D/200)^2.6 for linear ones (used for every other architecture too, as the
cautious model), and about 1 KiB·D² plus 2 KiB per component of φ of memory; the
degree-k law search takes about 1.2 s·(U/5000)^1.4 for U = C(D+k, k) − 1 unknowns.
These are estimates, for refusing the hopeless (``relu 1000 1000 1000``: D = 2·10⁶)
at once, not promises; ``--force`` runs anyway, ``--time-limit S`` stops after S seconds.
"""
from __future__ import annotations

import gc
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from math import comb
from typing import Iterator, Optional

from conslaw.algebra import ConslawError
from conslaw.algebra.architectures import spec_of
from conslaw.algebra.architectures.given import GIVEN

RESNET_COST = (1.5, 2.0)  # (rate, power) of an exact resnet count: like ReLU blocks
GIVEN_COST = (6.0, 2.6)  # user-given fields (--fields FILE): the registry's default cost model


class TooLargeError(ConslawError):
    """The request would exceed the time or memory budget of an exact run."""


class TimeLimitReached(ConslawError):
    """An exact run was stopped by --time-limit."""


@dataclass(frozen=True)
class ExactBudget:
    max_seconds: float = 300.0
    max_bytes: int = 4 * 2**30
    max_points: int = 16


BUDGET = ExactBudget()
MAX_DEGREE = 64


def _human_seconds(s: float) -> str:
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.0f} h"
    years = s / 3.15e7
    return f"{s / 86400:.0f} days" if years < 1 else f"{years:.1e} years"


def _human_bytes(b: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b / 2**10:.0f} KiB"


def estimate_exact(name: str, D: int, n_phi: int, *, points: int = 2, degree: Optional[int] = None) -> tuple[float, float]:
    """(seconds, bytes) that an exact count (and, with ``degree``, law search) is expected to take."""
    rate, power = RESNET_COST if name == "resnet" else GIVEN_COST if name == GIVEN else spec_of(name).exact_cost
    seconds = rate * (D / 200) ** power * max(points, 1) / 2 + 2e-5 * n_phi
    memory = 1024.0 * D * D * max(points, 1) / 2 + 2048.0 * n_phi
    if degree is not None:
        unknowns = min(_unknowns(D, degree), 10**15)  # capped: past this everything is refused anyway
        seconds += 1.2 * (unknowns / 5000) ** 1.4
        memory += 200.0 * unknowns * min(n_phi, 10 * D)
    return seconds, memory


def _unknowns(D: int, degree: int) -> int:
    """Non-constant monomials of degree ≤ k in D variables: C(D + k, k) − 1."""
    return comb(D + degree, degree) - 1


def check_exact_budget(what: str, name: str, D: int, n_phi: int, *, points: int = 2, degree: Optional[int] = None,
                       force: bool = False, time_limit: Optional[float] = None, budget: ExactBudget = BUDGET,
                       hint: str = "use --numeric (torch) or smaller sizes", extra_seconds: float = 0.0) -> None:
    """Refuse, in one line, a run that would exceed the budget (unless forced or time-limited)."""
    if degree is not None:
        hint = "use a lower --degree or smaller sizes"
    if force:
        return
    if degree is not None and degree > MAX_DEGREE:
        raise TooLargeError(f"--degree {degree} is above {MAX_DEGREE}: the law search would have more unknowns than any "
                            "machine holds; use a lower --degree")
    if points > budget.max_points:
        raise TooLargeError(f"--points {points} is more than {budget.max_points} working points (each costs a full "
                            "evaluation; 2 suffice generically); use --force to run it anyway")
    seconds, memory = estimate_exact(name, D, n_phi, points=points, degree=degree)
    seconds += extra_seconds
    where = f"{what} (D = {D:,} parameters" + (f", {n_phi:,} components of phi" if n_phi else "")
    if degree:
        unknowns = _unknowns(D, degree)
        where += f", degree {degree} law search over " + (f"{unknowns:,}" if unknowns < 10**15 else "more than 10^15") \
            + " unknowns)"
    else:
        where += ")"
    if memory > budget.max_bytes:
        raise TooLargeError(f"{where} would need about {_human_bytes(memory)} of memory for the exact computation; "
                            f"{hint}, or --force to try anyway")
    if seconds > budget.max_seconds and time_limit is None:
        raise TooLargeError(f"{where} would take about {_human_seconds(seconds)} exactly (estimated from the "
                            f"shapes); {hint}, or --time-limit S / --force to run it anyway")


def resnet_region_seconds(dim: int, hidden, D: int, max_regions: int = 5000) -> float:
    """Time of the exact region enumeration and its generators: about 0.1 s·(D/64)² per region
    (``benchmarks/bench_regions.py``), for at most Π_l Σ_{i≤dim} C(r_l, i) regions (the cells of
    each layer's arrangement of r_l hyperplanes in R^dim, multiplied), capped at ``max_regions``."""
    bound = 1
    for r in hidden:
        bound *= sum(comb(r, i) for i in range(min(dim, r) + 1))
        if bound > max_regions:
            bound = max_regions
            break
    return bound * 0.1 * (D / 64) ** 2


def _swallowing(frame) -> bool:
    """True inside code whose exceptions Python discards (gc callbacks, finalizers, weak-reference callbacks such
    as ``WeakSet``'s ``_remove``)."""
    if frame is None:
        return False
    code = frame.f_code
    return code.co_name == "__del__" or code.co_filename.endswith(("_weakrefset.py", "weakref.py")) or \
        any(getattr(cb, "__code__", None) is code for cb in gc.callbacks)


@contextmanager
def time_limit(seconds: Optional[float], what: str = "the exact computation") -> Iterator[None]:
    """Stop the enclosed work after ``seconds`` (SIGALRM, main thread on POSIX), raising TimeLimitReached."""
    if seconds is None:
        yield
        return
    if seconds <= 0:
        raise ConslawError(f"--time-limit must be positive, got {seconds:g}")
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield  # no timer available: run without the limit (documented)
        return

    def stop(signum, frame):
        if _swallowing(frame):
            return  # Python would print and discard the exception there; the timer fires again in 0.1 s
        raise TimeLimitReached(f"stopped at the time limit of {seconds:g} s during {what}: "
                               "no result (an exact count has no partial answer); use --numeric or smaller sizes")

    previous = signal.signal(signal.SIGALRM, stop)
    # repeat every 0.1 s: an exception raised where Python swallows it (a gc callback) is raised again
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
