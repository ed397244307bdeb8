"""conslaw.verification — reports, certificates, the independent checker, the CLI, and the
torch fallback (``numeric_*`` modules, imported on demand so that the CLI starts without torch)
around the exact core :mod:`conslaw.algebra`."""
from .certificate import build_certificate, certify, verdict_for, write_certificate
from .checker import CertificateFormatError, check_certificate, check_file
from .counting import count_laws
from .deep_report import count_resnet, resnet_laws

__all__ = [
    "CertificateFormatError", "build_certificate", "certify", "check_certificate", "check_file", "count_laws",
    "count_resnet", "resnet_laws", "verdict_for", "write_certificate",
]
