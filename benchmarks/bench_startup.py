"""Start-up cost of the ``conslaw`` command: each command run as a fresh process, best of ``--repeat`` wall
times, with its ratio to ``python -c pass`` (the interpreter's own start, the baseline) measured in the same
run; and which heavy libraries each one loads (``-X importtime``).

    python benchmarks/bench_startup.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HEAVY = ("sympy", "networkx", "torch", "flint", "dask", "matplotlib")


def wall(cmd: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t0)
    return best


def loaded(code: str) -> list[str]:
    """The heavy top-level packages that running ``code`` imports."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    names = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return [h for h in HEAVY if h in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    exe = shutil.which("conslaw") or sys.exit("conslaw is not installed (pip install .)")
    with tempfile.TemporaryDirectory() as tmp:
        cert = os.path.join(tmp, "cert.json")
        subprocess.run([exe, "certify", "relu", "1", "1", "1", "-o", cert], check=True, capture_output=True)
        runs = [
            ("python -c pass (baseline)", [sys.executable, "-c", "pass"], "pass"),
            ("python -c 'import conslaw'", [sys.executable, "-c", "import conslaw"], "import conslaw"),
            ("conslaw --version", [exe, "--version"], "import sys; sys.argv = ['conslaw', '--version']\n"
             "from conslaw.__main__ import main\ntry: main()\nexcept SystemExit: pass"),
            ("conslaw --help", [exe, "--help"], "import sys; sys.argv = ['conslaw', '--help']\n"
             "from conslaw.__main__ import main\ntry: main()\nexcept SystemExit: pass"),
            ("conslaw check (relu 1 1 1)", [exe, "check", cert], f"import sys; sys.argv = ['conslaw', 'check', {cert!r}]\n"
             "from conslaw.__main__ import main\ntry: main()\nexcept SystemExit: pass"),
            ("conslaw count relu 1 1 1", [exe, "count", "relu", "1", "1", "1"], None),
        ]
        base = None
        print(f"{'command':32} {'best of ' + str(args.repeat):>11} {'ratio':>7}  heavy imports")
        for name, cmd, code in runs:
            t = wall(cmd, args.repeat)
            base = base or t
            heavy = ", ".join(loaded(code)) if code else "(not traced)"
            print(f"{name:32} {t * 1000:9.0f} ms {t / base:6.1f}x  {heavy or 'none'}")


if __name__ == "__main__":
    main()
