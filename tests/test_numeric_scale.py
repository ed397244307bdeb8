"""The scalable numerical count: φ written in torch, random brackets, the `count --numeric` command.

Expected counts come from the exact engine (small sizes) or from the formulas where their
hypotheses hold and the independent argument beyond them (tests/test_counts.py): a two-layer
ReLU net has one law per hidden neuron; a head's Q Kᵀ and V Oᵀ are two-layer linear nets
[d, d', d] and [d, d'', d], whose laws (Prop. 3.5, or the rank argument when d' > 2d) add up.
"""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st
from test_counts import two_layer_linear_laws  # noqa: E402

from conslaw.algebra import build_architecture, lie_trace  # noqa: E402
from conslaw.algebra.errors import ConslawError, ShapeError, UnknownArchitectureError  # noqa: E402
from conslaw.verification.cli import run  # noqa: E402
from conslaw.verification.numeric.counting import count_laws_numerically  # noqa: E402
from conslaw.verification.numeric.maps import torch_polynomial_map  # noqa: E402
from conslaw.verification.numeric.phi import numeric_map  # noqa: E402
from conslaw.verification.numeric.random_trace import random_lie_trace  # noqa: E402

SHAPES = [
    ("relu", [2, 3, 2], False, {}), ("relu", [2, 3, 4, 2], True, {}), ("relu", [3, 1, 2], True, {}),
    ("relu", [1, 1, 1], False, {}), ("linear", [2, 3, 4, 2], False, {}), ("linear", [1, 4, 1], False, {}),
    ("attention", [], False, dict(d=3, dk=2, dv=1, heads=2)), ("attention", [], False, dict(d=1, dk=3, dv=1)),
    ("conv", [], False, dict(channels=(1, 2, 1), length=4, filters=(2, 2))), ("softmax", [3, 2], True, {}),
]


@pytest.mark.parametrize("name,widths,bias,opts", SHAPES)
def test_torch_phi_is_the_exact_phi(name, widths, bias, opts):
    """Same parameter layout, same components (as a multiset) as the exact builder's φ, at a random θ."""
    arch = build_architecture(name, widths, bias=bias, **opts)
    fast = numeric_map(name, widths, bias=bias, **opts)
    assert (fast.dim, fast.components) == (arch.dim, len(arch.phi))
    theta = torch.randn(arch.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    exact = torch_polynomial_map(arch.phi)(theta).sort().values
    assert torch.allclose(fast.phi(theta).sort().values, exact, atol=1e-12)
    assert fast.notes == list(arch.notes)


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(["linear", "relu"]), st.lists(st.integers(1, 3), min_size=3, max_size=4), st.booleans(),
       st.integers(0, 10**6))
def test_numeric_count_command_agrees_with_the_exact_engine(name, widths, bias, seed):
    bias = bias and name == "relu"
    report = count_laws_numerically(name, widths, bias=bias, seed=seed)
    assert report["laws"] == lie_trace(build_architecture(name, widths, bias=bias).generators(), seed=seed).laws
    assert report["evidence"]["status"] in ("plateau", "full_rank")


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 10**6))
def test_numeric_attention_agrees_with_the_exact_engine(d, dk, dv, heads, seed):
    report = count_laws_numerically("attention", d=d, dk=dk, dv=dv, heads=heads, seed=seed)
    exact = lie_trace(build_architecture("attention", d=d, dk=dk, dv=dv, heads=heads).generators(), seed=seed)
    assert report["laws"] == exact.laws


@pytest.mark.parametrize("n,r,m,bias", [(12, 9, 7, True), (5, 14, 3, False), (1, 6, 1, True)])
def test_relu_beyond_exact_sizes(n, r, m, bias):
    """One law per hidden neuron, also with more hidden units than inputs plus outputs."""
    assert count_laws_numerically("relu", [n, r, m], bias=bias)["laws"] == r


