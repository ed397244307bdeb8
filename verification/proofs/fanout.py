"""Run independent pieces of one computation in this process or on a Dask cluster (issue 24, item 5).

The same scheduler options as ``conslaw verify``: ``"serial"`` (this process), ``"local"`` (a
``distributed.LocalCluster`` of ``workers`` single-threaded processes on this machine) or the address of a running
Dask scheduler (``tcp://host:8786``, e.g. one started with ``dask scheduler`` and joined by ``dask worker`` on each
node).  Results come back in the order of the pieces, so that the outcome never depends on the executor.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from conslaw.algebra import ConslawError


@contextmanager
def dask_client(scheduler: str, workers: int) -> Iterator[Any]:
    """A ``distributed.Client`` for ``"local"`` (a LocalCluster of ``workers`` processes, closed afterwards) or a
    scheduler's address; a clear ``ConslawError`` when it cannot be had."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is an install requirement
        raise ConslawError("Dask needs the 'distributed' package: pip install 'dask[distributed]'") from exc
    if workers < 1:
        raise ConslawError(f"--workers must be at least 1, got {workers}")
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, ValueError, TimeoutError) as exc:
            raise ConslawError(f"cannot reach the Dask scheduler at {scheduler!r} (use serial, local or an address "
                               f"such as tcp://host:8786): {exc}") from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class Executor:
    """Runs ``fn(piece, *args)`` for each piece: in this process, or on the Dask client it holds (the shared
    ``args`` sent to every worker once)."""

    def __init__(self, scheduler: str = "serial", workers: int = 1, client: Any = None):
        self.scheduler, self.workers, self.client = scheduler, workers, client

    @property
    def description(self) -> str:
        if self.client is None:
            return "this process"
        return f"Dask, {self.workers} local worker processes" if self.scheduler == "local" else \
            f"Dask scheduler {self.scheduler}"

    def map(self, fn: Callable[..., Any], pieces: Sequence[Any], *args: Any) -> list[Any]:
        """``[fn(piece, *args) for piece in pieces]``, in the order of the pieces."""
        if self.client is None or not pieces:
            return [fn(piece, *args) for piece in pieces]
        from distributed import KilledWorker

        shared = self.client.scatter(list(args), broadcast=True) if args else []
        futures = [self.client.submit(fn, piece, *shared, pure=False) for piece in pieces]
        try:
            return self.client.gather(futures)
        except KilledWorker as exc:
            raise ConslawError(f"Dask workers died repeatedly while running a piece of the count ({exc})") from exc


@contextmanager
def executor(scheduler: str = "serial", workers: int = 2) -> Iterator[Executor]:
    """The :class:`Executor` for the scheduler options (module docstring)."""
    if scheduler == "serial":
        yield Executor()
        return
    with dask_client(scheduler, workers) as client:
        yield Executor(scheduler, workers, client)


__all__ = ["Executor", "dask_client", "executor"]
