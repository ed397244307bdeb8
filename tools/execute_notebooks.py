"""Re-execute notebooks top to bottom and store their outputs in place (plots included), timing each.

    python tools/execute_notebooks.py                    # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/05_sgd_drift.ipynb

The stored outputs are what the repository page shows; ``tests/test_notebooks.py`` re-executes every notebook
and checks its outputs and its time (each under 3 minutes on a 2-core CPU).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path, timeout: int = 600) -> float:
    """Run ``path`` in a fresh python3 kernel (working directory: its folder) and write it back; seconds taken."""
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