@pytest.mark.parametrize("d,dk,dv,heads", [(8, 3, 2, 2), (6, 5, 4, 1), (2, 5, 1, 2)])
def test_attention_beyond_exact_sizes(d, dk, dv, heads):
    """Per head the laws of the linear nets [d, d', d] and [d, d'', d] (the rank argument when d' > 2d)."""
    expected = heads * (two_layer_linear_laws(d, dk, d) + two_layer_linear_laws(d, dv, d))
    assert count_laws_numerically("attention", d=d, dk=dk, dv=dv, heads=heads)["laws"] == expected


def test_deep_linear_needs_several_bracket_levels():
    """[4, 3, 3, 4]: the literature's laws are 2 × 6 entries; D = 42 and levels up to depth ≥ 2 are drawn."""
    report = count_laws_numerically("linear", [4, 3, 3, 4], seed=2)
    arch = build_architecture("linear", [4, 3, 3, 4])
    assert report["laws"] == lie_trace(arch.generators(), seed=0).laws
    assert max(lv["level"] for lv in report["levels"]) >= 2


def test_a_level_that_adds_nothing_costs_only_the_probe():
    report = count_laws_numerically("relu", [6, 6, 6])  # the probe: 8 brackets, or fewer where fewer can be missing
    assert report["levels"][-1]["new"] == 0 and report["levels"][-1]["candidates"] == min(8, report["laws"])


def test_time_limit_is_reported():
    fast = numeric_map("relu", [5, 5, 5])
    theta = torch.randn(fast.dim, dtype=torch.float64)
    result = random_lie_trace(fast.phi, theta, time_limit=1e-9)
    assert "lower bound" in result.levels[-1]["stopped"]


