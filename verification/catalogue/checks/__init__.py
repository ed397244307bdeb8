"""The catalogue's checks, one module per check kind (:class:`~conslaw.verification.catalogue.schema.CheckKind`),
and the registry that maps each kind to its function (:mod:`.registry`).  Each check takes
``(result, instance, seed)`` and returns a JSON-ready record with a ``verdict``."""
