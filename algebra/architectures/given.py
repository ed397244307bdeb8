"""The "architecture" of a fields file: the generators a user wrote (``conslaw count --fields FILE``), as an
:class:`~.base.Architecture` so that the count, the law search and the certificates treat it like the others."""
from __future__ import annotations

from ..fields import PolynomialVectorField, from_sparse
from ..fields_file import GivenFields
from ..parameters import ParameterSpace
from .base import Architecture

GIVEN = "fields"  #: the architecture name of user-given fields (no builder: the checker reads them from the certificate)


def given_architecture(given: GivenFields) -> Architecture:
    """V = {∇φ_k} ∪ {the fields} on the file's parameters; the known laws are the file's stated ones (verified as
    identities before any use, like the literature's), no model behind them (the count is that of these fields)."""
    space = ParameterSpace(given.names)
    phi = [from_sparse(space, p) for p in given.phi]
    fields = [PolynomialVectorField(space, [from_sparse(space, c) for c in comps]) for comps in given.fields]
    parts = ([f"{len(phi)} components of phi (their gradients)"] if phi else []) + \
        ([f"{len(fields)} vector field{'s' if len(fields) != 1 else ''}"] if fields else [])
    description = f"{' and '.join(parts)} from {given.source}, on {space.dim} parameters"
    laws = [from_sparse(space, h) for h in given.laws]
    return Architecture(GIVEN, description, space, phi, [f"phi[{k}]" for k in range(len(phi))], laws,
                        [f"stated law {i}" for i in range(len(laws))], {"source": given.source}, extra_fields=fields)
