"""conslaw.algebra — the exact core: polynomial vector fields over QQ, Lie brackets,
the bracket graph, exact trace ranks and the number of conservation laws.

The names below load on first use (PEP 562): importing one module of the core (the checker's bounded grammar
:mod:`.polynomial_text`, say) does not load the others, FLINT or networkx."""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any

#: public name → the module of the core that defines it
_EXPORTS = {
    "ARCHITECTURES": ".architectures", "Architecture": ".architectures", "attention_layer": ".architectures",
    "build_architecture": ".architectures", "conv_relu_block": ".architectures", "linear_network": ".architectures",
    "relu_network": ".architectures", "residual_block": ".architectures", "softmax_layer": ".architectures",
    "BracketGraph": ".bracket_graph", "ConslawError": ".errors", "NonPolynomialError": ".errors",
    "ShapeError": ".errors", "UnknownArchitectureError": ".errors", "exact_rank": ".exact_rank",
    "independent_rows": ".exact_rank", "PolynomialVectorField": ".fields", "to_polynomial": ".fields",
    "LawBasis": ".law_discovery", "polynomial_laws": ".law_discovery", "gradient_rank": ".laws",
    "violations": ".laws", "ParameterSpace": ".parameters", "latex_name": ".parameters",
    "matrix_names": ".parameters", "vector_names": ".parameters", "working_points": ".points",
    "LevelReport": ".trace", "TraceResult": ".trace", "lie_trace": ".trace",
}

__all__ = sorted(_EXPORTS)


class _Package(types.ModuleType):
    """The package's module type: importing the submodule ``exact_rank`` must not replace the function
    ``exact_rank`` as the package's attribute (an eager ``__init__`` re-bound it after its imports)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _EXPORTS and value.__name__ == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'conslaw.algebra' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
