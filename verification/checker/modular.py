"""Check a modular certificate (:mod:`conslaw.verification.proofs.modular_certificate`) with the checker's own code.

Trusted base of this kind of certificate: the standard library, NumPy's integer arrays, the checker's own
compiled loops (:mod:`.modular_loops`, Numba; every product reduced mod p before it is summed, and exact sums
bounded below 2⁶³), FLINT's rank of a matrix over Z/pZ (:class:`flint.nmod_mat`) and, for large blocks, the
checker's own elimination whose products are NumPy float64 matrix products of residues, exact because every
partial sum is an integer below 2⁵³; nothing of the producer.  The claims, each recomputed:

1. φ, rebuilt from the architecture (:mod:`.modular_phi`), in the canonical order of its components (the order
   is not what makes the check sound — any row the checker evaluates is the value of a field of Lie(V_φ),
   whatever the numbering — but what lets it reproduce the producer's rank);
2. every stored law h_i is conserved: ⟨∇h_i, ∇φ_k⟩ ≡ 0 over the integers for every component k (all products of
   derivative terms on a shared variable formed, like monomials summed, every sum zero);
3. the laws' gradients at the integer point θ have rank mod p equal to their number (so over QQ too);
4. the stored rows, evaluated here at θ — sums Σ c_k ∇φ_k(θ), brackets [∇(a·φ), ∇(b·φ)](θ) =
   H_b ∇(a·φ) − H_a ∇(b·φ) and brackets of depth 2 [X_a, [X_b, X_c]](θ) (:func:`_depth2_value`) — have
   the claimed rank mod p; each is a value at θ of a field of Lie(V_φ), so dim Lie(V_φ)(θ) ≥ rank (a nonzero
   minor mod p is a nonzero integer);
5. the verdict: with L laws and rank r, r + L = D proves exactly L independent laws near θ; otherwise the
   count is bounded between L and D − r.

Work is priced from the declared sizes before any of it is done (:class:`ModularLimits`); a check over its
price is refused unchecked (exit 2), never attempted.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Optional

import flint
import numpy as np

from .modular_loops import contracted, dense_rank, first_unconserved, grouped_entries
from .modular_phi import canonical_order, modular_phi
from .phi import _architecture
from .reading import CertificateFormatError, CheckReport, _int, _need, _show, strictly_equal
from .running import tick

MODULAR_FORMAT = "conslaw-modular-certificate"


@dataclass(frozen=True)
class ModularLimits:
    """What the modular checker agrees to work on (about a minute and 2 GB on 2 cores at the largest)."""

    max_parameters: int = 40_000
    max_phi_terms: int = 12_000_000
    max_law_terms: int = 2_000_000
    max_law_degree: int = 4
    max_row_entries: int = 6_000_000
    max_identity_products: int = 1_000_000_000  # a compiled loop: about 15 s per 10⁹ on one core
    max_row_cells: int = 2_000_000_000  # rows × D: each row is evaluated on a dense scratch vector (time, not memory)
    max_rank_work: int = 600_000_000_000  # Σ over blocks of rows × columns × min: FLINT does about 10¹⁰ a second
    max_point: int = 10**6
    min_prime: int = 2**10
    max_prime: int = 2**21  # residues below 2²¹: a product of two fits in int64 with room for sums


MODULAR_LIMITS = ModularLimits()
LARGE_BLOCK = 250_000  # entries of a rank block above which dense_rank is used rather than FLINT's
THREADS = min(4, os.cpu_count() or 1)
ONE_KEY_LIMIT = 2**62  # a monomial packed into one int64 below this, or the check is refused


def _is_prime(p: int) -> bool:
    if p < 2:
        return False
    f = 2
    while f * f <= p:
        if p % f == 0:
            return False
        f += 1
    return True


def _law_terms(laws: Any, D: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stored laws as (law, coefficient, ascending variables padded with −1), bounded before reading."""
    _need(isinstance(laws, list), f"\"laws\" must be a list, got {_show(laws)}")
    lim = MODULAR_LIMITS
    comp, coef, var = [], [], []
    for i, law in enumerate(laws):
        _need(isinstance(law, dict) and isinstance(law.get("terms"), list) and law["terms"],
              f"law {i} must be an object with a non-empty list \"terms\"")
        for t, term in enumerate(law["terms"]):
            if len(comp) >= lim.max_law_terms:
                _need(False, f"the laws have more than {lim.max_law_terms:,} terms")
            c, vs = _law_term(term, D) or _law_term_refused(term, D, f"law {i} term {t}")
            comp.append(i)
            coef.append(c)
            var.append(vs)
    width = max((len(v) for v in var), default=0)
    rows = np.array([v + [-1] * (width - len(v)) for v in var], dtype=np.int64).reshape(len(var), width)
    return np.array(comp, dtype=np.int64), np.array(coef, dtype=np.int64), rows


