"""Found against counted on the test zoo (issue 23): for each model of ``tests/model_zoo.py``, ``find_laws`` (patterns
and symmetry search) against ``count_module_laws`` (the numerical count on the inputs, and on the inputs with a
second batch: the difference is the laws of these inputs), with the time of each.  Prints one Markdown table row
per model.  ``python benchmarks/zoo_found_vs_counted.py [NAME-PREFIX ...]``."""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from model_zoo import ZOO  # noqa: E402

from conslaw.verification.nn.count import count_module_laws  # noqa: E402
from conslaw.verification.nn.laws import find_laws  # noqa: E402

LIMIT = float(os.environ.get("ZOO_TIME_LIMIT", 120))  # seconds per trace (two traces per count)


def row(name: str, make) -> str:
    model, x = make()
    t = time.perf_counter()
    inv = find_laws(model, example_inputs=(x,))
    t_find = time.perf_counter() - t
    t = time.perf_counter()
    rep = count_module_laws(model, x, inventory=inv, time_limit=LIMIT, max_level=16)
    t_count = time.perf_counter() - t
    on_inputs = rep["laws_on_these_inputs"] if rep["laws_on_these_inputs"] is not None else "bound"
    of_inputs = rep["laws_of_inputs"] if rep["laws_of_inputs"] is not None else "?"
    of_point = rep["laws_of_this_point"]
    model_laws = f"{rep['laws'] - of_point}" if rep["status"] != "bounds" else f"≤ {rep['laws_at_most'] - of_point}"
    where = ", ".join(f"{k} ({v:g})" for k, v in rep["missed_in"].items())
    return (f"| {name} | {rep['D']} | {rep['inputs']} + {rep['recount_inputs'] - rep['inputs']} | {on_inputs} | "
            f"{of_inputs} | {of_point} | {model_laws} | {rep['found_independent']} | {rep['status']} | {t_find:.2f} | "
            f"{t_count:.1f} | {where} |")


def main() -> None:
    only = sys.argv[1:]
    print("| model | D | inputs (+ second batch) | laws on these inputs | laws of these inputs | laws of this θ |"
          " laws of the model | found | status | find_laws (s) | count (s) | missed laws live in |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, make in ZOO.items():
        if not only or any(name.startswith(o) for o in only):
            print(row(name, make), flush=True)


if __name__ == "__main__":
    main()
