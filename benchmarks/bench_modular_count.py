"""The modular route (``conslaw count|laws … --modular``, issue 24) against the exact engine, at D >= 5,000, with its
certificates re-checked, on Dask, and the largest sizes within 60 s and 2 GB.

    python benchmarks/bench_modular_count.py            # tables 1-4 (about 5 minutes on 2 cores)
    python benchmarks/bench_modular_count.py --quick    # table 1 only
    python benchmarks/bench_modular_count.py --largest  # table 5 only: relu k k k, count and laws, growing k

1. Side by side, in this process: the exact engine (``count_laws``; ``build_certificate`` for the laws) and the
   modular route on the same instances, with the ratio of their times; both results printed (they must agree).
2. ``count … --modular --certificate FILE`` at the issue's sizes, each in its own process (wall time, peak memory
   from ``os.wait4``), then ``conslaw check FILE`` in its own process: the certificate's size and its check.
3. ``laws … --modular`` at D >= 2,000 (wall time, peak memory; the certificate checked inside the run).
4. One count fanned out over Dask: ``--scheduler serial`` against ``--scheduler local --workers 1`` and ``2``.
5. (``--largest``) ``count relu k k k --modular`` and ``laws relu k k k --modular`` for growing k until a run
   takes more than 60 s or 2 GB.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from conslaw.algebra import build_architecture
from conslaw.verification.proofs.certificate import build_certificate
from conslaw.verification.proofs.counting import count_laws
from conslaw.verification.proofs.modular_count import modular_count
from conslaw.verification.proofs.modular_law_search import modular_law_search

SIDE_BY_SIDE = [("relu", [8, 8, 8], {}), ("relu", [12, 12, 12], {}), ("relu", [16, 16, 16], {}),
                ("linear", [8, 8, 8], {}), ("linear", [12, 12, 12], {}),
                ("attention", [], {"d": 6, "dk": 4, "dv": 4})]
LAWS_SIDE_BY_SIDE = [("relu", [6, 6, 6], {}), ("relu", [10, 10, 10], {}), ("linear", [6, 6, 6], {}),
                     ("attention", [], {"d": 4, "dk": 3, "dv": 3})]
AT_SCALE = [["relu", "50", "50", "50"], ["linear", "50", "50", "50"], ["linear", "41", "41", "41", "41"],
            ["attention", "--d", "50", "--dk", "25", "--dv", "25"], ["relu", "50", "50", "50", "--residual"],
            ["relu", "36", "70", "36"], ["relu", "100", "100", "100"]]  # the last: the largest certificate (16 MB)
LAWS_AT_SCALE = [["relu", "32", "32", "32"], ["relu", "50", "50", "50"], ["linear", "32", "32", "32"],
                 ["attention", "--d", "32", "--dk", "16", "--dv", "16"]]
FAN_OUT = [["attention", "--d", "32", "--dk", "16", "--dv", "16", "--heads", "2"], ["linear", "50", "50", "50"]]


def _name(arch: str, widths: list, options: dict) -> str:
    return f"{arch} {' '.join(map(str, widths))}".strip() + "".join(f" --{k} {v}" for k, v in options.items())


def side_by_side() -> None:
    print("| instance | D | exact engine (s) | laws | modular route (s) | laws | ratio |")
    print("|---|---|---|---|---|---|---|")
    for arch, widths, options in SIDE_BY_SIDE:
        a = build_architecture(arch, widths, **options)
        t0 = time.perf_counter()
        _, _, exact = count_laws(a)
        t_exact = time.perf_counter() - t0
        t0 = time.perf_counter()
        mod = modular_count(arch, widths, **options)
        t_mod = time.perf_counter() - t0
        shown = mod["laws"] if mod["laws"] is not None else f"{mod['laws_at_least']}–{mod['laws_at_most']}"
        print(f"| {_name(arch, widths, options)} | {a.dim:,} | {t_exact:.2f} | {exact['laws']} | {t_mod:.2f} | "
              f"{shown} | {t_exact / t_mod:.0f}x |")


def laws_side_by_side() -> None:
    print("| instance | D | exact law search + certificate (s) | laws | modular route (s) | laws | ratio |")
    print("|---|---|---|---|---|---|---|")
    for arch, widths, options in LAWS_SIDE_BY_SIDE:
        a = build_architecture(arch, widths, **options)
        t0 = time.perf_counter()
        exact = build_certificate(a, degree=2)
        t_exact = time.perf_counter() - t0
        t0 = time.perf_counter()
        report, _, _ = modular_law_search(arch, widths, **options)
        t_mod = time.perf_counter() - t0
        print(f"| {_name(arch, widths, options)} | {a.dim:,} | {t_exact:.2f} | {exact['verdict'].get('laws')} | "
              f"{t_mod:.2f} | {report['laws']} | {t_exact / t_mod:.0f}x |")


def _peak(argv: list[str]) -> tuple[str, str, float, float]:
    """(stdout, stderr, wall seconds, peak MB) of ``python -m conslaw ARGV`` in its own process (the peak from
    ``os.wait4``: that child alone)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "conslaw", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, _, usage = os.wait4(proc.pid, 0)
    return out, err, time.perf_counter() - t0, usage.ru_maxrss / 1024


