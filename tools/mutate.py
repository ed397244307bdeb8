"""Mutation testing: deliberate bugs in the engine, the architectures, the catalogue and the checker, each of
which the default suite or ``conslaw verify --grid full`` must notice ("kill").

    python tools/mutate.py                 # every mutant: its kill tests, then verify --grid full if it survived
    python tools/mutate.py --list          # the mutants and what each breaks
    python tools/mutate.py --only engine-depth-2 checker-free-parameter
    python tools/mutate.py --suite         # survivors also face the whole default suite (slow)

Each mutant is one textual edit of one file of the working tree (the file must match ``git``'s committed copy);
the file is restored afterwards, whatever happens.  A mutant is *killed* when a command exits non-zero: first
its own quick list of test files (the tests meant to catch it), then ``conslaw verify --grid full``, then (with
``--suite``) ``python -m pytest``.  The score is killed / total; a survivor is a missing test.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Mutant:
    name: str
    area: str  # engine | architectures | catalogue | checker | modules | search | reports
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]  # the test files meant to kill it (run first, fast)


def _depth_mutant(depth: int, tests: tuple[str, ...]) -> Mutant:
    """The trace's brackets of depth >= ``depth`` all vanish."""
    line = "            vec = {i: int(v) for i, v in enumerate(res.coeffs()) if int(v)} if res@ else {}"
    return Mutant(f"engine-depth-{depth}", "engine", f"every bracket of depth >= {depth} vanishes", "algebra/trace.py",
                  line.replace("@", ""), line.replace("@", f" and level < {depth}"), tests)


