"""Notes that drive a decision: a :class:`Note` is the sentence a report prints (a ``str``, so JSON and text are
unchanged) with a machine-readable :class:`NoteKind`, so that code reads the kind, never the English."""
from __future__ import annotations

from enum import Enum
from typing import Optional


class NoteKind(str, Enum):
    """Why an instance leaves a theorem's hypotheses at its point."""

    DEAD_UNIT = "dead unit"  # a hidden unit no input activates
    ALWAYS_ACTIVE = "always active"  # a hidden unit every input activates
    SHARED_HYPERPLANE = "shared hyperplane"  # two hidden units define the same hyperplane

    __str__ = str.__str__
    __format__ = str.__format__


#: the kinds that put an instance outside the hypotheses of Theorem 3.4 / Lemma 4.4 (extra local laws may appear)
DEGENERATE = frozenset(NoteKind)


class Note(str):
    """A report's note with its kind (None: a plain note that decides nothing)."""

    kind: Optional[NoteKind]

    def __new__(cls, text: str, kind: Optional[NoteKind] = None) -> "Note":
        note = super().__new__(cls, text)
        note.kind = kind
        return note

    def __reduce__(self):  # pickled to Dask workers with its kind
        return (Note, (str(self), self.kind))


def kind_of(note: object) -> Optional[NoteKind]:
    """The kind of a note, None for a plain string."""
    return getattr(note, "kind", None)


__all__ = ["DEGENERATE", "Note", "NoteKind", "kind_of"]