def _law_term(term: Any, D: int) -> Optional[tuple[int, list[int]]]:
    """(coefficient, ascending variables) of a well-formed term ["integer", [[index, exponent], ...]], or None
    (the reason is then found by :func:`_law_term_refused`); no message is formatted on this, the common, path."""
    if not (type(term) is list and len(term) == 2 and type(term[0]) is str and type(term[1]) is list):
        return None
    text = term[0]
    if not (0 < len(text) <= 10 and text.isascii() and text.lstrip("-").isdigit() and text.count("-") <= 1
            and int(text) != 0):
        return None
    vs: list[int] = []
    for factor in term[1]:
        if not (type(factor) is list and len(factor) == 2 and type(factor[0]) is int and type(factor[1]) is int
                and 0 <= factor[0] < D and 1 <= factor[1] <= MODULAR_LIMITS.max_law_degree):
            return None
        vs += [factor[0]] * factor[1]
    if len(vs) > MODULAR_LIMITS.max_law_degree:
        return None
    return int(text), sorted(vs)


def _law_term_refused(term: Any, D: int, where: str) -> tuple[int, list[int]]:
    """Raise the error that names what is wrong with a term :func:`_law_term` did not accept."""
    lim = MODULAR_LIMITS
    _need(isinstance(term, list) and len(term) == 2 and isinstance(term[0], str) and isinstance(term[1], list),
          f"{where} must be [\"integer\", [[index, exponent], ...]]")
    text = term[0]
    _need(0 < len(text) <= 10 and text.lstrip("-").isdigit() and text.isascii() and text.count("-") <= 1,
          f"{where}: coefficient {_show(text)} is not an integer of at most 9 digits")
    _need(int(text) != 0, f"{where}: a zero coefficient")
    vs: list[int] = []
    for factor in term[1]:
        _need(isinstance(factor, list) and len(factor) == 2, f"{where}: a factor is not [index, exponent]")
        v = _int(factor[0], f"{where} variable index", 0, D - 1)
        vs += [v] * _int(factor[1], f"{where} exponent", 1, lim.max_law_degree)
    _need(len(vs) <= lim.max_law_degree, f"{where} has degree over {lim.max_law_degree}")
    raise CertificateFormatError(f"{where} is not a well-formed term")  # unreachable: _law_term accepts the rest


def _derivatives(comp: np.ndarray, coef: np.ndarray, var: np.ndarray):
    """The terms of every ∂/∂θ_j of every term: (component, j, coefficient, the other variables)."""
    out_c, out_j, out_k, out_r = [], [], [], []
    for m in range(var.shape[1]):
        here = var[:, m] >= 0
        out_c.append(comp[here])
        out_j.append(var[here, m])
        out_k.append(coef[here])
        out_r.append(np.delete(var[here], m, axis=1))
    if not out_c:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros((0, 0), dtype=np.int64)
    return (np.concatenate(out_c), np.concatenate(out_j), np.concatenate(out_k), np.concatenate(out_r))