def test_max_level_is_reported():
    """Deep linear nets need several levels: cut at level 0, the rank is a lower bound and says so."""
    fast = numeric_map("linear", [4, 3, 3, 4])
    theta = torch.randn(fast.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    result = random_lie_trace(fast.phi, theta, max_level=0)
    assert "lower bound" in result.levels[-1]["stopped"]
    assert result.laws > lie_trace(build_architecture("linear", [4, 3, 3, 4]).generators(), seed=0).laws


def test_float32_numeric_count():
    report = count_laws_numerically("relu", [4, 5, 3], precision="float32")
    assert report["laws"] == 5 and report["dtype"] == "float32"
    assert set(report["evidence"]["ranks_by_tolerance"]) == {"0.001", "0.0001", "1e-05"}


def test_bad_requests_are_named():
    with pytest.raises(UnknownArchitectureError):
        numeric_map("lstm", [2, 2])
    with pytest.raises(ShapeError, match="at least 1"):
        numeric_map("relu", [3, 0, 2])
    with pytest.raises(ShapeError, match="missing"):
        numeric_map("attention", d=3)
    with pytest.raises(ShapeError, match="residual"):
        numeric_map("relu", [3, 2, 4], residual=True)
    with pytest.raises(ConslawError, match="precision"):
        count_laws_numerically("relu", [2, 2, 2], precision="float16")
    with pytest.raises(ConslawError, match="device"):
        count_laws_numerically("relu", [2, 2, 2], device="tpu")


def test_cli_numeric_count_prints_its_evidence(capsys):
    assert run(["count", "relu", "6", "5", "4", "--bias", "--numeric", "--no-progress"]) == 0
    out = capsys.readouterr().out
    for needle in ("numerical: torch", "seed 0", "evidence, not a proof", "status plateau", "gap",
                   "D - rank = 55 - 50 = 5"):
        assert needle in out
    assert run(["count", "attention", "--d", "4", "--dk", "2", "--dv", "2", "--numeric", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["laws"] == 6 and report["method"] == "numerical, the fields of phi" and report["device"] in ("cpu", "cuda:0", "cuda")


@pytest.mark.parametrize("argv,needle", [
    (["count", "relu", "3", "3", "--numeric", "--graph", "g.json"], "--graph"),
    (["count", "resnet", "--dim", "2", "--hidden", "2", "--numeric"], "resnet"),
    (["count", "relu", "3", "3", "--device", "cpu"], "--numeric"),
    (["count", "relu", "3", "3", "--numeric", "--precision", "float16"], "float16"),
    (["count", "mlp", "3", "3", "--numeric"], "unknown architecture"),
    (["count", "relu", "60", "60", "60", "60", "60", "--numeric"], "777,600,000 components"),  # refused from shapes alone
])
def test_cli_numeric_refusals(argv, needle, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("conslaw: error:") and needle in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="the refusal is for machines without a GPU")
def test_cli_refuses_cuda_without_a_gpu(capsys):
    assert run(["count", "relu", "3", "3", "--numeric", "--device", "cuda"]) == 2
    assert "no CUDA GPU" in capsys.readouterr().err


def test_full_rank_report_is_strict_json(capsys):
    """A one-layer net has no law: full rank, no gap — null in JSON, never Infinity."""
    assert run(["count", "linear", "2", "3", "--numeric", "--json"]) == 0
    report = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert report["laws"] == 0 and report["evidence"]["status"] == "full_rank" and report["evidence"]["gap"] is None


@pytest.mark.parametrize("engine", ["random", "all generators"])
def test_levels_of_very_different_sizes(engine):
    """Scaling φ by c scales level-k brackets by c^(k+1) and changes no law.  With c = 1e7 the
    deepest brackets are ~1e14 times the generators: a zero test against the largest norm of
    *all* levels would throw the generators away as noise (the bug this guards against)."""
    from conslaw.verification.numeric.fields import family_from_map
    from conslaw.verification.numeric.trace import numeric_lie_trace

    fast = numeric_map("linear", [4, 3, 3, 4])
    scaled = lambda t: 1e7 * fast.phi(t)  # noqa: E731
    theta = torch.randn(fast.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    result = random_lie_trace(scaled, theta) if engine == "random" else numeric_lie_trace(family_from_map(scaled), theta)
    assert result.laws == lie_trace(build_architecture("linear", [4, 3, 3, 4]).generators(), seed=0).laws
    assert result.rank.dropped_as_zero == 0 or engine == "all generators"


@pytest.mark.parametrize("d,dk,dv,heads", [(8, 2, 2, 2), (6, 3, 1, 3)])
def test_the_attention_model_itself_has_the_per_head_laws(d, dk, dv, heads):
    """Fields of the softmax model (not φ) at random inputs: Corollary 3.9 per head, numerically complete."""
    report = count_laws_numerically("attention", d=d, dk=dk, dv=dv, heads=heads, model=True)
    assert report["laws"] == heads * (dk * (dk + 1) // 2 + dv * (dv + 1) // 2)
    assert report["evidence"]["status"] == "plateau" and "model" in report["method"]


def test_one_token_merges_the_heads():
    """N = 1: softmax(·) = 1, Y = x Σ_h V_h O_hᵀ — Q and K are free (2 H d d' laws) and the heads form one
    linear net [d, H d'', d] (Prop. 3.5, or the rank argument beyond it)."""
    d, dk, dv, H = 4, 2, 2, 2
    report = count_laws_numerically("attention", d=d, dk=dk, dv=dv, heads=H, tokens=1, model=True, inputs=40)
    assert report["laws"] == 2 * H * d * dk + two_layer_linear_laws(d, H * dv, d)


@pytest.mark.parametrize("argv,needle", [
    (["count", "relu", "3", "3", "3", "--numeric", "--model"], "built for attention"),
    (["count", "relu", "3", "3", "3", "--numeric", "--inputs", "4"], "--inputs goes with --model"),
    (["count", "attention", "--d", "2", "--dk", "1", "--dv", "1", "--model"], "go with --numeric"),
    (["count", "relu", "2", "2", "2", "--numeric", "--time-limit", "0"], "must be a positive number"),
])
def test_cli_model_refusals(argv, needle, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_cli_time_limit_says_the_rank_is_a_lower_bound(capsys):
    assert run(["count", "relu", "30", "30", "30", "--numeric", "--time-limit", "0.001", "--no-progress"]) == 4
    out = capsys.readouterr().out
    assert "stopped: time limit of" in out and "the rank is a lower bound" in out and "an upper bound" in out
