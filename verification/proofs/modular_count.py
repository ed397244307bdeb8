"""Proven law counts at the numeric scale (D in the thousands) through ranks modulo a prime (issue 24, item 1).

Two bounds meet (:mod:`.modular_rank` for the soundness of the first):

* dim Lie(V_φ)(θ) ≥ r, the rank modulo p of generator and bracket values at a seeded integer point θ;
* dim Lie(V_φ)(θ) ≤ D − L, where L is the rank modulo p (≤ the rank over QQ) of the gradients at θ of the
  architecture's stated laws, each first verified as an identity ⟨∇h, ∇φ_k⟩ ≡ 0 over the integers for every k
  (:func:`~.poly_table.product_vanishes`): conserved functions have gradients orthogonal to the
  whole Lie algebra.

When r = D − L the count is proven: exactly L independent laws at θ (the same statement as the exact engine's, at
a point).  Otherwise the report gives both bounds and no count.  φ and the laws are read from the architecture's
array forms (``array_phi``, ``array_laws``) into integer term tables, never through SymPy's dense exponents.
"""
from __future__ import annotations

import time
from math import lcm
from typing import Optional, Sequence

import numpy as np

from conslaw.algebra import ConslawError
from conslaw.algebra.architectures import SPECS, check_request
from conslaw.algebra.architectures.residual import check_residual
from conslaw.algebra.fields_file import GivenFields

from .fanout import Executor, executor
from .modular_blocks import blocked_rank, restrict
from .modular_certificate import independent_laws, modular_certificate
from .modular_rank import POINT_BOUND, SCREEN_PRIME, gradient_rank_mod, integer_point
from .poly_table import MonomialSum, PolynomialTable, product_vanishes

ROUTE = "modular"


def read_phi(arch: str, widths: Sequence[int], bias: bool, options: dict, needs: str, fallback: str) -> tuple:
    """(registry key, spec, full options, widths, φ's integer table) of an architecture for the modular route,
    which needs its array φ and the spec field ``needs`` (``array_laws`` or ``names_of``)."""
    key = check_request(arch, widths, bias=bias, **options)
    spec = SPECS[key]
    if spec.array_phi is None or getattr(spec, needs) is None:
        raise ConslawError(f"--modular: {key} has no array form of phi and its laws yet (relu, linear and attention "
                           f"have); use {fallback}")
    full = {o.name: options.get(o.name) for o in spec.option_specs}
    widths = list(widths)
    D, _ = spec.sizes(widths, bias, full)
    return key, spec, full, widths, PolynomialTable.from_array_map(spec.array_phi(widths, bias, full), D)


def modular_count(arch: str, widths: Sequence[int] = (), *, bias: bool = False, residual: bool = False,
                  seed: int = 0, certify: bool = False, scheduler: str = "serial", workers: int = 2,
                  **options: Optional[object]) -> dict:
    """The count of ``arch`` with these sizes by the modular route (module docstring): a JSON-ready report whose
    ``laws`` is the proven count, or None with ``laws_at_least``/``laws_at_most`` when the bounds do not meet.
    With ``certify``, the report's ``certificate`` is the certificate of :mod:`.modular_certificate` (a dict, to
    be written and passed through the independent checker by the caller).  ``scheduler``/``workers``: where the
    pieces of work run (:mod:`.fanout`); the result does not depend on them.  ``residual``: the block
    x + g(θ, x) around the architecture, with the same φ and laws (Prop. 3.2; equal input and output sizes)."""
    t0 = time.perf_counter()
    key, spec, full, widths, phi = read_phi(arch, widths, bias, options, "array_laws", "the exact count")
    stated = PolynomialTable.from_array_map(spec.array_laws(widths, bias, full), phi.D)
    header = {"architecture": key, "widths": widths, "bias": bias, **{k: v for k, v in full.items() if v is not None}}
    shape = spec.shape(widths, bias, full)
    named = {"name": key, **shape}
    if residual:
        check_residual(key, shape)
        header["residual"] = True
        named = {"name": f"residual-{key}", **shape, "residual": True}
    with executor(scheduler, workers) as run:
        report = count_tables(phi, stated, header, seed=seed, read_seconds=time.perf_counter() - t0,
                              certify_as=named if certify else None, run=run)
    gaps = spec.model_gaps(widths, bias, full) if spec.model_gaps is not None else []
    report["model_count"] = {"relation": "lower bound" if gaps else "equal", "reasons": gaps}  # as count_laws's
    return report


def given_count(given: GivenFields, *, seed: int = 0, scheduler: str = "serial", workers: int = 2) -> dict:
    """The modular route on a fields file's φ (``phi:`` lines) and stated laws (``law:`` lines): each polynomial
    is scaled by its coefficients' common denominator (the span of the gradients and the laws are unchanged)."""
    t0 = time.perf_counter()
    if given.fields:
        raise ConslawError("--modular reads the 'phi:' and 'law:' lines of a fields file; its 'field:' lines (fields "
                           "that are not gradients) go with the exact count")
    D = len(given.names)
    phi = PolynomialTable.from_polynomials([_integer_polynomial(p) for p in given.phi], D)
    stated = PolynomialTable.from_polynomials([_integer_polynomial(h) for h in given.laws], D)
    header = {"architecture": "fields", "source": given.source, "widths": [], "bias": False}
    with executor(scheduler, workers) as run:
        return count_tables(phi, stated, header, seed=seed, read_seconds=time.perf_counter() - t0, run=run)