def _products_at(var: np.ndarray, x: np.ndarray, p: int) -> np.ndarray:
    value = np.ones(var.shape[0], dtype=np.int64)
    for m in range(var.shape[1]):
        value = value * np.where(var[:, m] >= 0, x[np.where(var[:, m] >= 0, var[:, m], 0)], 1) % p
    return value


def _unconserved(phi: tuple, laws: tuple, D: int) -> list[tuple[int, int]]:
    """[(law, component)] for the first law whose ⟨∇h, ∇φ_k⟩ is not the zero polynomial (claim 2; empty: every law
    is conserved), by :func:`.modular_loops.first_unconserved`."""
    fc, fj, fk, fr = _derivatives(*phi)
    hc, hj, hk, hr = _derivatives(*laws)
    by_var = np.lexsort((fc, fj))  # by variable, then by component
    fc, fk, fr = fc[by_var], fk[by_var], np.ascontiguousarray(fr[by_var])
    var_ptr = np.searchsorted(fj[by_var], np.arange(D + 1))
    by_law = np.argsort(hc, kind="stable")
    hc, hj, hk, hr = hc[by_law], hj[by_law], hk[by_law], np.ascontiguousarray(hr[by_law])
    law_ptr = np.searchsorted(hc, np.arange(int(hc.max(initial=-1)) + 2))
    width = fr.shape[1] + hr.shape[1]
    _need((D + 1) ** max(width, 1) < ONE_KEY_LIMIT,
          "monomials too large for the checker's packed identity check")
    tick("checking the laws as identities")
    n_laws = law_ptr.size - 1
    cuts = np.linspace(0, n_laws, min(n_laws, 4 * THREADS) + 1).astype(np.int64)

    failed = np.array([cuts.size], dtype=np.int64)  # the lowest part found failing so far

    def part(n: int) -> tuple[int, int]:  # the laws cuts[n] … cuts[n + 1] − 1; the loop releases the GIL
        law, k = first_unconserved(law_ptr[cuts[n]:cuts[n + 1] + 1], hj, hk, hr, var_ptr, fc, fk, fr, np.int64(D + 1),
                                   np.int64(n), failed)
        return (int(cuts[n] + law), int(k)) if law >= 0 else (n_laws, -1)  # −1: none fails; −2: stopped

    with ThreadPoolExecutor(THREADS) as pool:
        law, k = min(pool.map(part, range(cuts.size - 1)), default=(n_laws, -1))
    return [] if law == n_laws else [(law, k)]


def _sparse(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A row mod p as (its nonzero columns, their values): rows are kept this way, never as a dense matrix."""
    support = np.flatnonzero(row)
    return support, row[support]


def _rank(rows: list[tuple[np.ndarray, np.ndarray]], D: int, p: int) -> int:
    """The rank mod p of sparse rows, block by block: columns are joined when a row has both nonzero, and rows of
    different classes have disjoint supports, so the rank is the sum of the classes' ranks (a block-diagonal
    matrix up to permutations).  Each block's rank is FLINT's, on a dense copy of that block only, or, for a block
    of more than ``LARGE_BLOCK`` entries, :func:`.modular_loops.dense_rank`'s (exact float64 products)."""
    label = np.arange(D)
    owners = np.full(len(rows), -1, dtype=np.int64)
    for r, (support, _) in enumerate(rows):
        if support.size:
            joined = np.unique(label[support])
            if joined.size > 1:
                label[np.isin(label, joined)] = joined[0]
            owners[r] = support[0]
    owner_label = np.where(owners >= 0, label[np.maximum(owners, 0)], -1)
    names = np.unique(owner_label[owner_label >= 0]).tolist()
    shapes = [(int(np.sum(owner_label == g)), int(np.sum(label == g))) for g in names]
    work = sum(r * c * min(r, c) for r, c in shapes)
    _need(work <= MODULAR_LIMITS.max_rank_work, f"the ranks of {len(names):,} blocks take about {work:,} operations, "
                                                "over the modular checker's budget")
    position = np.zeros(D, dtype=np.int64)
    rank = 0
    for name in names:
        tick("ranks of the blocks")
        columns = np.flatnonzero(label == name)
        position[columns] = np.arange(columns.size)
        members = np.flatnonzero(owner_label == name)
        block = np.zeros((members.size, columns.size), dtype=np.int64)
        for n, r in enumerate(members.tolist()):
            block[n, position[rows[r][0]]] = rows[r][1]
        rank += dense_rank(block, p) if block.size > LARGE_BLOCK else int(flint.nmod_mat(block.tolist(), p).rank())
    return rank


