"""The catalogue's schema: the papers, an instance (an architecture with its sizes), the expected count of an
instance, and a result (one theorem of one paper, as a checkable object)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Optional

from conslaw.algebra import ConslawError, build_architecture


class StrEnum(str, Enum):
    """A ``str`` enum that prints and formats as its value (``enum.StrEnum`` of Python 3.11, here for 3.10), so
    that JSON, f-strings and comparisons with plain strings see the same text as before the enum."""

    __str__ = str.__str__
    __format__ = str.__format__


class CheckKind(StrEnum):
    """How a result is checked; each kind but :attr:`NOT_CHECKABLE` has one module in :mod:`.checks`."""

    COUNT = "count"
    COUNTING = "counting"
    LAWS_HOLD = "laws_hold"
    ONE_STEP = "one_step"
    RESNET_SUBSET = "resnet_subset"
    WEIGHT_DECAY = "weight_decay"
    MODEL_SPAN = "model_span"
    PROJECTION = "projection"
    EXAMPLE_4_8 = "example_4_8"
    SIGN_FLOW = "sign_flow"
    MOMENTUM = "momentum"
    MIRROR = "mirror"
    MIRROR_MOMENTUM = "mirror_momentum"
    INTRINSIC = "intrinsic"
    DATA_SYMMETRY = "data_symmetry"
    NEURAL_MECHANICS = "neural_mechanics"
    MODEL_RANK = "model_rank"
    NOT_CHECKABLE = "not checkable yet"


class Verdict(StrEnum):
    """An instance's verdict, and (the worst of its instances') a result's status."""

    HOLDS = "holds"
    HOLDS_OUTSIDE = "holds outside the hypotheses"
    FAILS = "fails"
    DIFFERS_OUTSIDE = "differs outside the hypotheses"
    NOT_PROVEN = "not proven"
    HYPOTHESIS_FAILS = "hypothesis fails on this instance"
    ERROR = "error"
    NOT_CHECKABLE = "not checkable yet"

    @property
    def is_failure(self) -> bool:
        """A failure of the code or of the theorem (an instance outside the hypotheses that matches is none)."""
        return self in (Verdict.FAILS, Verdict.ERROR, Verdict.DIFFERS_OUTSIDE)


#: a result's status is the first of these that one of its instances has, else ``holds``
STATUS_ORDER = (Verdict.FAILS, Verdict.ERROR, Verdict.DIFFERS_OUTSIDE, Verdict.NOT_PROVEN)


class Evidence(StrEnum):
    """What backs a result's method: exact computation (with a certificate the independent checker re-verifies, or
    without one), numerical evidence, or bounds only."""

    EXACT_CERTIFIED = "exact with certificate"
    EXACT = "exact without certificate"
    NUMERICAL = "numerical"
    BOUNDS = "bounds"

PAPERS = {
    "tc25": "Marcotte, Gribonval, Peyré — Transformative or Conservative? Conservation laws for ResNets and "
            "Transformers",
    "abide23": "Marcotte, Gribonval, Peyré (2023) — Abide by the Law and Follow the Flow",
    "km24": "Marcotte, Gribonval, Peyré (2024) — Keep the Momentum: Conservation Laws beyond Euclidean Gradient "
            "Flows",
    "mpg25": "Marcotte, Peyré, Gribonval (2025) — Intrinsic training dynamics of deep neural networks",
    "gsf26": "Galley, Shahverdi, Flinth (2026) — Conservation Laws from Data Symmetry in Neural Networks",
    "kunin21": "Kunin, Sagastuy-Brena, Ganguli, Yamins, Tanaka (2021) — Neural Mechanics: Symmetry and Broken "
               "Conservation Laws in Deep Learning Dynamics",
}


@dataclass(frozen=True)
class Instance:
    """An architecture with its sizes, as ``build_architecture`` takes them."""

    arch: str
    widths: tuple[int, ...] = ()
    bias: bool = False
    options: tuple[tuple[str, object], ...] = ()
    grid: str = "quick"  # "quick": in the default run; "full": only with --grid full
    residual: bool = False  # x ↦ x + g(θ, x)

    def build(self):
        """The architecture (:func:`conslaw.algebra.build_architecture`)."""
        return build_architecture(self.arch, list(self.widths), bias=self.bias, residual=self.residual,
                                  **dict(self.options))

    def __repr__(self) -> str:
        """Constructor syntax with only the fields that differ from their defaults (one line in a falsifying
        example: ``Instance('relu', (1, 2, 1), bias=True)``)."""
        args = [repr(self.arch)] + ([repr(self.widths)] if self.widths else [])
        args += ["bias=True"] if self.bias else []
        args += [f"options={self.options!r}"] if self.options else []
        args += [f"grid={self.grid!r}"] if self.grid != "quick" else []
        args += ["residual=True"] if self.residual else []
        return f"Instance({', '.join(args)})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis' (and IPython's) pretty printer: the same line
        printer.text(repr(self))

    @property
    def label(self) -> str:
        parts = [self.arch] + [str(w) for w in self.widths] + (["bias"] if self.bias else [])
        parts += ["residual"] if self.residual else []
        parts += [f"{k}={'x'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in self.options]
        return " ".join(parts)


@dataclass(frozen=True)
class Expectation:
    """The expected count of an instance: the value, whether the result's hypotheses hold there, and why."""

    laws: int
    in_hypotheses: bool
    argument: str


@dataclass(frozen=True)
class Result:
    """One result of a paper, checkable (``check`` is "count" or "laws_hold") or listed as not checkable yet."""

    id: str
    paper: str
    title: str
    statement: str  # LaTeX
    hypotheses: str  # LaTeX
    check: CheckKind  # a CheckKind or its value; an unknown kind fails at import
    method: str
    failure: str  # what a failure looks like
    instances: tuple[Instance, ...] = ()
    formula: Optional[Callable[[Instance], Expectation]] = None
    depends: tuple[str, ...] = ()
    reason: str = ""  # for results not checkable yet
    #: what the method rests on: exact (the default) or numerical; whether each instance also has a checked
    #: certificate is known only after the run (:func:`~conslaw.verification.catalogue.blueprint.evidence`)
    evidence: Evidence = Evidence.EXACT

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "check", CheckKind(self.check))
        except ValueError:
            known = ", ".join(k.value for k in CheckKind)
            raise ConslawError(f"catalogue: {self.id} has unknown check kind {self.check!r}; known: {known}") from None
        object.__setattr__(self, "evidence", Evidence(self.evidence))
