"""Conservation laws of real ``nn.Module`` models: :func:`find_laws` (a pattern registry over the traced graph,
:mod:`.find`) and the law groups it returns; :func:`check_laws` (measured on batches) lives in
:mod:`conslaw.verification.nn.measure` and is re-exported here."""
from __future__ import annotations

from ..measure import LawCheck, check_laws  # measured on batches; re-exported for the old import path
from .column_sum import column_sum_group
from .find import find_laws
from .hand_attention import attention_group
from .inventory import LawGroup, LawInventory, law_dots_and_norms, values_only
from .layer_norm import norm_group
from .refute import dropout_off, refute_on_inputs
from .rescale import rescale_group

__all__ = ["LawCheck", "LawGroup", "LawInventory", "attention_group", "check_laws", "column_sum_group",
           "dropout_off", "find_laws", "law_dots_and_norms", "norm_group", "refute_on_inputs", "rescale_group",
           "values_only"]
