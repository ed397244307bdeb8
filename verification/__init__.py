"""conslaw.verification — everything around the exact core :mod:`conslaw.algebra`, one subpackage per concept
(arrows point down; ``tests/test_import_contract.py`` enforces it):

- :mod:`.cli` — argparse and dispatch;
- :mod:`.catalogue` — the papers' theorems as checkable objects, ``conslaw verify``, the sweep, the blueprint;
- :mod:`.testing` — Hypothesis strategies, assertions and the pytest plugin;
- :mod:`.nn` — real ``nn.Module`` models: symmetry patterns, laws, counts, monitors (torch);
- :mod:`.numeric` — the torch fallback for fields, traces and ranks on real sizes;
- :mod:`.report` — LaTeX, Markdown and text renderers;
- :mod:`.proofs` — exact counts and certificates, each audited by the checker before it is reported;
- :mod:`.checker` — the trusted base that re-verifies certificates.

The names below load on first use (PEP 562), so that the CLI starts without sympy or torch where it does not
need them.  Old flat module names (``conslaw.verification.module_laws`` …) resolve through :mod:`.moved` for
one release."""
from __future__ import annotations

import importlib
from typing import Any

from . import moved

moved.install()

_EXPORTS = {
    "build_certificate": ".proofs.certificate", "certify": ".proofs.certificate",
    "verdict_for": ".proofs.certificate", "write_certificate": ".proofs.certificate",
    "CertificateFormatError": ".checker", "check_certificate": ".checker",
    "check_file": ".checker", "count_laws": ".proofs.counting", "count_resnet": ".proofs.resnet",
    "resnet_laws": ".proofs.resnet",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'conslaw.verification' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