MUTANTS = (
    _depth_mutant(2, ("tests/test_verify.py",)),
    _depth_mutant(3, ("tests/test_counts.py",)),
    Mutant("engine-rank-minus-one", "engine", "the exact rank over QQ is one too low", "algebra/exact_rank.py",
           "    return flint.fmpz_mat(rows).rank()",
           "    return max(flint.fmpz_mat(rows).rank() - 1, 0)",
           ("tests/test_counts.py",)),
    Mutant("arch-attention-drop", "architectures", "attention's phi loses its last component (of the last head)",
           "algebra/architectures/attention.py",
           "    return Architecture(\"attention\", desc, space, phi, labels, laws, law_labels, shape, notes,",
           "    phi, labels = phi[:-1], labels[:-1]\n"
           "    return Architecture(\"attention\", desc, space, phi, labels, laws, law_labels, shape, notes,",
           ("tests/test_kernel_in_the_loop.py",)),
    Mutant("arch-deep-relu-laws", "architectures", "stated laws of hidden layers >= 2 of deep ReLU nets drop the "
           "outgoing weights", "algebra/architectures/relu.py",
           "            law -= sum((mats[l][k][i] ** 2 for k in range(n[l + 1])), space.ring.zero)",
           "            law -= sum((mats[l][k][i] ** 2 for k in range(n[l + 1]) if l < 2 or k), space.ring.zero)",
           ("tests/test_verify.py",)),
    Mutant("catalogue-attention-dv3", "catalogue", "Cor. 3.9's formula wrong only for d'' >= 3",
           "algebra/architectures/attention.py",
           "        return ExpectedCount(dk * (dk + 1) // 2 + dv * (dv + 1) // 2, True, \"d'(d'+1)/2 + d''(d''+1)/2 (Cor. 3.9)\")",
           "        return ExpectedCount(dk * (dk + 1) // 2 + dv * (dv + 1) // 2 + (dv >= 3), True, "
           "\"d'(d'+1)/2 + d''(d''+1)/2 (Cor. 3.9)\")",
           ("tests/test_verify.py",)),
    Mutant("catalogue-softmax-K5", "catalogue", "Prop. 3.11's formula wrong only for K >= 5",
           "algebra/architectures/softmax.py",
           "    return ExpectedCount(widths[0] + int(bias), True, \"n column sums (+ the bias sum) (Prop. 3.11)\")",
           "    return ExpectedCount(widths[0] + int(bias) + (widths[1] >= 5), True, "
           "\"n column sums (+ the bias sum) (Prop. 3.11)\")",
           ("tests/test_verify.py",)),
    Mutant("checker-accepts-conv", "checker", "the checker accepts every conv certificate", "verification/checker/certificate.py",
           "    size = phi_size(spec)\n    _check_parameters(cert, names)",
           "    if spec[\"name\"] == \"conv\":\n        return CheckReport(True, [], [], dict(cert[\"verdict\"]), \"gradient\")\n"
           "    size = phi_size(spec)\n    _check_parameters(cert, names)",
           ("tests/test_certificates.py", "tests/test_checker_soundness.py")),
    Mutant("checker-free-parameter", "checker", "the checker takes the certificate's parameter list on trust",
           "verification/checker/phi.py",
           "    if names != expected:\n        extra",
           "    if False:\n        extra",
           ("tests/test_checker_soundness.py",)),
    Mutant("checker-skips-laws", "checker", "the checker never finds a law not conserved", "verification/checker/certificate.py",
           "            if d != 0:\n                fails.append(f\"law {i} is not conserved",
           "            if False:\n                fails.append(f\"law {i} is not conserved",
           ("tests/test_certificates.py",)),
    Mutant("checker-loose-types", "checker", "the checker compares claims with == (2.0 passes for 2)",
           "verification/checker/reading.py",
           "    if isinstance(expected, bool) or isinstance(value, bool):",
           "    return value == expected\n    if isinstance(expected, bool) or isinstance(value, bool):",
           ("tests/test_checker_soundness.py",)),
    Mutant("checker-no-budget", "checker", "the work budget never refuses", "verification/checker/work.py",
           "    if units > limit:", "    if False:",
           ("tests/test_checker_budget.py",)),
    Mutant("checker-no-duplicate-key-test", "checker", "a JSON object with a duplicate key is read (last wins)",
           "verification/checker/reading.py",
           "        _need(key not in out, f\"the key {_show(key)} appears twice in one JSON object\")",
           "        pass",
           ("tests/test_checker_soundness.py",)),
    Mutant("modules-frozen-trainable", "modules", "find_laws treats frozen parameters as trainable",
           "verification/nn/laws/ties.py",
           "    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}",
           "    frozen = set()",
           ("tests/test_find_laws_trust.py",)),
    Mutant("modules-class-axis-last", "modules", "the cross-entropy centres the last axis, not the class axis",
           "verification/nn/model_map.py",
           "        return 1 if ndim >= 2 else 0",
           "        return ndim - 1",
           ("tests/test_module_count.py",)),
    Mutant("search-no-mixing", "search", "the symmetry search never tries the mixings (stage 2)",
           "verification/nn/search/search.py",
           "                extra = pairs(active) + means(sampler.shapes, active)",
           "                extra = []",
           ("tests/test_symmetry_search.py",)),
    Mutant("search-shift-scaled", "search", "a translation candidate's equation reads J·θ (a scaling), not J",
           "verification/nn/search/candidates.py",
           "            vals = unfold(J, axis, lead=1).sum(-1)[:, i]",
           "            vals = unfold(J * th, axis, lead=1).sum(-1)[:, i]",
           ("tests/test_symmetry_search.py",)),
    Mutant("count-no-inert", "modules", "the count never sets inert coordinates (laws of this point) apart",
           "verification/nn/count.py",
           "    inert = unmoved(fields, INERT_TOL)",
           "    inert = torch.zeros(fields.shape[1], dtype=torch.bool)",
           ("tests/test_symmetry_search.py",)),
    Mutant("modular-identity-skipped", "engine", "the modular route's identity check never finds a term left over",
           "verification/proofs/poly_table.py",
           "        for i in np.flatnonzero(sums != 0):",
           "        for i in np.flatnonzero(sums != sums):",
           ("tests/test_modular_laws.py", "tests/test_modular_count.py")),
    Mutant("modular-identity-kernel-skipped", "engine",
           "the compiled identity check of the modular route never finds a sum left over",
           "verification/proofs/identity_kernel.py",
           "                if vals[slot] != 0:",
           "                if vals[slot] != vals[slot]:",
           ("tests/test_modular_laws.py", "tests/test_modular_count.py")),
    Mutant("modular-blas-rank-plus-one", "engine", "the exact BLAS rank mod p is one too high",
           "verification/proofs/rank_mod_p.py",
           "    return int(_rref(M, p, BLOCK_ROWS + (BASE_ROWS,))[0].size)",
           "    return int(_rref(M, p, BLOCK_ROWS + (BASE_ROWS,))[0].size) + 1",
           ("tests/test_rank_mod_p.py",)),
    Mutant("modular-hessian-read-column", "engine",
           "the grouped Hessian entries read the vector at the output column (not a Hessian)",
           "verification/proofs/contract_kernel.py",
           "                    vec_cols[e, 0] = var[t, b]",
           "                    vec_cols[e, 0] = var[t, a]",
           ("tests/test_modular_count.py",)),
    Mutant("checker-modular-loop-identities-skipped", "checker",
           "the modular checker's compiled identity loop never sees a nonzero sum",
           "verification/checker/modular_loops.py",
           "                nonzero = nonzero or table_sum[touched[u]] != 0",
           "                nonzero = False",
           ("tests/test_modular_certificate.py",)),
    Mutant("checker-dense-rank-plus-one", "checker", "the checker's own dense rank mod p is one too high",
           "verification/checker/modular_loops.py",
           "    return int(_echelon(residues, p)[0].size) if residues.size else 0",
           "    return int(_echelon(residues, p)[0].size) + 1 if residues.size else 0",
           ("tests/test_rank_mod_p.py",)),
    Mutant("ball-bracket-sum", "engine", "the ball route's bracket adds H_a X_b instead of subtracting it",
           "verification/proofs/ball_fields.py",
           "    return [p - q for p, q in zip(hessian_times(model, theta, b, Xa), hessian_times(model, theta, a, Xb))]",
           "    return [p + q for p, q in zip(hessian_times(model, theta, b, Xa), hessian_times(model, theta, a, Xb))]",
           ("tests/test_ball_rank.py",)),
    Mutant("ball-softmax-backward", "engine", "the ball route's softmax backward forgets the row's inner product",
           "verification/proofs/attention_ball.py",
           "            dS.append([a * (da - inner) for a, da in zip(a_row, da_row)])",
           "            dS.append([a * da for a, da in zip(a_row, da_row)])",
           ("tests/test_ball_rank.py",)),
    Mutant("ball-softmax-label", "engine", "the classification layer's ball gradient drops the label (p z^T, not (p - y) z^T)",
           "verification/proofs/softmax_ball.py",
           "        residual = [x / denominator - rational_ball(label) for x, label in zip(e, y)]  # p − y",
           "        residual = [x / denominator for x, label in zip(e, y)]  # p − y",
           ("tests/test_ball_rank.py",)),
    Mutant("checker-ball-label-unchecked", "checker",
           "the ball checker accepts any label, not only a probability vector (fields outside the model's algebra)",
           "verification/checker/ball.py",
           "        _need(all(v >= 0 for v in y) and sum(y) == 1,",
           "        _need(all(v >= 0 for v in y) or sum(y) == 1,",
           ("tests/test_ball_rank.py",)),
    Mutant("checker-ball-log", "checker", "the ball checker's log forgets its second-order term",
           "verification/checker/ball.py",
           "        h = _plus(_times(self.h, r), _times(self.g, None if self.s is None else -self.s * r * r))",
           "        h = _times(self.h, r)",
           ("tests/test_ball_rank.py",)),
    Mutant("named-bracket-wrong-generator", "engine", "--named names a kept bracket after the generator of the next row",
           "verification/numeric/trace.py",
           '                    new_names.append(f"[X{k}, {y_name}]")',
           '                    new_names.append(f"[X{rows[(rows.index(k) + 1) % len(rows)]}, {y_name}]")',
           ("tests/test_numeric_named.py",)),
    Mutant("audit-level-own-block-only", "engine",
           "a level's audit SVD takes only that level's values, not every value drawn up to it",
           "verification/numeric/trace.py",
           '        upto = [block for block in blocks if block[0] <= lv["level"]]',
           '        upto = [block for block in blocks if block[0] == lv["level"]]',
           ("tests/test_numeric.py", "tests/test_numeric_named.py")),
    Mutant("checker-ball-product-rule", "checker", "the ball checker's second-order product rule drops a cross term",
           "verification/checker/ball.py",
           "        h = _plus(_plus(_times(self.h, o.a), _times(o.h, self.a)), _plus(_times(self.g, o.s), _times(o.g, self.s)))",
           "        h = _plus(_plus(_times(self.h, o.a), _times(o.h, self.a)), _times(self.g, o.s))",
           ("tests/test_ball_rank.py",)),
    Mutant("checker-ball-zero-accepted", "checker", "the ball checker accepts a determinant ball that contains 0",
           "verification/checker/ball.py",
           "    if det.contains(0):\n        return CheckReport(False,",
           "    if False:\n        return CheckReport(False,",
           ("tests/test_ball_rank.py",)),
    Mutant("checker-hessian-read-column", "checker",
           "the checker's Hessian entries read the vector at the output column (not a Hessian)",
           "verification/checker/modular_loops.py",
           "            read_at[fill[k], 0] = rest[t, r]",
           "            read_at[fill[k], 0] = var[t]",
           ("tests/test_modular_certificate.py",)),
    Mutant("modular-rank-plus-one", "engine", "the rank modulo p is one too high (an unsound lower bound)",
           "verification/proofs/modular_rank.py",
           "    return int(flint.nmod_mat(rows.tolist(), p).rank())",
           "    return int(flint.nmod_mat(rows.tolist(), p).rank()) + 1",
           ("tests/test_modular_count.py",)),
    Mutant("checker-modular-identities-skipped", "checker",
           "the modular checker never finds a law that is not conserved",
           "verification/checker/modular.py",
           "        bad = _unconserved((comp, coef, var), laws, D)",
           "        bad = []",
           ("tests/test_modular_certificate.py",)),
    Mutant("checker-modular-rank-trusted", "checker", "the modular checker takes the certificate's rank on trust",
           "verification/checker/modular.py",
           "    rank = _rank(values, D, p)",
           "    rank = cert[\"rank\"]",
           ("tests/test_modular_certificate.py",)),
    Mutant("modular-certificate-rows-dropped", "engine",
           "the modular certificate stores no bracket rows (its rank claim no longer holds)",
           "verification/proofs/modular_certificate.py",
           "for ca, wa, cb, wb in bound.bracket_draws for b in range(ca.shape[0])]",
           "for ca, wa, cb, wb in bound.bracket_draws[:0] for b in range(ca.shape[0])]",
           ("tests/test_modular_certificate.py",)),
    Mutant("modular-laws-small-groups-trusted", "engine",
           "the degree-2 law search takes every small group of monomials for lawless",
           "verification/proofs/modular_laws.py",
           "        suspects += groups[~full].tolist()",
           "        suspects += groups[~full][:0].tolist()",
           ("tests/test_modular_laws.py",)),
    Mutant("modular-laws-mixed-products-dropped", "engine",
           "the degree-2 law search forgets the products of linear laws of two blocks",
           "verification/proofs/modular_laws.py",
           "            laws += [x * y for x in linear[a] for y in linear[b]]",
           "            laws += [x * y for x in linear[a] for y in linear[b]][:0]",
           ("tests/test_modular_laws.py",)),
    Mutant("checker-modular-depth2-term-dropped", "checker",
           "the modular checker's bracket of depth 2 forgets the term H_a [X_b, X_c] (not a Lie bracket)",
           "verification/checker/modular.py",
           "    return (along - _hessian_times(hess, *a, Y, D, p)) % p",
           "    return along % p",
           ("tests/test_modular_certificate.py",)),
    Mutant("known-bound-as-proof", "engine", "count --known takes the rank bound D - N alone for a proof",
           "verification/proofs/counting.py",
           "    proven = D - r if closed or verified == D - r else None",
           "    proven = D - r",
           ("tests/test_known_count.py",)),
    Mutant("checker-fields-ignored", "checker", "the checker drops the user-given fields of a --fields certificate",
           "verification/checker/given.py",
           "    gens += [sympy.Matrix([_expr(c, symbols) for c in comps]) for comps in fields]",
           "    gens += []",
           ("tests/test_fields_file.py",)),
    Mutant("counts-bound-as-count", "checker", "a stopped numerical run reports 'laws' as if it were a count",
           "verification/proofs/claims.py",
           "    report.pop(\"laws\", None)",
           "    pass",
           ("tests/test_untrusted_input.py",)),
    Mutant("reports-raw-less-than", "reports", "'<' in the reports' text goes to pdflatex unescaped (printed as '¡')",
           "verification/report/prose.py",
           '"<": r"\\textless{}", ',
           "",
           ("tests/test_prose.py",)),
    Mutant("reports-math-as-text", "reports", "the formulas in titles and methods are written as text, not mathematics",
           "verification/report/prose.py",
           '            parts.append(("math", math_latex(core)))',
           '            parts.append(("text", core))',
           ("tests/test_prose.py",)),
    Mutant("page-shared-marker-id", "reports", "every graph on the blueprint page shares one arrow-marker id",
           "verification/catalogue/blueprint.py",
           "f'<defs><marker id=\"arrow-{uid}\"",
           "f'<defs><marker id=\"arrow\"",
           ("tests/test_blueprint.py",)),
)


