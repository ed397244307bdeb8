"""One architecture, one definition: :class:`ArchitectureSpec` holds everything the package knows about an
architecture — its sizes and options with their validation, the exact SymPy builder, φ written for arrays with the
builder's flat θ layout, its size formulas, and the count of laws the literature gives with its hypothesis.

The catalogue, the command line, the numeric fallback and the test strategies look an architecture up in
:mod:`.registry`; none of them dispatches on its name.  Adding an architecture is one module in this folder with
its ``SPEC``, listed in :data:`.registry.SPECS` (and, on purpose, the checker's own φ in
``verification/checker/phi.py``, written independently).

φ for arrays (:attr:`ArchitectureSpec.array_phi`) is written with slicing, ``reshape``, ``.T``, ``*`` and ``@``
only — no library call — so the same code evaluates torch tensors (the numeric fallback, with autograd) and NumPy
object arrays of exact fractions (the registry test compares it with the SymPy φ exactly).  It returns φ's
components as a list of blocks; flattened row-major, block after block, they are the builder's components, in the
builder's order or (the ReLU path lifting: start-major tensors) in another — a permutation, which changes no count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any, Callable, NamedTuple, Optional, Sequence

from .base import Architecture

Options = dict[str, Any]
#: flat θ (a 1-D array) → φ's components as blocks (each flattened row-major, concatenated in order)
ArrayPhi = Callable[[Any], list]


class ExpectedCount(NamedTuple):
    """The number of independent laws the literature gives for an instance, whether the result's hypotheses hold
    at these sizes, and the argument (a citation, or an independent argument outside the hypotheses)."""

    laws: int
    in_hypotheses: bool
    argument: str


@dataclass(frozen=True)
class OptionSpec:
    """One size or setting of an architecture beyond its widths, as the command line takes it (``--name``)."""

    name: str
    help: str
    #: how many values (``nargs``): 1 for a scalar, 2 or 3 for a tuple
    count: int = 1
    metavar: Optional[tuple[str, ...]] = None
    #: "int": integers ≥ 1; "rational": an exact rational written p/q (never a float)
    kind: str = "int"


@dataclass(frozen=True)
class ArchitectureSpec:
    """Everything about one architecture (see the module's docstring).  Callables take ``(widths, bias,
    options)`` as :func:`~.registry.build_architecture` received them (options: the ones this architecture
    accepts, ``None`` where not given)."""

    name: str
    #: one line for ``conslaw architectures``
    summary: str
    #: the exact builder: (widths, bias, options) → Architecture (validates the sizes)
    build: Callable[[list[int], bool, Options], Architecture]
    #: (D, number of components of φ) from the sizes alone, in O(layers) work, before anything is built
    sizes: Callable[[list[int], bool, Options], tuple[int, int]]
    takes_widths: bool = True
    takes_bias: bool = False
    #: the options it accepts beyond widths and bias, with their command-line form
    option_specs: tuple[OptionSpec, ...] = ()
    #: φ for arrays with the builder's θ layout, or None: the numeric fallback converts the exact φ instead
    array_phi: Optional[Callable[[list[int], bool, Options], ArrayPhi]] = None
    #: the stated laws for arrays, in array_phi's θ layout (blocks of polynomials), or None: the modular route
    #: (``count --modular``) verifies them as identities against φ before any use
    array_laws: Optional[Callable[[list[int], bool, Options], ArrayPhi]] = None
    #: the architecture's ``shape`` (what a certificate names beside its name) from the sizes alone, for the
    #: modular route's certificates; None: the widths, and the bias flag where it takes one
    shape_of: Optional[Callable[[list[int], bool, Options], dict]] = None
    #: the parameter names in the array forms' θ layout, from the sizes alone (the builder's names, without
    #: building φ); None: build the architecture to know them
    names_of: Optional[Callable[[list[int], bool, Options], list[str]]] = None
    #: why φ's count may be only a lower bound for the model's, from the sizes alone (None: never)
    model_gaps: Optional[Callable[[list[int], bool, Options], list[str]]] = None
    #: the literature's count of laws of φ for these sizes, or None where no formula or argument covers them
    expected_count: Optional[Callable[[list[int], bool, Options], Optional[ExpectedCount]]] = None
    #: (description, notes) from the sizes alone, as the builder writes them; None: build the architecture to know
    describe: Optional[Callable[[list[int], bool, Options], tuple[str, list[str]]]] = None
    #: hidden units with a piecewise-linear activation: hyperplanes matter (Theorem 3.4's hypothesis)
    piecewise_linear: bool = False
    #: the cost model of an exact count, seconds ≈ rate · (D / 200)^power per pair of points
    exact_cost: tuple[float, float] = (6.0, 2.6)
    #: small instances, (widths, bias, options), that the registry's tests build in every way
    examples: tuple[tuple[tuple[int, ...], bool, tuple[tuple[str, Any], ...]], ...] = field(default=())

    def shape(self, widths: list[int], bias: bool, options: Options) -> dict:
        """The ``shape`` the builder's Architecture would carry, without building it."""
        if self.shape_of is not None:
            return self.shape_of(widths, bias, options)
        return {"widths": list(widths), **({"bias": bias} if self.takes_bias else {})}

    @property
    def options(self) -> frozenset[str]:
        """The names of the options it accepts."""
        return frozenset(o.name for o in self.option_specs)


def split_flat(theta: Any, shapes: Sequence[tuple[int, ...]]) -> list:
    """θ cut into consecutive blocks of these shapes (row-major), by slicing and ``reshape`` only."""
    out, start = [], 0
    for shape in shapes:
        size = prod(shape)
        out.append(theta[start:start + size].reshape(shape))
        start += size
    return out


__all__ = ["ArchitectureSpec", "ArrayPhi", "ExpectedCount", "OptionSpec", "Options", "split_flat"]
