"""``conslaw laws ARCH … --modular``: find the laws of degree ≤ 2 at the numeric scale, prove their count and
certify both (issue 24, item 2).

The laws are found by :func:`~.modular_laws.degree2_laws` (a complete basis, every law verified as an identity
over the integers); :func:`~.modular_count.count_tables` then proves the count with them (rank mod p of the
fields and brackets at an integer point, block by block, against the laws' independent gradients) and writes the
modular certificate holding the independent laws, for the caller to pass through the independent checker before
anything is printed.
"""
from __future__ import annotations

import time
from typing import Optional, Sequence

from conslaw.algebra import ConslawError

from .fanout import executor
from .modular_count import count_tables, read_phi
from .modular_laws import degree2_laws
from .poly_table import MonomialSum, PolynomialTable


def modular_law_search(arch: str, widths: Sequence[int] = (), *, bias: bool = False, degree: int = 2,
                       seed: int = 0, scheduler: str = "serial", workers: int = 2,
                       **options: Optional[object]) -> tuple[dict, list[MonomialSum], list[str]]:
    """(report, the certificate's independent laws, the parameter names).  The report carries the certificate
    (``report["certificate"]``), the law search's summary (``law_search``) and the count (``laws``, or None with
    both bounds)."""
    if degree != 2:
        raise ConslawError(f"--modular searches the laws of degree <= 2 (got --degree {degree}); use the exact "
                           "search for other degrees")
    t0 = time.perf_counter()
    key, spec, full, widths, phi = read_phi(arch, widths, bias, options, "names_of", "the exact search")
    D = phi.D
    basis, search = degree2_laws(phi, seed)
    found = PolynomialTable.from_polynomials(basis, D)
    header = {"architecture": key, "widths": widths, "bias": bias, **{k: v for k, v in full.items() if v is not None}}
    with executor(scheduler, workers) as run:
        report = count_tables(phi, found, header, seed=seed, read_seconds=time.perf_counter() - t0,
                              certify_as={"name": key, **spec.shape(widths, bias, full)}, run=run)
    if report["stated_laws"]["refuted"]:  # every found law was verified: a bug, never a result
        raise AssertionError("a law found by the search failed the identity check of the count")
    gaps = spec.model_gaps(widths, bias, full) if spec.model_gaps is not None else []
    description = spec.describe(widths, bias, full)[0] if spec.describe is not None else key
    report.update({"description": description, "law_search": {"degree": 2, **search},
                   "model_count": {"relation": "lower bound" if gaps else "equal", "reasons": gaps}})
    cert_laws = [MonomialSum({tuple(v for v, e in powers for _ in range(e)): int(c) for c, powers in law["terms"]})
                 for law in report["certificate"]["laws"]]
    return report, cert_laws, spec.names_of(widths, bias, full)


__all__ = ["modular_law_search"]
