"""Run the catalogue's instances as independent tasks, in this process or on a Dask cluster, streaming each
record to ``results.jsonl`` as it finishes so that an interrupted sweep resumes where it stopped.

A *task* is one (result, instance) pair; its key ``"<result id> | <instance label>"`` names it in the stream.
The stream's first line is a header (schema ``conslaw-verify-stream/1``, grid, seed); every other line is one
finished record.  ``resume=True`` keeps the records already there (a half-written last line, from a sweep killed
while writing, is dropped and its task run again) and runs only the missing tasks, so no task is lost or kept
twice.  Records are collected by this process whatever runs them: the certificates travel inside the record
and are written here, so Dask workers need not share the report folder's file system.

Executors: ``"serial"`` (this process), ``"local"`` (a ``distributed.LocalCluster`` of ``workers`` single-threaded
processes on this machine) or the address of a running Dask scheduler (``tcp://host:8786``).  When a worker dies
mid-task, the scheduler runs its task again on another worker: its record still arrives exactly once.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

from conslaw.algebra import ConslawError

from ..proofs.audit import audit_certificate
from ..proofs.fanout import dask_client
from .schema import Instance, Result, Verdict

STREAM_SCHEMA = "conslaw-verify-stream/1"
STREAM_NAME = "results.jsonl"
GRIDS = ("quick", "full", "paper23")


@dataclass(frozen=True)
class Task:
    """One instance of one result: the unit of work a worker runs."""

    result: Result
    instance: Instance

    @property
    def key(self) -> str:
        return f"{self.result.id} | {self.instance.label}"


def on_grid(inst: Instance, grid: str) -> bool:
    """``quick``: the quick instances; ``full``: quick and full; ``paper23``: the 2023 paper's random validation
    architectures only."""
    if grid not in GRIDS:
        raise ConslawError(f"unknown grid {grid!r}: use {', '.join(GRIDS)}")
    return inst.grid == grid or (grid == "full" and inst.grid == "quick")


def plan(results: Iterable[Result], grid: str) -> list[Task]:
    """The tasks of ``results`` on ``grid``, in catalogue order."""
    return [Task(r, i) for r in results for i in r.instances if on_grid(i, grid)]


def run_task(task: Task, seed: int) -> dict:
    """Run one task (on a worker or here); an instance that cannot be built is reported, not fatal."""
    from .checks.registry import CHECKS

    t0 = time.perf_counter()
    try:
        record = CHECKS[task.result.check](task.result, task.instance, seed)
    except Exception as exc:  # noqa: BLE001 - reported in the record
        record = {"instance": task.instance.label, "verdict": Verdict.ERROR, "error": f"{type(exc).__name__}: {exc}"}
    record["seconds"] = round(time.perf_counter() - t0, 3)
    items = ([record["_certificate"]] if "_certificate" in record else []) + record.get("_certificates", [])
    if items:  # the independent checker runs here, beside the producer (in parallel on Dask)
        record["_audits"] = {hashlib.sha256(text.encode("utf-8")).hexdigest(): audit_certificate(text.encode("utf-8"))
                             for _, text in items}
    return {"key": task.key, "id": task.result.id, **record}


class Stream:
    """``results.jsonl`` in ``out_dir``: a header line, then one record per line, flushed as each arrives."""

    def __init__(self, out_dir: str, grid: str, seed: int, resume: bool):
        self.path = os.path.join(out_dir, STREAM_NAME)
        self.done: dict[str, dict] = {}
        header = {"schema": STREAM_SCHEMA, "grid": grid, "seed": seed}
        if resume and os.path.exists(self.path):
            self.done = self._read(header)
            self._fh = open(self.path, "a")
        else:
            self._fh = open(self.path, "w")
            self._write(header)

    def _read(self, header: dict) -> dict[str, dict]:
        with open(self.path) as fh:
            lines = fh.read().split("\n")
        try:
            found = json.loads(lines[0])
        except json.JSONDecodeError:
            found = None
        if found != header:
            raise ConslawError(f"cannot resume {self.path}: it holds {found!r}, not grid {header['grid']!r} and "
                               f"seed {header['seed']} (run without --resume to start again)")
        done = {}
        complete = lines[1:-1]  # the text after the last newline is a half-written record, if anything
        for line in complete:
            record = json.loads(line)
            done[record["key"]] = record
        if lines[-1]:
            with open(self.path, "w") as fh:  # drop the half-written line before appending
                fh.write("\n".join(lines[:-1]) + "\n")
        return done

    def _write(self, obj: dict) -> None:
        self._fh.write(json.dumps(obj) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def add(self, record: dict) -> None:
        self._write(record)
        self.done[record["key"]] = record

    def close(self) -> None:
        self._fh.close()


def _serial(tasks: list[Task], seed: int) -> Iterator[dict]:
    for task in tasks:
        yield run_task(task, seed)


def _dask(tasks: list[Task], seed: int, scheduler: str, workers: int) -> Iterator[dict]:
    """Submit every task to a Dask cluster and yield the records as they finish (any order)."""
    from distributed import KilledWorker, as_completed

    with dask_client(scheduler, workers) as client:
        futures = [client.submit(run_task, task, seed, pure=False) for task in tasks]
        for future in as_completed(futures):
            try:
                yield future.result()
            except KilledWorker as exc:
                raise ConslawError(f"Dask workers died repeatedly while running a task ({exc}); the finished records "
                                   "are kept: rerun with --resume") from exc


def execute(tasks: list[Task], seed: int, scheduler: str = "serial", workers: int = 2) -> Iterator[dict]:
    """Records of ``tasks``, as they finish, from the chosen executor (see the module's docstring)."""
    if not tasks:
        return iter(())
    if scheduler == "serial":
        return _serial(tasks, seed)
    if workers < 1:
        raise ConslawError(f"--workers must be at least 1, got {workers}")
    return _dask(tasks, seed, scheduler, workers)


def sweep(tasks: list[Task], grid: str, seed: int, *, scheduler: str = "serial", workers: int = 2, out_dir: Optional[str] = None,
          resume: bool = False, on_record: Optional[Callable[[dict], None]] = None,
          keep_certificate: Optional[Callable[[dict], None]] = None) -> dict[str, dict]:
    """Run the tasks not yet in the stream and return every record by key.  ``keep_certificate(record)`` sees each
    new record before it is streamed (to write the certificate it carries); ``on_record(record)`` after."""
    if resume and out_dir is None:
        raise ConslawError("--resume needs --out DIR: the finished records are read from DIR/results.jsonl")
    stream = None
    done: dict[str, dict] = {}
    if out_dir is not None:
        stream = Stream(out_dir, grid, seed, resume)
        done = stream.done
    wanted = {t.key for t in tasks}
    for key in list(done):
        if key not in wanted:  # a record of a result not selected this time: kept in the file, not reported
            del done[key]
    for record in done.values():
        if on_record is not None:
            on_record(record)
    todo = [t for t in tasks if t.key not in done]
    try:
        for record in execute(todo, seed, scheduler, workers):
            if record["key"] in done:  # never twice, even if an executor delivered a task again
                continue
            if keep_certificate is not None:
                keep_certificate(record)
            record.pop("_certificate", None)
            record.pop("_certificates", None)
            record.pop("_audits", None)
            if stream is not None:
                stream.add(record)
            done[record["key"]] = record
            if on_record is not None:
                on_record(record)
    finally:
        if stream is not None:
            stream.close()
    return done


__all__ = ["GRIDS", "STREAM_NAME", "STREAM_SCHEMA", "Stream", "Task", "execute", "on_grid", "plan", "run_task",
           "sweep"]
