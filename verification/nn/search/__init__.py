"""The symmetry search of ``find_laws``: candidate linear actions and translations on parameter axes
(:mod:`.candidates`), their invariance system solved numerically (:mod:`.solve`), confirmed and turned into laws
(:mod:`.search`); a second batch of inputs (:mod:`.inputs`)."""
from .search import SearchResult, symmetry_search

__all__ = ["SearchResult", "symmetry_search"]
