"""Exceptions raised by the exact core.

Every error carries a message that names the offending input, so that the
command-line interface can print it as one readable line.
"""


class ConslawError(Exception):
    """Base class of every error that conslaw raises on bad input."""


class NonPolynomialError(ConslawError, ValueError):
    """An input that must be a polynomial over QQ is not one (sin, 1/x, a float)."""


class ShapeError(ConslawError, ValueError):
    """Dimensions do not match (wrong number of components, widths < 1, ...)."""


class UnknownArchitectureError(ConslawError, KeyError):
    """An architecture name that conslaw does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown architecture"
