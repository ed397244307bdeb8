"""conslaw.verification — the theorem catalogue, certificates and their independent checker, the torch fallback
(``numeric_*`` modules), real ``nn.Module`` laws, reports and the CLI, around the exact core
:mod:`conslaw.algebra`.  The names below load on first use (PEP 562), so that the CLI starts without sympy or
torch where it does not need them."""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "build_certificate": ".certificate", "certify": ".certificate", "verdict_for": ".certificate",
    "write_certificate": ".certificate", "CertificateFormatError": ".checker", "check_certificate": ".checker",
    "check_file": ".checker", "count_laws": ".counting", "count_resnet": ".deep_report",
    "resnet_laws": ".deep_report",
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
