"""Re-check every certificate in a folder with the independent checker, and time it.

    conslaw verify --grid paper23 --out p23
    python benchmarks/check_certificates.py p23/certificates

Prints the number checked, the total time, the slowest certificate and any that fail (one process).
"""
from __future__ import annotations

import os
import sys
import time

from conslaw.verification.checker import CertificateFormatError, check_file


def main(folder: str) -> None:
    t0, bad, refused, worst, n = time.perf_counter(), [], [], (0.0, ""), 0
    for name in sorted(os.listdir(folder)):
        t1 = time.perf_counter()
        try:
            if not check_file(os.path.join(folder, name)).ok:
                bad.append(name)
        except CertificateFormatError as exc:  # over the checker's budget, or malformed
            refused.append(f"{name}: {exc}")
        worst = max(worst, (time.perf_counter() - t1, name))
        n += 1
    print(f"checked {n} certificates in {time.perf_counter() - t0:.1f} s; slowest {worst[0]:.1f} s ({worst[1]}); "
          f"rejected: {bad or 'none'}; refused: {refused or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1])
