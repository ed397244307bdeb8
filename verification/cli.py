"""The ``conslaw`` command.

    conslaw count relu 3 2 3 --bias
    conslaw count linear 2 3 2 2 --json --seed 1 --points 3
    conslaw count conv --channels 2 3 2 --length 4 --filters 2 2
    conslaw count attention --d 3 --dk 2 --dv 2 --heads 2
    conslaw count softmax 3 4 --bias
    conslaw count relu 3 2 3 --residual
    conslaw count relu 40 40 40 --numeric [--device cuda] [--precision float32]
    conslaw count attention --d 16 --dk 4 --dv 4 --heads 4 --numeric --model
    conslaw count resnet --dim 2 --hidden 3 3 --subset block:1
    conslaw count resnet --dim 4 --hidden 2 2 --kinds conv dense --signal 2 2 --filters 2 1 --subset block:1
    conslaw laws relu 3 2 3 --bias --degree 2 --format latex
    conslaw certify relu 3 2 3 --bias -o cert.json
    conslaw check cert.json
    conslaw data-symmetry c3-linear --outputs 2
    conslaw data-symmetry lightning-attention --group c4 --loss logistic
    conslaw architectures

It is argparse and dispatch only: what it prints comes from :mod:`.report.text` (renderers of the typed results
the library returns), what it computes from the library.  It is longer than the ~400 lines a module should keep
to because the argument definitions of its six commands, with their help texts, take half of it.

Bad input prints one line ``conslaw: error: …`` and exits with status 2;
``check`` exits with status 1 when it rejects a certificate; an internal
error (a bug) prints one line and exits with status 3.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Optional, Sequence

from conslaw.algebra import ConslawError, build_architecture
from conslaw.algebra.architectures import SPECS, check_request, unknown_architecture
from conslaw.algebra.architectures.given import GIVEN, given_architecture
from conslaw.algebra.architectures.sizes import architecture_sizes, resnet_size
from conslaw.algebra.fields_file import read_fields_file

from .checker import CertificateFormatError, check_file
from .proofs.audit import audited
from .proofs.ball_rank import BALL_MODELS, POINT_BOUND, ball_certificate_text, ball_model, certified_rank
from .proofs.budget import (
    TimeLimitReached,
    check_exact_budget,
    resnet_region_seconds,
    time_limit,
)
from .proofs.certificate import build_certificate, certificate_text, write_certificate
from .proofs.claims import as_bound
from .proofs.counting import count_laws
from .proofs.data_symmetry import JSON_KEYS as DATA_SYMMETRY_JSON_KEYS
from .proofs.data_symmetry import data_symmetry_report
from .proofs.flow_counts import json_count, mirror_report, momentum_report
from .proofs.modular_certificate import modular_certificate_text
from .proofs.modular_count import given_count, modular_count
from .proofs.modular_law_search import modular_law_search
from .proofs.resnet import count_resnet, resnet_laws
from .report.certificates import render_laws, render_modular_laws, render_resnet_laws
from .report.progress import ProgressBar
from .report.text import (
    certify_text,
    check_text,
    count_text,
    data_symmetry_text,
    mirror_text,
    modular_count_text,
    module_count_text,
    momentum_text,
    numeric_count_text,
    rejection_text,
    resnet_count_text,
    sign_flow_text,
    verify_entry_text,
    verify_summary_text,
)

EXIT_BAD_INPUT = 2
EXIT_REJECTED = 1
EXIT_INTERNAL = 3
EXIT_TIME_LIMIT = 4  # --time-limit reached: no count (exact runs), or only a bound (numerical runs)
_STARTED = [0.0]  # time.perf_counter() when run() began: --time-limit counts from there


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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1e7:
        raise argparse.ArgumentTypeError(f"{text} must be a positive number of seconds")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _architecture_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("arch", nargs="?", help=f"architecture: {', '.join(sorted([*SPECS, 'resnet']))}")
    p.add_argument("widths", nargs="*", type=_int,
                   help="sizes: layer widths n_0 ... n_q (linear, relu), or n K (softmax)")
    p.add_argument("--bias", action="store_true", help="hidden-layer biases (relu) or the bias b (softmax)")
    p.add_argument("--residual", action="store_true", help="wrap the block as x + g(x) (Prop. 3.2)")
    for option in _OPTION_SPECS:  # each architecture's own options, from the registry
        p.add_argument(f"--{option.name}", nargs=None if option.count == 1 else option.count,
                       type=_positive_int if option.kind == "int" else str,
                       metavar=(option.metavar[0] if option.count == 1 else option.metavar) if option.metavar else None,
                       help=option.help)
    p.add_argument("--seed", type=_int, default=0, help="seed of the random rational points (default 0)")
    p.add_argument("--dim", type=_positive_int, help="resnet: dimension of the residual stream")
    p.add_argument("--hidden", nargs="+", type=_positive_int, help="resnet: hidden width of each block")
    p.add_argument("--inputs", type=_positive_int,
                   help="resnet: sample this many rational inputs instead of enumerating every activation region "
                        "(the default, exact; sampled counts are upper bounds, never proven); "
                        "count --numeric --model: number of random inputs")
    p.add_argument("--classes", type=_positive_int, default=0, help="resnet: end in a softmax over K classes")
    p.add_argument("--kinds", nargs="+", choices=("dense", "conv"), help="resnet: the kind of each block")
    p.add_argument("--signal", nargs=2, type=_positive_int, metavar=("C", "N"),
                   help="resnet conv blocks: channels and length of the signal (dim = C N); with --filters")
    p.add_argument("--subset", default="all", help="resnet: all, head, block:L or straddle:L (default all)")
    p.add_argument("--force", action="store_true",
                   help="run an exact computation even when its estimated time or memory is over the budget")
    p.add_argument("--fields", metavar="FILE",
                   help="your own polynomial vector fields or map phi, written in a text file instead of an "
                        "architecture (lines 'parameters: a b c', 'phi: a*b - c', 'field: b, -a, 0'; read by a "
                        "bounded grammar, never evaluated as code; README, 'Your own fields')")


#: every architecture's options, once each, in the registry's order
_OPTION_SPECS = tuple({o.name: o for spec in SPECS.values() for o in spec.option_specs}.values())
_OPTIONS = tuple(o.name for o in _OPTION_SPECS)


def _build(args, what: str, degree: Optional[int] = None, points: int = 1):
    """The architecture the command line names, after refusing what would exceed the exact budget."""
    if args.fields:
        return _given(args, what, degree, points)
    options = {k: getattr(args, k) for k in _OPTIONS}
    key = check_request(args.arch, args.widths, bias=args.bias, **options)
    try:
        D, n_phi = architecture_sizes(key, args.widths, args.bias, **options)
    except (KeyError, ValueError, TypeError):  # malformed sizes: the builder names the problem
        D = None
    if D is not None and D > 0 and n_phi >= 0:
        check_exact_budget(f"{what} of {key} {_sizes_text(args)}", key, D, n_phi, points=points, degree=degree,
                           force=args.force, time_limit=args.time_limit)
    return build_architecture(args.arch, args.widths, bias=args.bias, residual=args.residual, **options)


def _read_fields(args):
    """The ``--fields FILE`` of the command line, after refusing an architecture or sizes given with it."""
    if args.arch is not None or args.widths or args.bias or args.residual or \
            any(getattr(args, k) is not None for k in _OPTIONS):
        raise ConslawError("--fields FILE replaces the architecture: give no architecture name, widths or sizes "
                           "with it")
    return read_fields_file(args.fields)


def _given(args, what: str, degree: Optional[int], points: int):
    """The fields of ``--fields FILE`` as an architecture, after refusing sizes given with them and what would
    exceed the exact budget."""
    given = _read_fields(args)
    arch = given_architecture(given)
    n_gens = len(given.phi) + len(given.fields)
    check_exact_budget(f"{what} of the fields of {args.fields}", GIVEN, arch.dim, n_gens, points=points,
                       degree=degree, force=args.force, time_limit=args.time_limit)
    return arch


def _sizes_text(args) -> str:
    if args.widths:
        return " ".join(map(str, args.widths))
    return " ".join(f"--{k} {' '.join(map(str, v)) if isinstance(v, (list, tuple)) else v}"
                    for k in _OPTIONS if (v := getattr(args, k)) is not None)


def build_parser() -> argparse.ArgumentParser:
    from conslaw import __version__

    parser = _Parser(prog="conslaw", description="Exact conservation laws of neural-network training flows.")
    parser.add_argument("-V", "--version", action="version", version=f"conslaw {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    count = sub.add_parser("count", help="count the independent conservation laws of an architecture")
    _architecture_args(count)
    count.add_argument("--flow", choices=("gradient", "sign", "momentum", "mirror", "mirror-momentum"),
                       default="gradient",
                       help="gradient (default): theta' = -grad L; sign: theta' = -sign(grad L), the simplified Adam "
                            "flow (Appendix R); momentum: theta'' + theta' = -grad L on phase space (Keep the "
                            "Momentum); mirror: theta' = -theta * grad L, the entropic metric of NMF on theta > 0; "
                            "mirror-momentum: (log theta)'' + (log theta)' = -grad L; all exact at rational points")
    count.add_argument("--metric", choices=("entropic", "icnn"), default="entropic",
                       help="with --flow mirror or mirror-momentum: the entropic metric on every parameter (NMF, "
                            "default) or only on the weights after the first layer, kept non-negative in an input-"
                            "convex network (icnn), Euclidean on the others")
    count.add_argument("--points", type=_positive_int,
                       help="number of working points (default 2; with --numeric: seeded Gaussian points, default "
                            "1, each rank listed and a disagreement flagged)")
    count.add_argument("--modular", action="store_true",
                       help="prove the count at the numeric scale (D in the thousands): ranks mod p of generator and "
                            "bracket values at an integer point (lower bound on dim Lie) against the stated laws "
                            "verified as identities (relu, linear, attention, or the phi and law lines of --fields)")
    count.add_argument("--scheduler", default="serial",
                       help="with --modular: where its pieces of work (identity checks of groups of laws, blocks of "
                            "parameters) run: serial (default, this process), local (a Dask LocalCluster on this "
                            "machine) or the address of a Dask scheduler (tcp://host:8786); the result is the same")
    count.add_argument("--workers", type=_positive_int, default=2,
                       help="with --modular --scheduler local: Dask worker processes (default 2)")
    count.add_argument("--certificate", metavar="FILE",
                       help="with --modular (or --certify-rank): write the certificate of the count (of the rank) "
                            "(re-verified by the independent checker before it is reported; re-check with "
                            "'conslaw check FILE')")
    count.add_argument("--certify-rank", action="store_true",
                       help="with --numeric --model (attention, softmax): prove the numerical rank r as a lower bound, "
                            "dim Lie(model) >= r at a seeded rational point, by a minor of the model's own fields "
                            "and brackets whose determinant in ball arithmetic excludes 0 (so at most D - r laws, "
                            "proven)")
    count.add_argument("--known", type=_int, metavar="N",
                       help="a claimed number of laws: stop as soon as the rank reaches D - N, then prove the count "
                            "with N stated laws verified (confirmed), or say it is not proven or refuted")
    count.add_argument("--max-level", type=_positive_int, help="most bracket levels (default 50; 10 with --numeric)")
    count.add_argument("--record", choices=("kept", "all"), default="kept",
                       help="bracket graph: only new directions (kept, fast) or every bracket (all)")
    count.add_argument("--graph", metavar="FILE", help="export the bracket graph (.json or .graphml)")
    count.add_argument("--show-brackets", action="store_true", help="list the brackets that gave new directions")
    count.add_argument("--json", action="store_true", help="print one JSON object")
    count.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    count.add_argument("--numeric", action="store_true",
                       help="count in floating point with torch (relu, linear, attention at any size; others as exact maps)")
    count.add_argument("--device", help="with --numeric: cpu, cuda, cuda:N or auto (default auto: CUDA when present)")
    count.add_argument("--precision", choices=("float64", "float32"), help="with --numeric (default float64)")
    count.add_argument("--threads", type=_positive_int, metavar="N",
                       help="with --numeric on the CPU: torch threads (default: one below D = 2000, else the idle "
                            "cores)")
    count.add_argument("--time-limit", type=_positive_float, metavar="SECONDS",
                       help="with --numeric: stop growing after this long (the rank is then a lower bound, and says so); "
                            "exact: stop the run after this long (no result)")
    count.add_argument("--module", metavar="PKG.MOD:FACTORY",
                       help="count the laws of your own nn.Module numerically: FACTORY() returns (model, inputs); "
                            "compared with the laws the pattern matcher finds")
    count.add_argument("--loss", choices=("cross_entropy", "mse"), default="cross_entropy",
                       help="with --module: the loss the model is trained with (default cross_entropy)")
    count.add_argument("--named", action="store_true",
                       help="with --numeric: bracket the generators themselves (not random combinations) and list, "
                            "per level, the brackets kept by name, e.g. [X3, [X1, X0]], with what each X_k is "
                            "(D up to 1000)")
    count.add_argument("--model", action="store_true",
                       help="with --numeric: count from the model's own fields, softmax included — attention: at "
                            "--inputs random inputs (default 5D/(N d)) of --tokens tokens (default 4); softmax: the "
                            "per-sample cross-entropy gradients at --inputs random samples (default 5D)")

    laws = sub.add_parser("laws", help="find, prove and print the polynomial conservation laws")
    _architecture_args(laws)
    laws.add_argument("--degree", type=_positive_int, default=2, help="largest degree searched (default 2)")
    laws.add_argument("--format", choices=("text", "latex", "markdown", "json"), default="text")
    laws.add_argument("--standalone", action="store_true", help="with --format latex: a complete document")
    laws.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    laws.add_argument("--time-limit", type=_positive_float, metavar="SECONDS", help="stop the run after this long")
    laws.add_argument("--modular", action="store_true",
                      help="at the numeric scale (relu, linear, attention; D in the thousands): laws of degree <= 2 "
                           "found block by block and by sign character from sampled equations mod p, each verified "
                           "as an identity; the count proven by ranks mod p; the certificate checked before printing")

    cert = sub.add_parser("certify", help="write an exact certificate of the laws and their count")
    _architecture_args(cert)
    cert.add_argument("--degree", type=_positive_int, default=2, help="largest degree searched (default 2)")
    cert.add_argument("-o", "--output", metavar="FILE", required=True, help="certificate file (JSON)")
    cert.add_argument("--time-limit", type=_positive_float, metavar="SECONDS", help="stop the run after this long")

    aug = sub.add_parser("data-symmetry", help="laws of a model trained on data augmented by a finite group "
                                               "(Galley, Shahverdi, Flinth), exact")
    aug.add_argument("model", choices=("c3-linear", "lightning-attention"),
                     help="c3-linear: f = Wx with C3 shifting R^3; lightning-attention: unnormalised single head")
    aug.add_argument("--outputs", type=_positive_int, default=1, help="c3-linear: rows of W (default 1)")
    aug.add_argument("--tokens", type=_positive_int, default=1, help="lightning-attention: tokens (default 1)")
    aug.add_argument("--d", type=_positive_int, default=2, help="lightning-attention: features per token (default 2)")
    aug.add_argument("--k", type=_positive_int, default=1, help="lightning-attention: query/key size (default 1)")
    aug.add_argument("--group", default="sign",
                     help="lightning-attention: the group on each token's features: sign, c4, c3 (d = 2), c3-shift "
                          "(d = 3), or so2 (every rotation of the first two features, Haar-averaged); default sign")
    aug.add_argument("--loss", choices=("square", "logistic"), default="square",
                     help="square (default) or logistic (one output: an upper bound from its first Taylor orders)")
    aug.add_argument("--seed", type=int, default=0, help="seed of the rational point (default 0)")
    aug.add_argument("--json", action="store_true", help="print one JSON object")
    aug.add_argument("-o", "--certificate", metavar="FILE", help="also write the certificate (re-check with 'conslaw check')")

    check = sub.add_parser("check", help="re-verify a certificate independently")
    check.add_argument("file", help="certificate written by 'conslaw certify'")
    sub.add_parser("architectures", help="list the known architectures")

    verify = sub.add_parser("verify", help="check the papers' results on small instances (the theorem catalogue)")
    verify.add_argument("--paper", help="only this paper's results (tc25, abide23, km24, mpg25, gsf26, kunin21)")
    verify.add_argument("--only", nargs="+", metavar="ID", help="only these results, e.g. tc25:prop-3.5-relu")
    verify.add_argument("--grid", choices=("quick", "full", "paper23"), default="quick",
                        help="instances to run: quick (default), full, or paper23 (the 2023 paper's validation: 50 "
                             "random linear nets, D <= 100, and 50 random ReLU nets, D <= 330)")
    verify.add_argument("--seed", type=int, default=0, help="seed of the rational points (default 0)")
    verify.add_argument("--out", metavar="DIR", help="write results.json, report.md and one certificate per instance")
    verify.add_argument("--scheduler", default="auto",
                        help="serial (this process), local (a Dask LocalCluster on this machine) or the address of a "
                             "Dask scheduler; auto (default): local for paper23, serial otherwise")
    verify.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes of the local Dask cluster (default: the number of cores)")
    verify.add_argument("--resume", action="store_true",
                        help="keep the records already in DIR/results.jsonl and run only the missing instances")
    verify.add_argument("--list", action="store_true", help="list the catalogue and exit")
    verify.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    return parser


def _verify(args, out) -> int:
    """One line per result: id, instances, method, verdict, time; exit 0 only if every checkable result holds."""
    from .catalogue.run import compile_tex, run_catalogue, write_reports
    from .catalogue.sweep import plan
    from .catalogue.theorems import select

    results = select(args.paper, args.only)
    if args.list:
        for r in results:
            print(f"{r.id}: {r.title} [{r.check}]", file=out)
        return 0
    if not results:
        raise ConslawError(f"the catalogue has no results of paper {args.paper!r} yet")
    scheduler = args.scheduler if args.scheduler != "auto" else ("local" if args.grid == "paper23" else "serial")
    bar = ProgressBar(enabled=not args.no_progress)
    done = [0]
    total = len(plan(results, args.grid))

    def on_record(record: dict) -> None:
        done[0] += 1
        bar("instances", done[0], total)

    def progress(entry: dict) -> None:
        out.write(verify_entry_text(entry))

    t0 = time.perf_counter()
    report = run_catalogue(results, grid=args.grid, seed=args.seed, out_dir=args.out, progress=progress,
                           scheduler=scheduler, workers=args.workers, resume=args.resume, on_record=on_record)
    wall = time.perf_counter() - t0
    bar.close()
    if args.out:
        write_reports(report, args.out)
        pdf = compile_tex(args.out)
        print(f"reports in {args.out}: index.html (the blueprint page), results.json, results.jsonl, report.md, "
              "report.tex"
              + (", report.pdf" if pdf else " (no pdflatex: not compiled)")
              + ", certificates/ (re-check with 'conslaw check')", file=out)
    who = ("in this process" if scheduler == "serial" else
           f"in parallel on {args.workers} Dask workers" if scheduler == "local" else
           f"on the Dask cluster {scheduler}")
    out.write(verify_summary_text(report, args.grid, args.seed, wall, who))
    return 0 if report["all_hold"] else 1


def _resnet_options(args) -> dict:
    if args.dim is None or not args.hidden:
        raise ConslawError("resnet needs --dim d and --hidden r1 r2 ...")
    if args.widths:
        raise ConslawError("resnet takes no widths; use --dim and --hidden")
    conv = None
    if args.signal:
        if not args.filters:
            raise ConslawError("conv blocks need --filters k1 k2 with --signal C N")
        conv = (*args.signal, *args.filters)
    return dict(bias=args.bias, classes=args.classes, subset=args.subset, n_inputs=args.inputs, seed=args.seed,
                kinds=args.kinds, conv=conv)


def _resnet_budget(args, what: str, degree: Optional[int] = None) -> None:
    D = resnet_size(args.dim, args.hidden, args.bias, args.classes, args.kinds,
                    (*args.signal, *args.filters) if args.signal and args.filters else None)
    regions = resnet_region_seconds(args.dim, args.hidden, D)
    check_exact_budget(f"{what} of the residual network", "resnet", D, 0, degree=degree,
                       force=args.force, time_limit=args.time_limit, hint="use smaller sizes", extra_seconds=regions)


def _laws_resnet(args, out) -> int:
    options = _resnet_options(args)
    _resnet_budget(args, "the exact law search", args.degree)
    with time_limit(args.time_limit, "the law search"):
        report, laws, space = resnet_laws(args.dim, args.hidden, degree=args.degree, **options)
    _write(render_resnet_laws(report, laws, space, args.format, standalone=args.standalone), args.output, out)
    return 0


def _count_resnet(args, out) -> int:
    options = _resnet_options(args)
    _resnet_budget(args, "the exact count")
    with time_limit(args.time_limit, "the exact count"):
        report = count_resnet(args.dim, args.hidden, **options)
    if args.json:
        v = report.get("verdict", {})
        if v.get("status") == "bounded":
            report = as_bound(dict(report), upper=v["upper"], lower=v["lower"], why=v["text"])
        print(json.dumps(report), file=out)
        return 0
    out.write(resnet_count_text(report))
    return 0


def _no_resnet_options(args) -> None:
    for opt in ("dim", "hidden", "inputs", "kinds", "signal"):
        if getattr(args, opt) is not None:
            raise ConslawError(f"--{opt} is for resnet only")
    if args.classes or args.subset != "all":
        raise ConslawError("--classes and --subset are for resnet only")


def _count_numeric(args, out) -> int:
    from .numeric.counting import (
        count_laws_numerically,  # torch is imported only when asked for
    )

    if args.arch == "resnet":
        raise ConslawError("--numeric counts single blocks; for resnet drop --numeric (exact at a rational point)")
    if args.graph is not None:
        raise ConslawError("--graph is for the exact count, not with --numeric")
    if args.show_brackets or args.record != "kept":
        raise ConslawError("--show-brackets and --record are for the exact count, not with --numeric")
    _torch_seed(args, "--numeric")
    if args.force:
        raise ConslawError("--force is for the exact commands; --numeric refuses only what cannot fit in memory")
    inputs, args.inputs = args.inputs, None  # --inputs: the model's inputs here, not resnet's
    _no_resnet_options(args)
    options = {k: getattr(args, k) for k in _OPTIONS}
    ball = _ball_model(args, options) if args.certify_rank else None  # refused before the float count
    bar = ProgressBar(enabled=not args.no_progress and not args.json)
    try:
        report = count_laws_numerically(args.arch, args.widths, bias=args.bias, residual=args.residual,
                                        device=args.device, precision=args.precision or "float64", seed=args.seed,
                                        max_level=args.max_level or 10, progress=bar, model=args.model,
                                        inputs=inputs, time_limit=args.time_limit, started=_STARTED[0],
                                        threads=args.threads, points=args.points or 1, named=args.named,
                                        **options)
    finally:
        bar.close()
    if args.certify_rank and report.get("stopped_by") != "time limit":
        report["certified_rank"] = _certify_model_rank(args, ball, report)
    if args.json:
        print(json.dumps(report), file=out)
    else:
        out.write(numeric_count_text(report))
    return EXIT_TIME_LIMIT if report.get("stopped_by") == "time limit" else 0


def _ball_model(args, options: dict):
    """The model ``--certify-rank`` evaluates in balls (the numeric count's default number of tokens where it has
    tokens), refused by name where the ball checker could not check it."""
    from .checker.ball import MAX_D
    from .numeric.counting import MODEL_TOKENS  # loaded already by the numeric count

    given = {k: v for k, v in options.items() if v is not None}
    try:
        shape = ball_model(args.arch, args.widths, args.bias, **{"tokens": MODEL_TOKENS, **given})
    except ValueError as exc:
        raise ConslawError(f"--certify-rank: {exc}") from None
    if shape.D > MAX_D:
        raise ConslawError(f"--certify-rank: D = {shape.D} is over the ball checker's limit of {MAX_D}")
    return shape


def _certify_model_rank(args, shape, report: dict) -> dict:
    """``--certify-rank``: the numerical rank r proven as a lower bound at a seeded rational point
    (:func:`~.proofs.ball_rank.certified_rank`), its certificate passed through the independent checker."""
    ball = certified_rank(shape, report["rank"], seed=args.seed)
    text = ball_certificate_text(ball["certificate"])
    if args.certificate:
        try:
            with open(args.certificate, "w") as fh:
                fh.write(text)
        except OSError as exc:
            raise ConslawError(f"cannot write {args.certificate}: {exc.strerror}") from None
    return {"rank_at_least": ball["rank"], "numerical_rank": report["rank"], "proven": ball["proven_full"],
            "laws_at_most": shape.D - ball["rank"], "precision_bits": ball["precision"],
            "point": f"seeded rational point (coordinates +-a/b with 1 <= a, b <= {POINT_BOUND}; {shape.data_note}; "
                     f"seed {args.seed})",
            "evidence": audited(text.encode()), "certificate": args.certificate, "seconds": ball["seconds"]}


def _torch_seed(args, flag: str) -> None:
    if not 0 <= args.seed < 2**63:
        raise ConslawError(f"{flag} needs a seed between 0 and 2^63 - 1 (torch generators), got {args.seed}")


def _load_module(spec: str):
    """Import pkg.mod and call FACTORY(): the user's own code, named on the command line."""
    import importlib
    import os

    if os.getcwd() not in sys.path:  # like `python -m`: modules in the current folder are found
        sys.path.insert(0, os.getcwd())
    mod_name, _, attr = spec.partition(":")
    if not mod_name or not attr:
        raise ConslawError(f"--module needs PKG.MOD:FACTORY, got {spec!r}")
    try:
        factory = getattr(importlib.import_module(mod_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConslawError(f"cannot load {spec}: {exc}") from None
    made = factory()
    if not (isinstance(made, tuple) and len(made) == 2):
        raise ConslawError(f"{spec}() must return (model, inputs), got {type(made).__name__}")
    return made


def _count_module(args, out) -> int:
    from .nn.count import count_module_laws

    if args.arch is not None or args.widths:
        raise ConslawError("--module counts your own model: give no architecture or widths")
    _torch_seed(args, "--module")
    model, inputs = _load_module(args.module)
    r = count_module_laws(model, inputs, loss=args.loss, seed=args.seed, max_level=args.max_level or 10,
                          time_limit=args.time_limit)
    out.write(json.dumps({k: v for k, v in r.items() if k not in ("batch_norm", "torch")}) + "\n" if args.json else
              module_count_text(r, args.module))
    return 0


def _count_sign_flow(args, out) -> int:
    """The sign (simplified Adam) flow's laws near a seeded rational point (:mod:`sign_flow`)."""
    from .proofs.sign_flow import sign_flow_laws

    for opt, flag in (("points", "--points"), ("graph", "--graph"), ("max_level", "--max-level")):
        if getattr(args, opt) is not None:
            raise ConslawError(f"{flag} is for the gradient flow's count, not with --flow sign")
    arch = _build(args, "the sign-flow count")
    with time_limit(args.time_limit, "the sign-flow count"):
        r = sign_flow_laws(arch, seed=args.seed)
    if args.json:
        print(json.dumps(r if r["exact"] else as_bound(dict(r), upper=r["laws"], why=r["count_kind"])), file=out)
        return 0
    out.write(sign_flow_text(r, arch.description, args.seed))
    return 0


def _count_momentum(args, out) -> int:
    """The heavy-ball flow's laws on phase space (:func:`~.proofs.flow_counts.momentum_report`)."""
    if args.graph is not None:
        raise ConslawError("--graph is for the gradient flow's count, not with --flow momentum")
    arch = _build(args, "the momentum count", points=args.points or 2)
    n_points = args.points or 2
    with time_limit(args.time_limit, "the momentum count"):
        r = momentum_report(arch, seed=args.seed, n_points=n_points, max_level=args.max_level or 50)
    out.write(json.dumps(json_count(r)) + "\n" if args.json else momentum_text(r, arch.description, args.seed, n_points))
    return 0


def _count_mirror(args, out) -> int:
    """The entropic mirror flow's laws, or its momentum version's (:func:`~.proofs.flow_counts.mirror_report`)."""
    if args.graph is not None:
        raise ConslawError(f"--graph is for the gradient flow's count, not with --flow {args.flow}")
    arch = _build(args, f"the {args.flow} count", points=args.points or 2)
    n_points = args.points or 2
    with time_limit(args.time_limit, f"the {args.flow} count"):
        r = mirror_report(arch, args.flow, args.metric, seed=args.seed, n_points=n_points)
    out.write(json.dumps(json_count(r)) + "\n" if args.json else
              mirror_text(r, arch.description, args.seed, n_points, args.flow, args.metric == "icnn"))
    return 0


def _count(args, out) -> int:
    if args.metric != "entropic" and args.flow not in ("mirror", "mirror-momentum"):
        raise ConslawError("--metric goes with --flow mirror or mirror-momentum")
    if args.known is not None and (args.module or args.numeric or args.flow != "gradient" or args.arch == "resnet"):
        raise ConslawError("--known N goes with the exact count of the gradient flow of a single architecture or "
                           "--fields FILE")
    if not args.modular and (args.scheduler != "serial" or args.workers != 2):
        raise ConslawError("--scheduler and --workers go with --modular (one count's pieces on Dask workers)")
    if args.certify_rank and not (args.numeric and args.model and args.arch in BALL_MODELS):
        raise ConslawError(f"--certify-rank goes with --numeric --model on {' or '.join(sorted(BALL_MODELS))} (the "
                           "model's own fields, softmax included, in ball arithmetic); phi's polynomial fields are "
                           "counted and proven exactly by 'count ... --modular'")
    if args.certificate and not (args.modular or args.certify_rank):
        raise ConslawError("--certificate goes with --modular or --certify-rank (exact counts are certified by "
                           "'conslaw certify')")
    if args.modular:
        return _count_modular(args, out)
    if args.module:
        return _count_module(args, out)
    if args.fields and (args.numeric or args.flow != "gradient"):
        raise ConslawError("--fields is counted exactly for the gradient flow of its generators: drop "
                           + ("--numeric" if args.numeric else f"--flow {args.flow}"))
    if args.arch is None and not args.fields:
        raise ConslawError("give an architecture (see 'conslaw architectures'), --fields FILE or --module "
                           "PKG.MOD:FACTORY")
    if args.numeric:
        if args.flow != "gradient":
            raise ConslawError(f"--flow {args.flow} is exact; drop --numeric")
        return _count_numeric(args, out)
    if args.device is not None or args.precision is not None or args.model or args.threads is not None or args.named:
        raise ConslawError("--device, --precision, --threads, --model and --named go with --numeric")
    if args.arch == "resnet":
        if args.flow != "gradient":
            raise ConslawError(f"--flow {args.flow} is for the single architectures (linear, relu, attention, …), "
                               "not resnet")
        return _count_resnet(args, out)
    _no_resnet_options(args)
    if args.flow == "sign":
        return _count_sign_flow(args, out)
    if args.flow == "momentum":
        return _count_momentum(args, out)
    if args.flow in ("mirror", "mirror-momentum"):
        return _count_mirror(args, out)
    bar = ProgressBar(enabled=not args.no_progress and not args.json)
    try:
        arch = _build(args, "the exact count", points=args.points or 2)
        with time_limit(args.time_limit, "the exact count"):
            _, result, report = count_laws(
                arch, seed=args.seed, n_points=args.points or 2, max_level=args.max_level or 50,
                record=args.record, progress=bar, known=args.known,
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
        out.write(count_text(report, result.graph if args.show_brackets else None))
    return 0 if report.get("known", {}).get("outcome", "confirmed") == "confirmed" else EXIT_REJECTED


def _count_modular(args, out) -> int:
    """``count ARCH … --modular`` (:func:`~.proofs.modular_count.modular_count`)."""
    if args.numeric or args.module or args.known is not None or args.flow != "gradient" or args.arch == "resnet":
        raise ConslawError("--modular goes with the exact count of the gradient flow of a single architecture "
                           "(relu, linear, attention; --residual for its block x + g(x)) or of a --fields file's "
                           "phi; drop --numeric, --module, --known, --flow")
    if args.fields:
        if args.residual:
            raise ConslawError("--residual wraps an architecture (x + g(x)); a fields file has no input and output")
        if args.certificate:
            raise ConslawError("--certificate with --modular is written for relu, linear and attention (the checker "
                               "rebuilds their phi); a fields file's phi has no modular certificate yet")
        report = given_count(_read_fields(args), seed=args.seed, scheduler=args.scheduler, workers=args.workers)
    elif args.arch is None:
        raise ConslawError("give an architecture for --modular (relu, linear or attention), or --fields FILE")
    else:
        _no_resnet_options(args)
        options = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k) is not None}
        report = modular_count(args.arch, args.widths, bias=args.bias, residual=args.residual, seed=args.seed,
                               certify=bool(args.certificate), scheduler=args.scheduler, workers=args.workers,
                               **options)
    if args.certificate:
        _write_modular_certificate(report, args.certificate)
    if args.json:
        print(json.dumps(report), file=out)
    else:
        out.write(modular_count_text(report))
    return 0 if report["laws"] is not None else EXIT_REJECTED


def _write_modular_certificate(report: dict, path: str) -> None:
    """Write the modular route's certificate, re-read it and pass it through the independent checker (the kernel
    in the loop); the report then says where it is and what the check found, and holds no copy of it."""
    t0 = time.perf_counter()
    try:
        with open(path, "w") as fh:
            fh.write(modular_certificate_text(report["certificate"]))
        with open(path, "rb") as fh:
            checked = audited(fh.read())
    except OSError as exc:
        raise ConslawError(f"cannot write {path}: {exc.strerror}") from None
    report["certificate"] = path
    report["evidence"] = f"certificate {path}: {checked}"
    report["timings"]["independent check"] = round(time.perf_counter() - t0, 3)


def _data_symmetry(args, out) -> int:
    """Laws with and without augmentation (:func:`~.proofs.data_symmetry.data_symmetry_report`), certified."""
    options = ({"outputs": args.outputs} if args.model == "c3-linear" else
               {"tokens": args.tokens, "d": args.d, "k": args.k, "group": args.group})
    report, cert = data_symmetry_report(args.model, options, loss=args.loss, seed=args.seed)
    if args.certificate:
        try:
            write_certificate(cert, args.certificate)
        except OSError as exc:
            raise ConslawError(f"cannot write {args.certificate}: {exc.strerror}") from None
    if args.json:
        print(json.dumps({k: report[k] for k in DATA_SYMMETRY_JSON_KEYS}), file=out)
        return 0
    out.write(data_symmetry_text(report, args.certificate))
    return 0


def _write(text: str, path: Optional[str], out) -> None:
    if path is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        with open(path, "w") as fh:
            fh.write(text)
    except OSError as exc:
        raise ConslawError(f"cannot write {path}: {exc.strerror}") from None


def _certified(args):
    if args.arch == "resnet":
        raise ConslawError("certificates are written for the single blocks; for resnet use 'conslaw laws resnet ...'")
    _no_resnet_options(args)
    bar = ProgressBar()
    try:
        arch = _build(args, "the exact law search", degree=args.degree)
        with time_limit(args.time_limit, "the law search"):
            return arch, build_certificate(arch, degree=args.degree, seed=args.seed, progress=bar)
    finally:
        bar.close()


def _laws(args, out) -> int:
    if args.modular:
        return _laws_modular(args, out)
    if args.arch == "resnet":
        return _laws_resnet(args, out)
    arch, cert = _certified(args)
    audited(certificate_text(cert).encode("utf-8"))
    _write(render_laws(arch, cert, args.format, standalone=args.standalone), args.output, out)
    return 0


def _laws_modular(args, out) -> int:
    """``laws ARCH … --modular`` (:func:`~.proofs.modular_law_search.modular_law_search`): the certificate is
    re-read from its bytes and passed through the independent checker before a law is printed."""
    if args.arch is None or args.arch == "resnet" or args.residual or args.fields:
        raise ConslawError("--modular finds the laws of relu, linear or attention (drop --residual, --fields)")
    _no_resnet_options(args)
    options = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k) is not None}
    with time_limit(args.time_limit, "the modular law search"):
        report, laws, names = modular_law_search(args.arch, args.widths, bias=args.bias, degree=args.degree,
                                                 seed=args.seed, **options)
        checked = audited(modular_certificate_text(report["certificate"]).encode("utf-8"))
    _write(render_modular_laws(report, [h.terms for h in laws], names, args.format, standalone=args.standalone,
                               checked=checked), args.output, out)
    return 0 if report["laws"] is not None else EXIT_REJECTED


