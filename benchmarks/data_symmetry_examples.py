"""Data symmetry (Galley, Shahverdi, Flinth): the law counts with and without augmentation, exactly.

    python benchmarks/data_symmetry_examples.py [--logistic]

For each model and group: D, the group's order, and for the square loss the count for all data (the model's
own laws) beside the count for G-augmented data (:func:`conslaw.algebra.data_symmetry.data_symmetry_counts`:
D − exact trace rank of the span of the loss gradients, at two seeded rational points), with the polynomial laws
of degree ≤ 2 found.  ``--logistic`` adds the logistic loss's augmented upper bound (Taylor orders 0, 1, 3) for
the one-output models.  Prints a Markdown table and the time of each row.
"""
from __future__ import annotations

import sys
import time

from conslaw.algebra.data_symmetry import build_augmented_model, data_symmetry_counts

CASES = [
    ("c3-linear", {"outputs": 1}), ("c3-linear", {"outputs": 2}), ("c3-linear", {"outputs": 3}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 1, "group": "sign"}),
    ("lightning-attention", {"tokens": 2, "d": 2, "k": 1, "group": "sign"}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 1, "group": "c4"}),
    ("lightning-attention", {"tokens": 2, "d": 2, "k": 1, "group": "c4"}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 2, "group": "c4"}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 2, "group": "c3"}),
    ("lightning-attention", {"tokens": 1, "d": 3, "k": 1, "group": "c3-shift"}),
    ("lightning-attention", {"tokens": 2, "d": 3, "k": 1, "group": "c3-shift"}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 1, "group": "so2"}),
    ("lightning-attention", {"tokens": 1, "d": 2, "k": 2, "group": "so2"}),
    ("lightning-attention", {"tokens": 2, "d": 2, "k": 1, "group": "so2"}),
]


def main() -> None:
    logistic = "--logistic" in sys.argv[1:]
    t0 = time.perf_counter()
    head = "| model | D | order of G | square, all data | square, augmented | polynomial laws found |"
    print(head.replace("order of G", "G") + (" logistic, augmented (upper bound) |" if logistic else "") + " seconds |")
    print("|---" * (head.count("|") - 1 + (1 if logistic else 0) + 1) + "|")
    for name, options in CASES:
        t = time.perf_counter()
        model = build_augmented_model(name, **options)
        square = data_symmetry_counts(model, "square")
        row = (f"| {name} {' '.join(f'{k}={v}' for k, v in options.items())} | {square['D']} | "
               f"{model.group_text} | {square['plain']['laws']} | {square['augmented']['laws']} | "
               f"{square['augmented']['polynomial_laws_found']} |")
        if logistic:
            if model.rotations and options.get("k", 1) > 1:
                row += " (not run: over 10 min) |"
            elif len(model.outputs) == 1:
                row += f" {data_symmetry_counts(model, 'logistic')['augmented']['laws']} |"
            else:
                row += " (one output only) |"
        print(row + f" {time.perf_counter() - t:.2f} |", flush=True)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
