"""Speed of the exact count for the main paper's building blocks (issue #4).

    python benchmarks/bench_blocks.py

Time (best of 3, construction included) of the exact law count versus D for
convolutional blocks, attention layers and softmax layers, and the degree-2
law basis beside it.  The attention instance of issue #4 (d = 4, d' = d'' = 2,
H = 2) is in the table.
"""
from __future__ import annotations

import platform
import time

from timing import best, loglog_slope

from conslaw.algebra import attention_layer, conv_relu_block, lie_trace, polynomial_laws, softmax_layer

BLOCKS = {
    "conv": [((c, c, c), n, (2, 2)) for c, n in ((1, 4), (2, 4), (2, 8), (3, 8), (4, 8), (5, 8), (6, 8))],
    "attention": [(d, 2, 2, h) for d, h in ((2, 1), (3, 1), (4, 1), (4, 2), (5, 2), (6, 2), (6, 3))],
    "softmax": [(n, k) for n, k in ((3, 4), (8, 10), (16, 10), (32, 10))],
}


def build(kind, spec):
    if kind == "conv":
        return conv_relu_block(spec[0], spec[1], spec[2])
    if kind == "attention":
        return attention_layer(spec[0], spec[1], spec[2], heads=spec[3])
    return softmax_layer(*spec)


def main() -> None:
    print(f"# python {platform.python_version()} on {platform.machine()}, {time.strftime('%Y-%m-%d')}")
    print("| block | D | generators | laws | count (s) | degree-2 basis (s) |")
    print("|---|---|---|---|---|---|")
    for kind, specs in BLOCKS.items():
        pts = []
        for spec in specs:
            res, t = best(lambda: lie_trace(build(kind, spec).generators(), seed=0))
            a = build(kind, spec)
            basis, tb = best(lambda: polynomial_laws(a.generators(), 2), 1) if a.dim <= 120 else (None, None)
            tb_s = f"{tb:.3f}" if tb is not None else "-"
            print(f"| {a.description} | {a.dim} | {len(a.phi)} | {res.laws} | {t:.3f} | {tb_s} |", flush=True)
            pts.append((a.dim, t))
        print(f"# {kind}: count time grows like D^{loglog_slope(pts[1:]):.2f}")


if __name__ == "__main__":
    main()
