"""The modular route's blocks and its fan-out over Dask (issue 24, items 1 and 5).

Blocks: parameters that share no component of φ span Lie algebras that add up (a bracket of fields on disjoint
parameters vanishes); the blocks found must be the ones the architecture's structure gives (one per hidden ReLU
neuron, one for a linear net, two per attention head) and the blocked rank must equal the unblocked one.
Fan-out: the same count on a Dask LocalCluster of two workers gives the same report and certificate as in this
process (the draws are seeded per block, not per worker)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from conslaw.algebra.architectures import SPECS
from conslaw.verification.checker import check_certificate
from conslaw.verification.cli import run
from conslaw.verification.proofs.modular_blocks import blocked_rank, variable_blocks
from conslaw.verification.proofs.modular_count import modular_count
from conslaw.verification.proofs.modular_rank import SCREEN_PRIME, integer_point, lie_rank_lower_bound
from conslaw.verification.proofs.poly_table import PolynomialTable


def _phi(arch, widths, **options):
    spec = SPECS[arch]
    full = {o.name: options.get(o.name) for o in spec.option_specs}
    D, _ = spec.sizes(list(widths), options.get("bias", False), full)
    return PolynomialTable.from_array_map(spec.array_phi(list(widths), options.get("bias", False), full), D)


@pytest.mark.parametrize("arch, widths, options, blocks", [
    ("relu", [3, 4, 2], {}, 4),            # one per hidden neuron
    ("relu", [2, 3, 2], {"bias": True}, 3),
    ("relu", [2, 2, 2, 2], {}, 1),         # deeper: paths join the layers
    ("linear", [3, 2, 3], {}, 1),
    ("attention", [], {"d": 3, "dk": 2, "dv": 1, "heads": 2}, 4),  # (Q, K) and (V, O) per head
])
def test_blocks_follow_the_architecture(arch, widths, options, blocks):
    phi = _phi(arch, widths, **options)
    label = variable_blocks(phi)
    assert len(np.unique(label[label >= 0])) == blocks
    for k in range(phi.K):  # every component lives on one block
        v = phi.var[phi.comp == k]
        assert len(np.unique(label[v[v >= 0]])) == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_blocked_rank_is_the_unblocked_one(seed):
    phi = _phi("attention", [], d=3, dk=2, dv=2, heads=2)
    empty = PolynomialTable(phi.D, 0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                            np.zeros((0, 0), dtype=np.int64))
    point = integer_point(phi.D, seed)
    blocked, summary = blocked_rank(phi, empty, point, SCREEN_PRIME, seed=seed)
    whole = lie_rank_lower_bound(phi, phi.D, seed=seed, point=point)
    assert summary["blocks"] == 4 and blocked.rank == whole.rank == phi.D - 12  # 2 heads x (3 + 3) laws


def test_dask_gives_the_same_count_and_certificate(tmp_path):
    options = {"d": 4, "dk": 2, "dv": 3, "heads": 2}
    here = modular_count("attention", [], certify=True, **options)
    there = modular_count("attention", [], certify=True, scheduler="local", workers=2, **options)
    assert here["laws"] == there["laws"] == 2 * (3 + 6)
    assert there["blocks"]["executor"].startswith("Dask") and there["blocks"]["tasks"] > 1
    assert json.dumps(here["certificate"]) == json.dumps(there["certificate"])
    assert check_certificate(json.loads(json.dumps(there["certificate"]))).ok


def test_cli_scheduler_options(capsys):
    assert run(["count", "relu", "3", "3", "3", "--modular", "--scheduler", "local", "--workers", "2"]) == 0
    assert "by Dask, 2 local worker processes" in capsys.readouterr().out
    assert run(["count", "relu", "3", "3", "3", "--scheduler", "local"]) == 2  # only with --modular


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line(capsys):  # slow: the client waits 30 s before it gives up
    assert run(["count", "relu", "3", "3", "3", "--modular", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
