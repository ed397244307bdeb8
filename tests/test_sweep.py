"""Sweeps (:mod:`conslaw.verification.catalogue.sweep`): records streamed to results.jsonl, an interrupted sweep resumed
with no record lost or duplicated, and the Dask path on a LocalCluster of 2 workers, one of them killed
mid-sweep: every record still arrives exactly once and the report equals the serial one, timings aside."""
from __future__ import annotations

import json
import os
import signal

import pytest
from conftest import without_seconds

from conslaw.algebra import ConslawError
from conslaw.verification.catalogue.formulas import hidden_neurons
from conslaw.verification.catalogue.run import run_catalogue, timings_zeroed, write_reports
from conslaw.verification.catalogue.sweep import STREAM_NAME, plan
from conslaw.verification.catalogue.theorems import CATALOGUE, Instance, Result


def _stream_keys(d) -> list[str]:
    lines = (d / STREAM_NAME).read_text().splitlines()
    assert json.loads(lines[0])["schema"] == "conslaw-verify-stream/1"
    return [json.loads(line)["key"] for line in lines[1:]]


class Interrupt(Exception):
    pass


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path):
    results = list(CATALOGUE)
    fresh = run_catalogue(results, seed=2, out_dir=str(tmp_path / "fresh"))
    d = tmp_path / "resumed"
    heard = []

    def stop_after_five(record):
        heard.append(record["key"])
        if len(heard) == 5:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_catalogue(results, seed=2, out_dir=str(d), on_record=stop_after_five)
    assert _stream_keys(d) == heard
    with open(d / STREAM_NAME, "a") as fh:  # a record half-written when the sweep was killed
        fh.write('{"key": "tc25:prop-2.3 | broken", "verd')
    again = []
    resumed = run_catalogue(results, seed=2, out_dir=str(d), resume=True, on_record=lambda r: again.append(r["key"]))
    keys = _stream_keys(d)
    tasks = [t.key for t in plan(results, "quick")]
    assert sorted(keys) == sorted(tasks) and len(set(keys)) == len(keys)  # none lost, none twice
    assert keys[:5] == heard and sorted(again) == sorted(tasks)  # the finished five were kept, not rerun
    assert without_seconds(resumed) == without_seconds(fresh)
    for name in ("fresh", "resumed"):
        write_reports(timings_zeroed(fresh if name == "fresh" else resumed), str(tmp_path / name))
    assert (tmp_path / "fresh" / "results.json").read_bytes() == (tmp_path / "resumed" / "results.json").read_bytes()
    for cert in os.listdir(tmp_path / "fresh" / "certificates"):
        a = json.loads((tmp_path / "fresh" / "certificates" / cert).read_text())
        b = json.loads((tmp_path / "resumed" / "certificates" / cert).read_text())
        assert without_seconds(a) == without_seconds(b)


def test_resume_refuses_another_grid_or_seed_and_needs_a_folder(tmp_path):
    only = [r for r in CATALOGUE if r.id == "tc25:prop-3.11"]
    run_catalogue(only, seed=1, out_dir=str(tmp_path))
    with pytest.raises(ConslawError, match="cannot resume"):
        run_catalogue(only, seed=2, out_dir=str(tmp_path), resume=True)
    with pytest.raises(ConslawError, match="needs --out"):
        run_catalogue(only, seed=1, resume=True)


def _slow_result() -> Result:
    """Eight deep ReLU instances of about a second each: long enough to kill a worker while it works."""
    deep = next(r for r in CATALOGUE if r.id == "abide23:relu-no-other-laws")
    sizes = [((3, 5, 4, 3), True), ((4, 6, 5, 3), False), ((4, 8, 6), True), ((6, 9, 7), False),
             ((3, 6, 6, 3), False), ((5, 5, 4, 2), True), ((4, 7, 7), False), ((2, 6, 5, 4), True)]
    return Result("scratch:sweep", deep.paper, deep.title, deep.statement, deep.hypotheses, "count", deep.method,
                  deep.failure, instances=tuple(Instance("relu", w, b) for w, b in sizes), formula=hidden_neurons)


def _worker_pids(cluster) -> dict[str, int]:
    """Worker address ↦ the pid of its process, read from the LocalCluster's nannies (no second Client: two
    synchronous clients in one thread can end up on different event loops)."""
    return {n.worker_address: n.process.pid for n in cluster.workers.values() if n.process is not None}


def test_dask_sweep_survives_a_killed_worker(tmp_path):
    distributed = pytest.importorskip("distributed")
    import logging

    result = _slow_result()
    serial = run_catalogue([result], seed=0, out_dir=str(tmp_path / "serial"))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    killed = []
    try:
        def kill_a_busy_worker(record):
            if killed:
                return
            busy = [addr for addr, ws in list(cluster.scheduler.workers.items()) if ws.processing]
            assert busy, "no task in flight to interrupt"
            pid = _worker_pids(cluster)[busy[0]]
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

        report = run_catalogue([result], seed=0, out_dir=str(tmp_path / "dask"), scheduler=cluster.scheduler_address,
                               on_record=kill_a_busy_worker)
        assert killed and killed[0] not in _worker_pids(cluster).values()  # the nanny started a new process
    finally:
        cluster.close()
    keys = _stream_keys(tmp_path / "dask")
    assert sorted(keys) == sorted(t.key for t in plan([result], "quick")) and len(set(keys)) == len(keys)
    assert without_seconds(report) == without_seconds(serial) and report["all_hold"]
    assert sorted(os.listdir(tmp_path / "dask" / "certificates")) == sorted(os.listdir(tmp_path / "serial" / "certificates"))


def test_a_bad_scheduler_or_resume_without_a_folder_is_one_line_exit_2(capsys):
    import io

    from conslaw.verification.cli import run

    assert run(["verify", "--only", "tc25:prop-3.11", "--scheduler", "nonsense", "--no-progress"], out=io.StringIO()) == 2
    assert "cannot reach the Dask scheduler at 'nonsense'" in capsys.readouterr().err
    assert run(["verify", "--only", "tc25:prop-3.11", "--resume", "--no-progress"], out=io.StringIO()) == 2
    assert "--resume needs --out DIR" in capsys.readouterr().err