def _pairs(entry: Any, K: int, p: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    _need(isinstance(entry, list) and entry, f"{what} must be a non-empty list of [component, coefficient]")
    for pair in entry:
        _need(isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                for v in pair), f"{what}: {_show(pair)} is not a pair")
    a = np.array(entry, dtype=np.int64)
    _need(bool(np.all((a[:, 0] >= 0) & (a[:, 0] < K))), f"{what}: a component index outside [0, {K - 1}]")
    _need(bool(np.all((a[:, 1] > 0) & (a[:, 1] < p))), f"{what}: a coefficient outside [1, p - 1]")
    return a[:, 0], a[:, 1]


class _Entries:
    """Jacobian, Hessian or third-derivative entries of φ at θ mod p, grouped by component: the column each adds
    to, the columns its vectors are read at (entries × 0, 1 or 2) and its value."""

    def __init__(self, start: np.ndarray, out_col: np.ndarray, read_at: np.ndarray, value: np.ndarray):
        self.start, self.out_col, self.read_at, self.value = start, out_col, read_at, value

    @staticmethod
    def sorted_from(comp: np.ndarray, K: int, out_col: np.ndarray, *rest: np.ndarray) -> "_Entries":
        """From entry columns (component, out column, read columns…, value) in any order."""
        order = np.argsort(comp, kind="stable")
        read_at = np.zeros((len(order), len(rest) - 1), dtype=np.int64)
        for n, col in enumerate(rest[:-1]):
            read_at[:, n] = col[order]
        return _Entries(np.searchsorted(comp[order], np.arange(K + 1)), out_col[order], read_at, rest[-1][order])

    def times(self, comps: np.ndarray, weights: np.ndarray, vectors: tuple, D: int, p: int) -> np.ndarray:
        """Σ_q w_q (tensor of component comps[q] contracted with ``vectors``) mod p (:func:`.modular_loops.contracted`)."""
        stacked = np.stack(vectors) if vectors else np.zeros((0, D), dtype=np.int64)
        return contracted(self.start, self.out_col, self.read_at, self.value, comps, weights, stacked, np.int64(p), D)


def _combination(jac: _Entries, comps: np.ndarray, weights: np.ndarray, D: int, p: int) -> np.ndarray:
    return jac.times(comps, weights, (), D, p)


def _hessian_times(hess: _Entries, comps: np.ndarray, weights: np.ndarray, vector: np.ndarray, D: int,
                   p: int) -> np.ndarray:
    """(Σ w_k H_k(θ)) · vector mod p."""
    return hess.times(comps, weights, (vector,), D, p)