def _integer_polynomial(poly: dict) -> MonomialSum:
    """A fields file's polynomial (``{((index, exponent), ...): Fraction}``) times its common denominator."""
    den = lcm(*(c.denominator for c in poly.values())) if poly else 1
    terms: dict = {}
    for monomial, c in poly.items():
        key = tuple(sorted(i for i, e in monomial for _ in range(e)))
        terms[key] = int(c * den)
    return MonomialSum(terms)


def _unconserved_laws(laws: PolynomialTable, phi: PolynomialTable) -> list[int]:
    """One task: the laws of ``laws`` (numbered in it) not conserved by every component of ``phi``."""
    return sorted({i for i, _ in product_vanishes(phi, laws)})


def refuted_laws(phi: PolynomialTable, stated: PolynomialTable, run: Executor = Executor()) -> set[int]:
    """The stated laws that are not identities ⟨∇h, ∇φ_k⟩ ≡ 0, checked in groups of laws (one per task)."""
    if not stated.K:
        return set()
    groups = np.array_split(np.arange(stated.K), min(stated.K, 4 * run.workers if run.client is not None else 1))
    everything = np.arange(phi.D)
    pieces = [restrict(stated, everything, g) for g in groups if g.size]
    found = run.map(_unconserved_laws, pieces, phi)
    return {int(g[i]) for g, bad in zip([g for g in groups if g.size], found) for i in bad}


def count_tables(phi: PolynomialTable, stated: PolynomialTable, header: dict, *, seed: int = 0,
                 read_seconds: float = 0.0, certify_as: Optional[dict] = None, run: Executor = Executor()) -> dict:
    """The two bounds of the module docstring for the map ``phi`` and the ``stated`` laws, and the report; with
    ``certify_as`` (the architecture as the checker reads it), also the certificate, under ``certificate``.  The
    identity checks and the blocks' ranks are pieces of work for ``run`` (this process or Dask workers)."""
    t0 = time.perf_counter()
    D = phi.D
    refuted = refuted_laws(phi, stated, run)
    verified = restrict(stated, np.arange(D), np.array([k for k in range(stated.K) if k not in refuted], dtype=np.int64))
    point = integer_point(D, seed)
    L = gradient_rank_mod(verified, point) if verified.K else 0
    laws_seconds = time.perf_counter() - t0
    bound, blocks = blocked_rank(phi, verified, point, SCREEN_PRIME, seed=seed, run=run)
    if bound.rank > D - L:  # impossible for conserved, independent laws: a bug, never a result
        raise AssertionError(f"rank {bound.rank} above D - L = {D - L}: the laws or the rank are wrong")
    proven = bound.rank == D - L
    report = {
        "route": ROUTE,
        **header,
        "D": D,
        "components_of_phi": phi.K,
        "rank_lower_bound": bound.rank,
        "laws": L if proven else None,
        "status": "proven" if proven else "bounded",
        "stated_laws": {"stated": stated.K, "verified_as_identities": stated.K - len(refuted),
                        "refuted": sorted(refuted), "independent_mod_p": L},
        "prime": SCREEN_PRIME,
        "seed": seed,
        "point": f"a seeded random integer point (nonzero coordinates in [-{POINT_BOUND}, {POINT_BOUND}], seed {seed})",
        "levels": bound.levels,
        "blocks": blocks,
        "timings": {"read phi and laws": round(read_seconds, 3), "laws verified": round(laws_seconds, 3),
                    "rank": round(bound.seconds, 3)},
        "certificate": None,
        "evidence": ("computed in this run, not re-verified by the independent checker (--certificate FILE writes "
                     "a certificate and has it checked)"),
        "proof": ("dim Lie >= rank mod p of values of fields and brackets at the integer point (a nonzero minor mod p "
                  "is a nonzero integer), summed over blocks of parameters that share no component of phi (Lie is "
                  "their direct sum); dim Lie <= D - L for L stated laws verified as identities over the "
                  "integers and independent mod p at the same point"),
    }
    if not proven:
        report.update({"laws_at_least": L, "laws_at_most": D - bound.rank})
    if certify_as is not None:
        tc = time.perf_counter()
        independent = verified if L == verified.K else independent_laws(verified, point, SCREEN_PRIME)
        report["certificate"] = modular_certificate(phi, independent, bound, certify_as)
        report["evidence"] = "computed in this run; certificate written (its independent check is reported below)"
        report["timings"]["certificate"] = round(time.perf_counter() - tc, 3)
    report["seconds"] = round(read_seconds + time.perf_counter() - t0, 3)
    return report