def _count_row(args: list[str], extra: list[str] = ()) -> tuple[str, float, float, dict]:
    out, err, wall, peak = _peak(["count", *args, "--modular", "--json", *extra])
    if not out.strip():
        return f"| {' '.join(args)} | | failed: {err.strip()[-200:]} |", wall, peak, {}
    r = json.loads(out)
    laws = r["laws"] if r["laws"] is not None else f"{r['laws_at_least']}–{r['laws_at_most']}"
    return f"| {' '.join(args)} | {r['D']:,} | {laws} | {r['status']} | {wall:.1f} | {peak:.0f} |", wall, peak, r


def at_scale() -> None:
    print("| instance | D | laws | status | count wall (s) | peak (MB) | certificate (MB) | check wall (s) | "
          "check peak (MB) | check |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n, args in enumerate(AT_SCALE):
            path = os.path.join(tmp, f"c{n}.json")
            row, _, _, r = _count_row(args, ["--certificate", path])
            if not r:
                print(row)
                continue
            out, err, wall, peak = _peak(["check", path])
            verdict = "accepted" if "certificate verified" in out else f"REJECTED {err.strip()[:80]}"
            print(f"{row} {os.path.getsize(path) / 2**20:.1f} | {wall:.1f} | {peak:.0f} | {verdict} |")


def _laws_row(args: list[str]) -> tuple[str, float, float]:
    """One row for ``laws ARGS --modular`` (text output: JSON and LaTeX group the laws in SymPy's ring, whose
    dense exponent tuples cost gigabytes at D in the thousands)."""
    out, err, wall, peak = _peak(["laws", *args, "--modular"])
    lines = out.strip().splitlines()
    if not lines:
        return f"| {' '.join(args)} | | failed: {err.strip()[-200:]} | | | {wall:.1f} | {peak:.0f} |", wall, peak
    count = lines[0].split(": ", 1)[1].split(" (")[0]
    foot = lines[-1]
    basis = foot.split("space of dimension ")[1].split(" ")[0]
    D = foot.split("D = ")[1].split(" ")[0]
    checked = foot.split("; certificate ")[1].rstrip(".")
    return f"| {' '.join(args)} | {int(D):,} | {count} | {basis} | {checked} | {wall:.1f} | {peak:.0f} |", wall, peak


def laws_at_scale() -> None:
    print("| instance | D | laws (proven count) | basis of degree <= 2 | certificate | wall (s) | peak (MB) |")
    print("|---|---|---|---|---|---|---|")
    for args in LAWS_AT_SCALE:
        print(_laws_row(args)[0])


def fan_out() -> None:
    print("| instance | D | executor | laws | wall (s) | ratio to 1 worker |")
    print("|---|---|---|---|---|---|")
    for args in FAN_OUT:
        times = {}
        for name, extra in (("serial", []), ("Dask, 1 worker", ["--scheduler", "local", "--workers", "1"]),
                            ("Dask, 2 workers", ["--scheduler", "local", "--workers", "2"])):
            _, wall, _, r = _count_row(args, extra)
            times[name] = wall
            ratio = f"{times['Dask, 1 worker'] / wall:.2f}x" if "Dask, 1 worker" in times else ""
            print(f"| {' '.join(args)} | {r.get('D', 0):,} | {name} | {r.get('laws')} | {wall:.1f} | {ratio} |")


def largest() -> None:
    print("| command | D | result | wall (s) | peak (MB) |")
    print("|---|---|---|---|---|")
    for kind in ("count", "laws"):
        for k in (50, 62, 70, 80, 90, 100, 120, 150, 180, 200):
            args = ["relu", str(k), str(k), str(k)]
            if kind == "count":
                row, wall, peak, _ = _count_row(args)
            else:
                row, wall, peak = _laws_row(args)
            print(row.replace("| relu", f"| {kind} relu", 1))
            if wall > 60 or peak > 2048:
                break


def main() -> None:
    print(f"# {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if "--largest" in sys.argv:
        largest()
        return
    side_by_side()
    print()
    laws_side_by_side()
    if "--quick" not in sys.argv:
        for table in (at_scale, laws_at_scale, fan_out):
            print()
            table()


if __name__ == "__main__":
    main()
