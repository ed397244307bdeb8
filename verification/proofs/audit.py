"""The kernel in the loop: every certificate conslaw writes is re-read from its bytes and passed through the
independent checker (the same code path as ``conslaw check``) before the result it supports is reported.

:func:`audit_certificate` also builds a *tampered twin* of the certificate (one law coefficient changed, or, with
no law, one coordinate of a witness value or the sign-flow rank) and requires the checker to reject it, so that a
checker which accepts everything cannot pass the audit.  The outcome is one of

* ``passed``: the checker verified the certificate and rejected its twin;
* ``rejected``: the checker found a claim that does not hold (the result it supports fails);
* ``refused``: the certificate is over the checker's size or work budget, so it is *not independently checked*
  (the result rests on the producer's computation alone, and says so);
* ``twin accepted``: the checker accepted a tampered certificate (a checker bug: the result is not trusted).
"""
from __future__ import annotations

import copy
import hashlib
import json
import sys
from fractions import Fraction
from typing import Optional

from ..checker import CertificateFormatError, check_bytes, check_certificate


def tampered_twin(cert: dict) -> Optional[dict]:
    """A copy of ``cert`` with one number changed that its claims depend on; None when there is none."""
    twin = copy.deepcopy(cert)
    laws = twin.get("laws")
    if isinstance(laws, list) and laws:
        law = laws[0]
        record = law.get("numerator", law) if isinstance(law, dict) else law
        if isinstance(record, dict) and record.get("terms"):
            record["terms"][0][0] = str(Fraction(record["terms"][0][0]) + 1)
            record.pop("text", None)
            return twin
        if isinstance(record, dict) and "coefficients" in record:  # sign-flow law c·θ
            record["coefficients"][0] = str(Fraction(record["coefficients"][0]) + 1)
            return twin
    brackets = (twin.get("rank_witness") or {}).get("brackets") if isinstance(twin.get("rank_witness"), dict) else None
    if brackets:
        brackets[0]["value"][0] = str(Fraction(brackets[0]["value"][0]) + 1)
        return twin
    if isinstance(twin.get("rank"), int):
        twin["rank"] += 1
        return twin
    return None


AUDIT_DEADLINE = 120.0  # the work estimates bound the checks; a wall-clock refusal would make verify's results
                        # depend on the machine's load, so its backstop here is far above any check they admit
_AUDITED: dict[str, dict] = {}  # sha256 of the bytes -> audit (the checker is deterministic)


def audit_certificate(data: bytes) -> dict:
    """``{"status": passed | rejected | refused | twin accepted, "detail": one line}`` for the certificate whose
    file holds ``data``; the same bytes are audited once per process."""
    key = hashlib.sha256(data).hexdigest()
    if key not in _AUDITED:
        _AUDITED[key] = _audit(data)
    return dict(_AUDITED[key])


def _audit(data: bytes) -> dict:
    try:
        report = check_bytes(data, AUDIT_DEADLINE)
    except CertificateFormatError as exc:
        return {"status": "refused", "detail": f"not independently checked: {exc}"}
    if not report.ok:
        return {"status": "rejected", "detail": f"the independent checker rejected it: {report.failures[0]}"}
    twin = tampered_twin(json.loads(data))
    if twin is not None:
        try:
            accepted = check_certificate(twin, AUDIT_DEADLINE).ok
        except CertificateFormatError:
            accepted = False
        if accepted:
            return {"status": "twin accepted",
                    "detail": "the checker accepted a tampered twin of this certificate: the checker is not trusted"}
    return {"status": "passed", "detail": "re-read from its bytes and verified by the independent checker"
                                          + ("; a tampered twin was rejected" if twin is not None else "")}


def audited(data: bytes) -> str:
    """The kernel in the loop: a certificate's bytes through the independent checker before anything of it is
    reported.  A certificate the checker rejects is a bug of conslaw (``RuntimeError``: the CLI exits 3 and prints
    no result); one over the checker's budget is reported as not independently checked (a note on stderr).
    Returns the phrase saying which."""
    audit = audit_certificate(data)
    if audit["status"] in ("rejected", "twin accepted"):
        raise RuntimeError(f"conslaw's own certificate failed the independent check ({audit['detail']}); "
                           "no result is reported")
    if audit["status"] == "refused":
        print(f"conslaw: note: {audit['detail']}", file=sys.stderr)
        return "not independently checked: over the checker's budget"
    return "verified by the independent checker"


__all__ = ["audit_certificate", "audited", "tampered_twin"]
