"""The trusted base: re-verify a certificate with code paths independent of the ones that wrote it.

It imports only the standard library, SymPy and :mod:`conslaw.algebra.polynomial_text` (with its errors);
``tests/test_import_contract.py`` asserts it.  Modules, bottom up: :mod:`.work` and :mod:`.reading` (bounds and
bounded parsers), :mod:`.running` (the running check's budget), :mod:`.exact` (gradients, brackets, ranks over QQ),
:mod:`.phi` (the checker's own φ per architecture), :mod:`.flows`, :mod:`.laws`, :mod:`.verdicts`, one module per
certificate kind (:mod:`.sign_flow`, :mod:`.data_symmetry`, :mod:`.intrinsic`), and the entry point
:mod:`.certificate`.
"""
from .certificate import check_bytes, check_certificate, check_file
from .phi import expected_parameters, phi_size
from .reading import LIMITS, CertificateFormatError, CheckLimits, CheckReport

__all__ = ["LIMITS", "CertificateFormatError", "CheckLimits", "CheckReport", "check_bytes", "check_certificate",
           "check_file", "expected_parameters", "phi_size"]