def _certify(args, out) -> int:
    _, cert = _certified(args)
    try:
        write_certificate(cert, args.output)
    except OSError as exc:
        raise ConslawError(f"cannot write {args.output}: {exc.strerror}") from None
    with open(args.output, "rb") as fh:  # what was written, re-read and checked as 'conslaw check' would
        checked = audited(fh.read())
    out.write(certify_text(cert, args.output, checked))
    return 0


def _check(args, out) -> int:
    try:
        report = check_file(args.file)
    except CertificateFormatError as exc:
        raise ConslawError(f"{args.file}: {exc}") from None
    out.write(check_text(report))
    if report.ok:
        return 0
    sys.stderr.write(rejection_text(report))
    return EXIT_REJECTED


def _process_age() -> float:
    """Seconds since this process started (Linux: /proc/self/stat), so that --time-limit counts the interpreter's
    start and imports too; 0 where that is not available."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def run(argv: Optional[Sequence[str]] = None, out=None, started: Optional[float] = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 certificate rejected, 2 bad input, 3 internal error, 4 stopped
    at --time-limit).  ``started``: the ``time.perf_counter()`` from which --time-limit counts (default: now;
    the ``conslaw`` program passes its process's start)."""
    _STARTED[0] = time.perf_counter() if started is None else started
    out = out or sys.stdout
    parser = build_parser()
    words = list(argv if argv is not None else sys.argv[1:])
    json_wanted = "--json" in words
    if getattr(out, "isatty", lambda: False)() and not json_wanted and "--format" not in words:
        from .report.terminal import WrappingWriter, terminal_width

        out = WrappingWriter(out, terminal_width())  # human-readable lines only: JSON, LaTeX, Markdown stay whole
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return EXIT_BAD_INPUT
        if args.command == "architectures":
            listing = {name: spec.summary for name, spec in SPECS.items()}
            listing["resnet"] = ("residual network of ReLU blocks (dense or conv, --dim, --hidden, optional softmax head), "
                                 "exact at a rational point over every activation region (count, laws)")
            for name, text in sorted(listing.items()):
                print(f"{name}: {text}", file=out)
            return 0
        if getattr(args, "arch", None) is not None and args.arch.lower() not in (*SPECS, "resnet"):
            raise unknown_architecture(args.arch, [*SPECS, "resnet"])
        if args.command in ("laws", "certify") and args.arch is None and not args.fields:
            raise ConslawError("give an architecture (see 'conslaw architectures') or --fields FILE")
        return {"count": _count, "laws": _laws, "certify": _certify, "check": _check,
                "verify": _verify, "data-symmetry": _data_symmetry}[args.command](args, out)
    except TimeLimitReached as exc:
        if json_wanted:
            print(json.dumps({"status": "stopped", "bound_reason": str(exc)}), file=out)
        print(f"conslaw: stopped: {exc}", file=sys.stderr)
        return EXIT_TIME_LIMIT
    except (_UsageError, ConslawError) as exc:
        print(f"conslaw: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("conslaw: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, and a distinct status
        print(f"conslaw: internal error: {type(exc).__name__}: {exc} (please report it)", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        out.flush()


def main() -> None:
    sys.exit(run(started=time.perf_counter() - _process_age()))


if __name__ == "__main__":
    main()
