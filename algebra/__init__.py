"""conslaw.algebra — the exact core: polynomial vector fields over QQ, Lie brackets,
the bracket graph, exact trace ranks and the number of conservation laws."""
from .architectures import (
    ARCHITECTURES, Architecture, attention_layer, build_architecture, conv_relu_block, linear_network,
    relu_network, residual_block, softmax_layer,
)
from .bracket_graph import BracketGraph
from .errors import ConslawError, NonPolynomialError, ShapeError, UnknownArchitectureError
from .exact_rank import exact_rank, independent_rows
from .laws import gradient_rank, violations
from .law_discovery import LawBasis, polynomial_laws
from .fields import PolynomialVectorField, to_polynomial
from .parameters import ParameterSpace, latex_name, matrix_names, vector_names
from .points import working_points
from .trace import LevelReport, TraceResult, lie_trace

__all__ = [
    "ARCHITECTURES", "Architecture", "independent_rows", "attention_layer", "conv_relu_block",
    "residual_block", "softmax_layer", "BracketGraph", "ConslawError", "LevelReport",
    "NonPolynomialError", "ParameterSpace", "PolynomialVectorField", "ShapeError",
    "TraceResult", "UnknownArchitectureError", "build_architecture", "exact_rank",
    "latex_name", "lie_trace", "linear_network", "matrix_names", "relu_network",
    "to_polynomial", "vector_names", "working_points", "gradient_rank", "violations", "LawBasis", "polynomial_laws",
]
