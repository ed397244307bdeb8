"""conslaw.verification — reports, progress display and the command-line interface
around the exact core :mod:`conslaw.algebra`."""
from .counting import count_laws

__all__ = ["count_laws"]