def _run(cmd: list[str], log) -> int:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    return subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT).returncode


def target_problems(mutants=MUTANTS) -> list[str]:
    """Mutants whose target text is not found exactly once in their file (a refactor moved the code)."""
    problems = []
    for m in mutants:
        path = os.path.join(ROOT, m.path)
        count = open(path).read().count(m.old) if os.path.exists(path) else 0
        if count != 1:
            problems.append(f"{m.name}: target text found {count} times in {m.path}")
    return problems


def run_mutant(m: Mutant, suite: bool, log) -> tuple[str, float]:
    """(the command that killed it, or "survived"; seconds)."""
    path = os.path.join(ROOT, m.path)
    with open(path) as fh:
        original = fh.read()
    if original.count(m.old) != 1:
        raise SystemExit(f"mutant {m.name}: its target text is not found exactly once in {m.path} (update the "
                         "mutant with the code it mutates)")
    t0 = time.perf_counter()
    try:
        with open(path, "w") as fh:
            fh.write(original.replace(m.old, m.new))
        if _run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *m.tests], log):
            return "its tests", time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as out:
            if _run([sys.executable, "-m", "conslaw.verification.cli", "verify", "--grid", "full", "--out", out,
                     "--no-progress"], log):
                return "verify --grid full", time.perf_counter() - t0
        if suite and _run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"], log):
            return "the default suite", time.perf_counter() - t0
        return "survived", time.perf_counter() - t0
    finally:
        with open(path, "w") as fh:
            fh.write(original)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these mutants only")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--check-targets", action="store_true",
                        help="only check that every mutant's target text is found exactly once (seconds)")
    parser.add_argument("--suite", action="store_true", help="survivors also face the whole default suite")
    parser.add_argument("--log", default=os.path.join(tempfile.gettempdir(), "conslaw-mutants.log"),
                        help="where the commands' output goes")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:32} {m.area:14} {m.what}")
        return 0
    if args.check_targets:
        problems = target_problems(chosen)
        print("\n".join(problems) or f"all {len(chosen)} mutants find their target text")
        return 1 if problems else 0
    unknown = set(args.only or ()) - {m.name for m in MUTANTS}
    if unknown:
        print(f"unknown mutants: {', '.join(sorted(unknown))} (see --list)", file=sys.stderr)
        return 2
    killed = 0
    with open(args.log, "w") as log:
        for m in chosen:
            by, seconds = run_mutant(m, args.suite, log)
            killed += by != "survived"
            print(f"{m.name:32} {m.area:14} {'killed by ' + by if by != 'survived' else 'SURVIVED':30} {seconds:6.1f} s",
                  flush=True)
    print(f"mutation score: {killed}/{len(chosen)} killed (log: {args.log})")
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
