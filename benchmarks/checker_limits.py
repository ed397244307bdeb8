"""The checker's guarantees, measured: every certificate within the limits is checked in under 20 s, everything
beyond them is refused in under 1 s (issue "The kernel in the loop", item 2).

    conslaw verify --grid full --out full          # the genuine certificates
    python benchmarks/checker_limits.py full/certificates

Prints, for each hostile certificate of ``tests/hostile_certificates.py`` (they kept the checker busy for 3 s to
over 60 s before the work budget), the outcome it gets and the seconds to refuse it; then, for the genuine
certificates in the folder, how many were checked, the slowest, and those refused as over the budget (which
``conslaw verify`` then reports as not independently checked).  One process, this machine's clock.
"""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from hostile_certificates import HOSTILE  # noqa: E402

from conslaw.verification.checker import CertificateFormatError, check_bytes  # noqa: E402
from conslaw.verification.checker.work import DEADLINE_SECONDS, MAX_UNITS  # noqa: E402


def _decide(data: bytes) -> tuple[str, float, str]:
    t0 = time.perf_counter()
    try:
        report = check_bytes(data)
        outcome, why = ("verified" if report.ok else "rejected"), (report.failures[:1] or [""])[0]
    except CertificateFormatError as exc:
        outcome, why = "refused", str(exc)
    return outcome, time.perf_counter() - t0, why


def main(folder: str | None) -> None:
    print(f"budget: {MAX_UNITS:,} units, deadline {DEADLINE_SECONDS:g} s")
    print(f"{'hostile certificate':24} {'KB':>6} {'outcome':9} {'seconds':>8}  why")
    for name, build in HOSTILE.items():
        data = json.dumps(build()).encode()
        outcome, seconds, why = _decide(data)
        print(f"{name:24} {len(data) / 1024:6.0f} {outcome:9} {seconds:8.2f}  {why[:90]}")
    if folder is None:
        return
    times, refused = [], []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as fh:
            outcome, seconds, why = _decide(fh.read())
        times.append((seconds, name, outcome))
        if outcome == "refused":
            refused.append(f"{name} ({seconds:.2f} s)")
    slowest = max(times)
    checked = [t for t in times if t[2] != "refused"]
    print(f"genuine: {len(checked)} of {len(times)} checked, slowest {slowest[0]:.1f} s ({slowest[1]}, {slowest[2]}); "
          f"refused as over the budget: {refused or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
