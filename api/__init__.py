"""conslaw — a computer-algebra proof assistant for the conservation laws of neural-network training.

A function h(θ) is a conservation law of a model's training when it stays constant along every gradient flow
of every loss L(θ) = ℓ(φ(θ)); where dim Lie(∇φ_k)(θ) is locally constant, there are exactly D − dim of them
(Marcotte, Gribonval & Peyré 2023, 2025).  conslaw counts them exactly over the rationals, finds them as polynomials, writes
certificates that an independent checker re-verifies, checks the papers' theorems on instances, and measures
the same laws on real PyTorch models.

Exact (SymPy over QQ, python-flint; no floats)::

    >>> import conslaw
    >>> arch, trace, report = conslaw.count_laws("relu", [3, 2, 3], bias=True)
    >>> report["D"], report["rank"], report["laws"]          # laws = D − rank of the Lie trace
    (14, 12, 2)
    >>> law = conslaw.polynomial_laws(arch.generators(), 2).laws[0]   # verified as an identity
    >>> print(law.as_expr())
    U1[0,0]**2 + U1[0,1]**2 + U1[0,2]**2 - U2[0,0]**2 - U2[1,0]**2 - U2[2,0]**2 + b1[0]**2
    >>> conslaw.check_certificate(conslaw.certify("relu", [3, 2, 3], bias=True)).ok   # independent checker
    True

The papers' theorems:
    conslaw.CATALOGUE (one Result per theorem), conslaw.run_catalogue(results) → the report of `conslaw verify`

Real nn.Modules (PyTorch, imported on first use):
    inventory = conslaw.find_laws(model)            # laws from the model's symmetries
    conslaw.check_laws(model, inventory, loss_fn, batches)
    monitor = conslaw.LawMonitor(model, inventory)   # watch them during training

Command line: ``conslaw --help`` (count, laws, certify, check, verify, data-symmetry).  Subpackages:
``conslaw.algebra`` (the exact core) and ``conslaw.verification`` (catalogue, certificates, checker,
numerics, reports, CLI).  Names are loaded when first used, so ``import conslaw`` is cheap.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name → the module that defines it
_EXPORTS = {
    # the exact core
    "ARCHITECTURES": "conslaw.algebra", "Architecture": "conslaw.algebra", "BracketGraph": "conslaw.algebra",
    "ConslawError": "conslaw.algebra", "NonPolynomialError": "conslaw.algebra", "ParameterSpace": "conslaw.algebra",
    "PolynomialVectorField": "conslaw.algebra", "ShapeError": "conslaw.algebra",
    "UnknownArchitectureError": "conslaw.algebra", "build_architecture": "conslaw.algebra",
    "exact_rank": "conslaw.algebra", "lie_trace": "conslaw.algebra", "polynomial_laws": "conslaw.algebra",
    "violations": "conslaw.algebra",
    # counting, laws, certificates and their checker
    "count_laws": "conslaw.verification.proofs.counting", "count_resnet": "conslaw.verification.proofs.resnet",
    "resnet_laws": "conslaw.verification.proofs.resnet", "certify": "conslaw.verification.proofs.certificate",
    "build_certificate": "conslaw.verification.proofs.certificate",
    "write_certificate": "conslaw.verification.proofs.certificate",
    "check_certificate": "conslaw.verification.checker", "check_file": "conslaw.verification.checker",
    "CertificateFormatError": "conslaw.verification.checker",
    # the theorem catalogue
    "CATALOGUE": "conslaw.verification.catalogue.theorems", "Result": "conslaw.verification.catalogue.theorems",
    "run_catalogue": "conslaw.verification.catalogue.run", "write_reports": "conslaw.verification.catalogue.run",
    # real nn.Modules (torch)
    "find_laws": "conslaw.verification.nn.laws", "check_laws": "conslaw.verification.nn.measure",
    "LawMonitor": "conslaw.verification.nn.monitor",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), so that ``import conslaw`` stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'conslaw' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
