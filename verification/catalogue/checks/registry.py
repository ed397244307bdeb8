"""The check of each check kind: :data:`CHECKS` maps a :class:`~..schema.CheckKind` to the function that checks
one instance of a result, ``(result, instance, seed) → record``.  A kind without a check is an error at import."""
from __future__ import annotations

from typing import Callable

from ..schema import CheckKind, Instance, Result
from .count import check_count
from .counting import check_counting
from .data_symmetry import check_data_symmetry
from .example_4_8 import check_example_4_8
from .intrinsic import check_intrinsic
from .laws_hold import check_laws_hold
from .mirror import check_mirror
from .model_rank import check_model_rank
from .model_span import check_model_span
from .momentum import check_momentum
from .neural_mechanics import check_neural_mechanics
from .one_step import check_one_step
from .projection import check_projection
from .resnet_subset import check_resnet_subset
from .sign_flow import check_sign_flow
from .weight_decay import check_weight_decay

Check = Callable[[Result, Instance, int], dict]

CHECKS: dict[CheckKind, Check] = {
    CheckKind.COUNT: check_count, CheckKind.COUNTING: check_counting, CheckKind.LAWS_HOLD: check_laws_hold,
    CheckKind.ONE_STEP: check_one_step, CheckKind.RESNET_SUBSET: check_resnet_subset,
    CheckKind.WEIGHT_DECAY: check_weight_decay, CheckKind.MODEL_SPAN: check_model_span,
    CheckKind.PROJECTION: check_projection, CheckKind.EXAMPLE_4_8: check_example_4_8,
    CheckKind.SIGN_FLOW: check_sign_flow, CheckKind.MOMENTUM: check_momentum,
    CheckKind.NEURAL_MECHANICS: check_neural_mechanics, CheckKind.MIRROR: check_mirror,
    CheckKind.MIRROR_MOMENTUM: check_mirror, CheckKind.INTRINSIC: check_intrinsic,
    CheckKind.DATA_SYMMETRY: check_data_symmetry, CheckKind.MODEL_RANK: check_model_rank,
}

_MISSING = [k.value for k in CheckKind if k is not CheckKind.NOT_CHECKABLE and k not in CHECKS]
if _MISSING:
    raise ImportError(f"check kinds without a check: {', '.join(_MISSING)}")


def check_for(kind: CheckKind | str) -> Check:
    """The check of ``kind`` (a :class:`CheckKind` or its value)."""
    return CHECKS[CheckKind(kind)]


__all__ = ["CHECKS", "Check", "check_count", "check_counting", "check_data_symmetry", "check_example_4_8", "check_for",
           "check_intrinsic", "check_laws_hold", "check_mirror", "check_model_rank", "check_model_span", "check_momentum",
           "check_neural_mechanics", "check_one_step", "check_projection", "check_resnet_subset", "check_sign_flow",
           "check_weight_decay"]
