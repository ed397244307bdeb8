"""The ``conslaw`` command.

    conslaw count relu 3 2 3 --bias
    conslaw count linear 2 3 2 2 --json --seed 1 --points 3
    conslaw architectures

Bad input prints one line ``conslaw: error: …`` and exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence

from conslaw.algebra import ARCHITECTURES, ConslawError
from conslaw.algebra.points import DEFAULT_BOUND

from .counting import count_laws
from .progress import ProgressBar

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line instead of usage + message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conslaw", description="Exact conservation laws of neural-network training flows.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    count = sub.add_parser("count", help="count the independent conservation laws of an architecture")
    count.add_argument("arch", help=f"architecture: {', '.join(sorted(ARCHITECTURES))}")
    count.add_argument("widths", nargs="+", type=_int, help="layer widths n_0 (input) ... n_q (output)")
    count.add_argument("--bias", action="store_true", help="hidden-layer biases (relu)")
    count.add_argument("--seed", type=_int, default=0, help="seed of the random rational points (default 0)")
    count.add_argument("--points", type=_positive_int, default=2, help="number of working points (default 2)")
    count.add_argument("--max-level", type=_positive_int, default=50, help="most bracket levels (default 50)")
    count.add_argument("--record", choices=("kept", "all"), default="kept",
                       help="bracket graph: only new directions (kept, fast) or every bracket (all)")
    count.add_argument("--graph", metavar="FILE", help="export the bracket graph (.json or .graphml)")
    count.add_argument("--show-brackets", action="store_true", help="list the brackets that gave new directions")
    count.add_argument("--json", action="store_true", help="print one JSON object")
    count.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    sub.add_parser("architectures", help="list the known architectures")
    return parser


def _print_text(report: dict, result, show_brackets: bool, out) -> None:
    r = report
    print(r["description"], file=out)
    print(f"  parameters D = {r['D']}, generators {r['generators']} (gradients of the components of phi)", file=out)
    print(f"  working points: {len(r['points'])}, seed {r['seed']} ({r['point_distribution']})", file=out)
    for lv in r["levels"]:
        what = "generators" if lv["level"] == 0 else "brackets"
        print(f"  level {lv['level']}: {lv['new']} new directions from {lv['examined']} {what} examined "
              f"(of {lv['candidates']}); rank mod p per point {lv['ranks_mod_p']}", file=out)
    stop = {"converged": "the last level added no direction",
            "full_rank": "the trace is all of R^D",
            "max_level": "max level reached (rank is a lower bound)"}[r["status"]]
    print(f"  stopped: {stop}", file=out)
    print(f"  trace rank dim Lie(V)(theta) = {r['rank']}, exact over QQ at each point: {r['ranks_per_point']}", file=out)
    k = r["known_laws"]
    print(f"  known laws from the literature: {k['stated']} stated, {k['independent_at_first_point']} independent", file=out)
    print(f"  independent conservation laws: D - rank = {r['D']} - {r['rank']} = {r['laws']}", file=out)
    for note in r["notes"]:
        print(f"  note: {note}", file=out)
    if show_brackets:
        g = result.graph
        print("  brackets that gave new directions:", file=out)
        for n, d in g.new_directions():
            if d["level"] > 0:
                print(f"    level {d['level']}: {d['label']}", file=out)
    print(f"  time {r['seconds']:.3f} s", file=out)


def run(argv: Optional[Sequence[str]] = None, out=None) -> int:
    """Run the CLI; returns the exit status (0 ok, 2 bad input, 1 internal error)."""
    out = out or sys.stdout
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return EXIT_BAD_INPUT
        if args.command == "architectures":
            for name, fn in sorted(ARCHITECTURES.items()):
                print(f"{name}: {(fn.__doc__ or '').strip().splitlines()[0]}", file=out)
            return 0
        bar = ProgressBar(enabled=not args.no_progress and not args.json)
        try:
            _, result, report = count_laws(
                args.arch, args.widths, bias=args.bias, seed=args.seed, n_points=args.points,
                max_level=args.max_level, record=args.record, progress=bar,
            )
        finally:
            bar.close()
        if args.graph:
            try:
                result.graph.write(args.graph)
            except OSError as exc:
                raise ConslawError(f"cannot write the graph to {args.graph}: {exc.strerror}") from None
            report["graph_file"] = args.graph
        if args.json:
            print(json.dumps(report), file=out)
        else:
            _print_text(report, result, args.show_brackets, out)
        return 0
    except (_UsageError, ConslawError) as exc:
        print(f"conslaw: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("conslaw: interrupted", file=sys.stderr)
        return 130


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