def check_modular_certificate(cert: dict) -> CheckReport:
    """Claims 1–5 of the module docstring; malformed or oversized input raises ``CertificateFormatError``."""
    lim = MODULAR_LIMITS
    for key in ("version", "architecture", "D", "components", "component_order", "prime", "point", "laws",
                "law_rank", "rows", "rank", "verdict"):
        _need(key in cert, f"missing key {key!r}")
    _need(strictly_equal(cert["version"], 1), f"unsupported modular certificate version {_show(cert['version'])}")
    _need(cert["component_order"] == "by smallest monomial",
          f"unknown component order {_show(cert['component_order'])}")
    spec = cert["architecture"]
    _need(isinstance(spec, dict) and isinstance(spec.get("name"), str),
          f"\"architecture\" must be an object with a name, got {_show(spec)}")
    _need(spec["name"].removeprefix("residual-") in ("relu", "linear", "attention"),
          f"modular certificates are checked for relu, linear and attention, not {_show(spec['name'])}")
    family, sizes = _architecture(spec)
    _need(family in ("relu", "linear", "attention"),
          f"modular certificates are checked for relu, linear and attention, not {spec['name']!r}")
    D = _int(cert["D"], "\"D\"", 1, lim.max_parameters)
    p = _int(cert["prime"], "the prime", lim.min_prime, lim.max_prime)
    _need(_is_prime(p), f"{p} is not a prime")
    point = cert["point"]
    _need(isinstance(point, list) and len(point) == D, f"the point must be a list of {D} integers")
    _need(all(type(v) is int for v in point), "the point's coordinates must be integers")
    x = np.array(point, dtype=object)
    _need(bool(np.all((x >= -lim.max_point) & (x <= lim.max_point))),
          f"a point coordinate is outside [-{lim.max_point}, {lim.max_point}]")
    x = x.astype(np.int64)
    _need(isinstance(cert["rows"], dict) and isinstance(cert["rows"].get("combinations"), list)
          and isinstance(cert["rows"].get("brackets"), list),
          "\"rows\" must be an object with lists \"combinations\" and \"brackets\"")
    combos, brackets = cert["rows"]["combinations"], cert["rows"]["brackets"]
    deeper = cert["rows"].get("brackets2", [])
    _need(isinstance(deeper, list), "\"rows\".\"brackets2\" must be a list")
    entries = sum(len(r) if isinstance(r, list) else 0 for r in combos) + \
        sum(sum(len(x) for x in r if isinstance(x, list)) if isinstance(r, list) else 0 for r in brackets + deeper)
    _need(entries <= lim.max_row_entries, f"the rows have {entries:,} entries, over the limit of "
                                          f"{lim.max_row_entries:,}")
    n_rows = len(combos) + len(brackets) + len(deeper)
    _need(n_rows * D <= lim.max_row_cells, f"{n_rows:,} rows of length {D:,} are over the modular checker's limit")
    verdict = cert["verdict"]
    _need(isinstance(verdict, dict) and verdict.get("status") in ("proven", "bounded"),
          "the verdict must be an object with status \"proven\" or \"bounded\"")

    # 1. φ, rebuilt (its size is priced from the architecture before it is built)
    fails: list[str] = []
    facts: list[str] = []
    widths = sizes.get("widths", [])
    terms = 1
    for w in widths:
        terms *= w
    if family == "attention":
        terms = 2 * sizes["d"] ** 2 * max(sizes["dk"], sizes["dv"]) * sizes["heads"]
    _need(terms <= lim.max_phi_terms, f"phi has about {terms:,} terms, over the modular checker's limit")
    built_D, comp, coef, var = modular_phi(family, sizes)
    K = int(comp.max(initial=-1)) + 1
    if built_D != D or not strictly_equal(cert["components"], K):
        return CheckReport(False, [f"the architecture {_show(spec)} has D = {built_D} and {K} components of phi, "
                                   f"not the {_show(cert['D'])} and {_show(cert['components'])} stated"], facts, {},
                           "gradient")
    comp = canonical_order(comp, var, K)[comp]
    tick("rebuilding phi")
    facts.append(f"phi rebuilt independently from the architecture {_show(spec)}: {K:,} components, D = {D:,}")

    # 2. the laws as identities
    laws = _law_terms(cert["laws"], D)
    L = len(cert["laws"])
    _need(strictly_equal(cert["law_rank"], L), f"\"law_rank\" is {_show(cert['law_rank'])}, but {L} laws are stored")
    if L:
        joined = np.bincount(_derivatives(*laws)[1], minlength=D) @ np.bincount(_derivatives(comp, coef, var)[1],
                                                                                 minlength=D)
        _need(int(joined) <= lim.max_identity_products,
              f"checking the laws as identities takes {int(joined):,} products, over the modular checker's limit")
        _need(int(np.abs(laws[1]).max(initial=0)) * int(np.abs(coef).max(initial=0)) * lim.max_law_degree ** 2
              * int(joined) < 2**62, "the laws' coefficients are too large for the checker's integer sums")
        bad = _unconserved((comp, coef, var), laws, D)
        if bad:
            law, k = bad[0]
            fails.append(f"law {law} is not conserved: <grad h_{law}, grad phi_{k}> is not identically 0")
            return CheckReport(False, fails, facts, {}, "gradient")
        facts.append(f"{L:,} laws checked against {K:,} components of phi as polynomial identities over the integers")

    # 3. the laws' independence at the point
    xm = np.mod(x, p)
    lc, lj, lk, lr = _derivatives(*laws)
    grads = np.zeros(L * D, dtype=np.int64)
    np.add.at(grads, lc * D + lj, np.mod(lk, p) * _products_at(lr, xm, p) % p)
    law_rank = _rank([_sparse(g) for g in (grads % p).reshape(L, D)], D, p)
    if law_rank != L:
        fails.append(f"the laws' gradients have rank {law_rank} mod p at the point, not {L}: not shown independent")
        return CheckReport(False, fails, facts, {}, "gradient")
    facts.append(f"laws independent at the integer point (rank mod {p}): {L:,}")

    # 4. the rows, evaluated here
    dc, dj, dk, dr = _derivatives(comp, coef, var)
    jac = _Entries(*grouped_entries(dc, dj, np.mod(dk, p), dr, xm, p, K, 0))
    values = []
    for r, row in enumerate(combos):
        comps, weights = _pairs(row, K, p, f"combination row {r}")
        values.append(_sparse(_combination(jac, comps, weights, D, p)))
        if r % 256 == 0:
            tick("evaluating the rows")
    if brackets or deeper:
        hess = _Entries(*grouped_entries(dc, dj, np.mod(dk, p), dr, xm, p, K, 1))
        pairs = []
        for r, row in enumerate(brackets):
            _need(isinstance(row, list) and len(row) == 2, f"bracket row {r} must be [a, b]")
            pairs.append(tuple(_pairs(part, K, p, f"bracket row {r}") for part in row))

        def bracket(pair: tuple) -> tuple[np.ndarray, np.ndarray]:  # [X_a, X_b](θ) = H_b X_a − H_a X_b
            (ca, wa), (cb, wb) = pair
            Xa, Xb = _combination(jac, ca, wa, D, p), _combination(jac, cb, wb, D, p)
            return _sparse((_hessian_times(hess, cb, wb, Xa, D, p) - _hessian_times(hess, ca, wa, Xb, D, p)) % p)

        with ThreadPoolExecutor(THREADS) as pool:  # the compiled contractions release the GIL
            for r, value in enumerate(pool.map(bracket, pairs)):
                values.append(value)
                if r % 64 == 0:
                    tick("evaluating the bracket rows")
    if deeper:
        third = _Entries.sorted_from(*_third_derivatives(dc, dj, dk, dr, xm, p, K))
        for r, row in enumerate(deeper):
            _need(isinstance(row, list) and len(row) == 3, f"depth-2 bracket row {r} must be [a, b, c]")
            (ca, wa), (cb, wb), (cc, wc) = (_pairs(part, K, p, f"depth-2 bracket row {r}") for part in row)
            values.append(_sparse(_depth2_value(jac, hess, third, (ca, wa), (cb, wb), (cc, wc), D, p)))
            if r % 16 == 0:
                tick("evaluating the depth-2 bracket rows")
    tick("evaluating the rows")
    comp = coef = var = laws = grads = lc = lj = lk = lr = dc = dj = dk = dr = jac = hess = third = None  # memory
    rank = _rank(values, D, p)
    if not strictly_equal(cert["rank"], rank):
        fails.append(f"the rows have rank {rank} mod p at the point, but the certificate claims {_show(cert['rank'])}")
        return CheckReport(False, fails, facts, {}, "gradient")
    facts.append(f"rows evaluated at the point: {len(combos):,} combinations of generators, {len(brackets):,} "
                 f"brackets and {len(deeper):,} brackets of depth 2, rank mod {p}: {rank:,}")

    # 5. the verdict
    if rank + L == D:
        expected = {"status": "proven", "laws": L}
        sentence = f"exactly {L} independent conservation laws (rank {rank} + {L} laws = D = {D})"
    else:
        expected = {"status": "bounded", "lower": L, "upper": D - rank}
        sentence = f"count bounded between {L} and {D - rank}"
    if not strictly_equal({k: verdict.get(k) for k in expected}, expected):
        fails.append(f"the verdict claims {_show(verdict.get('text', verdict))}, but the verified numbers give "
                     f"{expected}")
    elif verdict.get("text") != sentence:
        fails.append(f"the verdict's text {_show(verdict.get('text'))} does not state the verified result "
                     f"{sentence!r}")
    return CheckReport(not fails, fails, facts, expected, "gradient")


