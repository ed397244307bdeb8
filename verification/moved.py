"""Old flat module names of :mod:`conslaw.verification` (before issue 22) → their homes in the subpackages.

``import conslaw.verification.module_laws`` still works for one release: :class:`MovedModuleFinder` resolves
it to :mod:`conslaw.verification.nn.laws` (the same module object, so monkeypatching either name patches both)
and warns with a :class:`DeprecationWarning` naming the new path.  This table is the only shim: no file is left
at an old path.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

PACKAGE = "conslaw.verification"

#: old module name → new dotted path under conslaw.verification
MOVED = {
    "assertions": "testing.assertions",
    "attention_patterns": "nn.attention_graph",
    "blueprint": "catalogue.blueprint",
    "budget": "proofs.budget",
    "certificate": "proofs.certificate",
    "certificate_audit": "proofs.audit",
    "checker_data_symmetry": "checker.data_symmetry",
    "checker_intrinsic": "checker.intrinsic",
    "checker_sign_flow": "checker.sign_flow",
    "checker_work": "checker.work",
    "claims": "proofs.claims",
    "composite_ops": "nn.ops",
    "counting": "proofs.counting",
    "deep_report": "proofs.resnet",
    "expectations": "testing.expectations",
    "extras": "report.extras",
    "latex": "report.latex",
    "law_patterns": "report.law_families",
    "module_count": "nn.count",
    "module_graph": "nn.graph",
    "module_laws": "nn.laws",
    "monitor": "nn.monitor",
    "neural_mechanics": "nn.neural_mechanics",
    "numeric_blocks": "numeric.blocks",
    "numeric_counting": "numeric.counting",
    "numeric_fields": "numeric.fields",
    "numeric_maps": "numeric.maps",
    "numeric_phi": "numeric.phi",
    "numeric_random": "numeric.random_trace",
    "numeric_rank": "numeric.rank",
    "numeric_threads": "numeric.threads",
    "numeric_trace": "numeric.trace",
    "polynomial_flow": "proofs.polynomial_flow",
    "progress": "report.progress",
    "prose": "report.prose",
    "pytest_plugin": "testing.pytest_plugin",
    "reports": "report.certificates",
    "sgd_drift": "nn.sgd_drift",
    "sign_flow": "proofs.sign_flow",
    "strategies": "testing.strategies",
    "sweep": "catalogue.sweep",
    "terminal": "report.terminal",
    "theorem_checks": "catalogue.checks.registry",
    "theorems": "catalogue.theorems",
    "torch_models": "numeric.models",
    "torch_modules": "nn.zoo",
    "verdicts": "catalogue.verdicts",
    "verify": "catalogue.run",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):  # noqa: D102 - importlib protocol
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:  # noqa: D102 - the target module is already executed
        pass


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Resolve ``conslaw.verification.<old name>`` to its new module, with a deprecation warning."""

    def find_spec(self, fullname: str, path=None, target=None):  # noqa: D102 - importlib protocol
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE or name not in MOVED:
            return None
        new = f"{PACKAGE}.{MOVED[name]}"
        warnings.warn(f"{fullname} moved to {new}; the old name goes in the next release", DeprecationWarning,
                      stacklevel=3)
        return importlib.util.spec_from_loader(fullname, _Alias(new))


def install() -> None:
    """Put the finder on :data:`sys.meta_path` once."""
    if not any(isinstance(f, MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
