"""One module per paper: its results as catalogue entries (:class:`~conslaw.verification.catalogue.schema.Result`)."""
