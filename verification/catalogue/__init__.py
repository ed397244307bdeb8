"""The theorem catalogue: each paper result as a checkable object — the schema (:mod:`.schema`: results,
instances, check kinds, verdicts, evidence), the formulas (:mod:`.formulas`), one module per paper
(:mod:`.papers`), assembled in :mod:`.theorems`; the checks, one module per check kind (:mod:`.checks`); the
runner behind ``conslaw verify`` (:mod:`.run`), the Dask sweep (:mod:`.sweep`) and the blueprint page
(:mod:`.blueprint`)."""