def _third_derivatives(dc: np.ndarray, dj: np.ndarray, dk: np.ndarray, dr: np.ndarray, xm: np.ndarray, p: int,
                       K: int) -> tuple:
    """The arguments of :class:`_Entries` for the third-derivative entries (component, i, j, l, value mod p, to be
    summed over ordered triples of term positions), from the first-derivative terms."""
    parts: list[list[np.ndarray]] = [[], [], [], [], []]
    for m in range(dr.shape[1]):
        here = dr[:, m] >= 0
        rest = np.delete(dr[here], m, axis=1)
        for n in range(rest.shape[1]):
            there = rest[:, n] >= 0
            value = np.mod(dk[here][there], p) * _products_at(np.delete(rest[there], n, axis=1), xm, p) % p
            for acc, col in zip(parts, (dc[here][there], dj[here][there], dr[here, m][there], rest[there, n], value)):
                acc.append(col)
    tc, ti, tj, tl, tv = (np.concatenate(a) if a else np.zeros(0, dtype=np.int64) for a in parts)
    return tc, K, ti, tj, tl, tv


def _tensor_times(third: _Entries, comps: np.ndarray, weights: np.ndarray, u: np.ndarray, v: np.ndarray, D: int,
                  p: int) -> np.ndarray:
    """(Σ w_k T_k(θ))(u, v) mod p, T_k the third derivatives of φ_k."""
    return third.times(comps, weights, (u, v), D, p)


def _depth2_value(jac: _Entries, hess: _Entries, third: _Entries, a: tuple, b: tuple, c: tuple, D: int,
                  p: int) -> np.ndarray:
    """[X_a, [X_b, X_c]](θ) mod p, X = ∇(w·φ): with Y = [X_b, X_c] = H_c X_b − H_b X_c, the derivative of Y along
    X_a is T_c(X_b, X_a) + H_c H_b X_a − T_b(X_c, X_a) − H_b H_c X_a, and the bracket is that minus H_a Y."""
    Xa, Xb, Xc = (_combination(jac, comps, w, D, p) for comps, w in (a, b, c))
    Y = (_hessian_times(hess, *c, Xb, D, p) - _hessian_times(hess, *b, Xc, D, p)) % p
    along = (_tensor_times(third, *c, Xb, Xa, D, p) + _hessian_times(hess, *c, _hessian_times(hess, *b, Xa, D, p), D, p)
             - _tensor_times(third, *b, Xc, Xa, D, p) - _hessian_times(hess, *b, _hessian_times(hess, *c, Xa, D, p), D, p))
    return (along - _hessian_times(hess, *a, Y, D, p)) % p
