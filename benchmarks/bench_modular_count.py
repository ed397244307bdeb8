"""The modular route (``conslaw count … --modular``, issue 24) against the exact engine, and at D = 5,000.

    python benchmarks/bench_modular_count.py            # both tables (about 3 minutes on 2 cores)
    python benchmarks/bench_modular_count.py --quick    # the side-by-side table only
    python benchmarks/bench_modular_count.py --largest  # only: relu k k k, growing k, until 60 s or 2 GB (4 min)

1. Side by side, in this process: the exact engine (``count_laws``: SymPy rings, bracket graph, exact ranks over
   QQ at two points) and the modular route on the same instances, with the ratio of their times; both counts are
   printed, and must agree where the modular route proves one.
2. The issue's sizes, each in its own process (``conslaw count … --modular --json``), with the wall time and the
   peak memory of that process (``os.wait4``'s ``ru_maxrss``).
3. (``--largest``) ``relu k k k`` for k = 50, 55, 58, 62, 65, … until a run takes more than 60 s or 2 GB.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time

from conslaw.algebra import build_architecture
from conslaw.verification.proofs.counting import count_laws
from conslaw.verification.proofs.modular_count import modular_count

SIDE_BY_SIDE = [("relu", [8, 8, 8], {}), ("relu", [12, 12, 12], {}), ("relu", [16, 16, 16], {}),
                ("linear", [8, 8, 8], {}), ("linear", [12, 12, 12], {}),
                ("attention", [], {"d": 6, "dk": 4, "dv": 4})]
AT_SCALE = [["relu", "50", "50", "50"], ["linear", "50", "50", "50"],
            ["attention", "--d", "50", "--dk", "25", "--dv", "25"], ["relu", "36", "70", "36"]]


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


def _run(args: list[str]) -> tuple[str, float, float]:
    """(the row of the table, wall seconds, peak MB) of ``conslaw count ARGS --modular --json`` in its own process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "conslaw", "count", *args, "--modular", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, _, usage = os.wait4(proc.pid, 0)
    wall, peak = time.perf_counter() - t0, usage.ru_maxrss / 1024
    if not out.strip():
        return f"| {' '.join(args)} | | failed: {err.strip()[-200:]} | | {wall:.1f} | {peak:.0f} |", wall, peak
    r = json.loads(out)
    laws = r["laws"] if r["laws"] is not None else f"{r['laws_at_least']}–{r['laws_at_most']}"
    return f"| {' '.join(args)} | {r['D']:,} | {laws} | {r['status']} | {wall:.1f} | {peak:.0f} |", wall, peak


def at_scale() -> None:
    print("| instance | D | laws | status | wall (s) | peak memory (MB) |")
    print("|---|---|---|---|---|---|")
    for args in AT_SCALE:
        print(_run(args)[0])


def largest() -> None:
    print("| instance | D | laws | status | wall (s) | peak memory (MB) |")
    print("|---|---|---|---|---|---|")
    for k in (50, 55, 58, 62, 65, 70, 80):
        row, wall, peak = _run(["relu", str(k), str(k), str(k)])
        print(row)
        if wall > 60 or peak > 2048:
            break


def main() -> None:
    print(f"# {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if "--largest" in sys.argv:
        largest()
        return
    side_by_side()
    if "--quick" not in sys.argv:
        print()
        at_scale()


if __name__ == "__main__":
    main()
