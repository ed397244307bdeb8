"""The torch fallback: numerical counts agree with the exact engine; the rank policy reports its evidence."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st
from test_counts import two_layer_linear_laws  # noqa: E402

from conslaw.algebra import build_architecture, lie_trace  # noqa: E402
from conslaw.verification.numeric.fields import (  # noqa: E402
    bracket,
    default_device,
    family_from_map,
    family_from_model,
    resolve_dtype,
)
from conslaw.verification.numeric.maps import torch_polynomial_map  # noqa: E402
from conslaw.verification.numeric.rank import numerical_rank  # noqa: E402
from conslaw.verification.numeric.trace import numeric_lie_trace  # noqa: E402


def numeric_count(arch, seed):
    gen = torch.Generator().manual_seed(seed)
    theta = torch.randn(arch.dim, dtype=torch.float64, generator=gen)
    return numeric_lie_trace(family_from_map(torch_polynomial_map(arch.phi)), theta)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["linear", "relu"]), st.lists(st.integers(1, 3), min_size=3, max_size=4), st.booleans(),
       st.integers(0, 10**6))
def test_numeric_count_agrees_with_the_exact_engine(name, widths, bias, seed):
    arch = build_architecture(name, widths, bias=bias and name == "relu")
    result = numeric_count(arch, seed)
    assert result.laws == lie_trace(arch.generators(), seed=seed).laws
    assert result.rank.status in ("plateau", "full_rank")
    assert result.rank.gap > 1e6  # a clear gap, not a borderline decision


def test_numeric_count_for_the_blocks():
    for arch in (build_architecture("attention", d=2, dk=2, dv=1), build_architecture("softmax", [2, 3]),
                 build_architecture("conv", channels=[1, 2, 1], length=3, filters=[2, 2])):
        assert numeric_count(arch, 0).laws == lie_trace(arch.generators(), seed=0).laws


def _linear_model(n, r, m):
    def g(theta, x):
        U = theta[: n * r].reshape(n, r)
        V = theta[n * r:].reshape(m, r)
        return V @ (U.T @ x)
    return g, n * r + m * r


def _relu_model(n, r, m):
    def g(theta, x):
        U = theta[: n * r].reshape(r, n)
        V = theta[n * r:].reshape(m, r)
        return V @ torch.relu(U @ x)
    return g, n * r + m * r


def _model_laws(g, D, n, m, samples, seed):
    """Laws counted from the model's own fields X_{x,w} = ∂_θ g(θ, x)ᵀ w at a random θ."""
    gen = torch.Generator().manual_seed(seed)
    theta = torch.randn(D, dtype=torch.float64, generator=gen)
    xs = torch.randn(samples, n, dtype=torch.float64, generator=gen)
    ws = torch.randn(samples, m, dtype=torch.float64, generator=gen)
    return numeric_lie_trace(family_from_model(g, xs, ws), theta).laws


@pytest.mark.parametrize("n,r,m", [(2, 2, 2), (3, 2, 1), (1, 3, 1), (2, 4, 1)])
def test_model_fields_linear_network(n, r, m):
    """Fields of the actual model (not φ): Prop. 3.5's count."""
    g, D = _linear_model(n, r, m)
    assert _model_laws(g, D, n, m, samples=40, seed=1) == two_layer_linear_laws(n, r, m)


@pytest.mark.parametrize("n,r,m", [(2, 2, 2), (3, 2, 3), (2, 3, 1)])
def test_model_fields_relu_network(n, r, m):
    """The ReLU model itself, with generic inputs: one law per hidden neuron.

    400 inputs visit every activation region (60 can miss a narrow cone of R^n).
    """
    g, D = _relu_model(n, r, m)
    assert _model_laws(g, D, n, m, samples=400, seed=2) == r


def test_rank_policy_reports_its_evidence():
    q, _ = torch.linalg.qr(torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(0)))
    clear = torch.diag(torch.tensor([1.0, 1.0, 1.0, 1e-14, 0.0, 0.0], dtype=torch.float64)) @ q
    r = numerical_rank(clear[:4])
    assert r.rank == 3 and r.status == "plateau" and r.dropped_as_zero == 1  # the 1e-14 row is noise
    e = torch.eye(6, dtype=torch.float64)
    fuzzy = torch.stack([e[0], e[0] + 1e-7 * e[1], e[0] + 1e-9 * e[2]]) @ q  # nearly parallel after normalisation
    r = numerical_rank(fuzzy)
    assert r.status == "tolerance_disagreement"
    assert r.ranks_by_tolerance[1e-6] < r.ranks_by_tolerance[1e-10]
    assert numerical_rank(torch.eye(4, dtype=torch.float64)).status == "full_rank"
    assert numerical_rank(torch.zeros(0, 4, dtype=torch.float64)).status == "empty"
    assert set(r.to_dict()) >= {"rank", "status", "gap", "ranks_by_tolerance"}


def test_bracket_matches_the_exact_bracket():
    arch = build_architecture("linear", [2, 2, 2])
    gens = arch.generators()
    exact = gens[0].bracket(gens[1])
    phi = torch_polynomial_map(arch.phi)
    G = family_from_map(phi)
    theta = torch.tensor([1.0, -2.0, 0.5, 3.0, -1.0, 2.0, 0.25, 1.5], dtype=torch.float64)
    numeric = bracket(lambda t: G(t)[0], lambda t: G(t)[1])(theta)
    expected = torch.tensor([float(v) for v in exact.evaluate([1, -2, "1/2", 3, -1, 2, "1/4", "3/2"])], dtype=torch.float64)
    assert torch.allclose(numeric, expected, atol=1e-12)


def test_device_and_precision():
    assert default_device().type in ("cpu", "cuda")
    assert resolve_dtype("float32") == torch.float32
    with pytest.raises(ValueError, match="precision"):
        resolve_dtype("float16")


@pytest.mark.parametrize("d,dk,dv,heads", [(2, 2, 2, 1), (2, 1, 1, 2), (2, 2, 1, 2)])
def test_attention_model_fields_match_the_per_head_laws(d, dk, dv, heads):
    """The model's own fields (softmax included) give the count of φ = (Q_h K_hᵀ, V_h O_hᵀ)_h
    (Cor. 3.9 for one head; for several heads this is the README's completeness table)."""
    from conslaw.algebra import attention_layer
    from conslaw.verification.numeric.models import attention_model

    g, D = attention_model(d, dk, dv, heads)
    gen = torch.Generator().manual_seed(7)
    theta = torch.randn(D, dtype=torch.float64, generator=gen)
    xs = torch.randn(3 * D, 2, d, dtype=torch.float64, generator=gen)
    ws = torch.randn(3 * D, 2 * d, dtype=torch.float64, generator=gen)
    result = numeric_lie_trace(family_from_model(g, xs, ws), theta)
    assert result.laws == lie_trace(attention_layer(d, dk, dv, heads=heads).generators(), seed=0).laws
    assert len(set(result.rank.ranks_by_tolerance.values())) == 1


def test_transformer_block_laws_numerically():
    """Theorem 4.6 in a residual transformer (attention and MLP blocks alternating, Example 4.2), with the
    softmax handled numerically: attention block → d'(d'+1)/2 + d''(d''+1)/2, MLP block → r; and
    Theorem 4.7: no law on the attention's output matrix O with the next MLP's first layer U."""
    from conslaw.verification.numeric.blocks import subset_lie_trace
    from conslaw.verification.numeric.models import transformer_model

    d, dk, dv, heads, r = 2, 2, 1, 1, 2
    g, D, blocks = transformer_model(d, dk, dv, heads, r, layers=2)
    gen = torch.Generator().manual_seed(0)
    theta = torch.randn(D, dtype=torch.float64, generator=gen)

    def laws(idx):
        S = 4 * len(idx)
        xs = torch.randn(S, 2, d, dtype=torch.float64, generator=gen)
        ws = torch.randn(S, 2 * d, dtype=torch.float64, generator=gen)
        return subset_lie_trace(g, theta, idx, xs, ws, generator=gen).laws

    for l in (1, 2):
        assert laws(blocks[f"attention{l}"]) == dk * (dk + 1) // 2 + dv * (dv + 1) // 2
        assert laws(blocks[f"mlp{l}"]) == r
    out_matrix = blocks["attention1"][2 * d * dk + d * dv:]  # O of attention 1
    first_layer = blocks["mlp1"][: d * r]                     # U of MLP 1
    assert laws(out_matrix + first_layer) == 0


@pytest.mark.parametrize("name,widths", [("linear", [2, 3, 2]), ("linear", [3, 4, 2]), ("relu", [3, 3, 3]),
                                         ("relu", [2, 3, 2, 2])])
def test_random_combination_trace_agrees_with_the_exact_engine(name, widths):
    """The scalable path (random combinations, Hessian-vector brackets) gives the exact count."""
    from conslaw.verification.numeric.random_trace import random_lie_trace

    arch = build_architecture(name, widths)
    theta = torch.randn(arch.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    result = random_lie_trace(torch_polynomial_map(arch.phi), theta, seed=1)
    assert result.laws == lie_trace(arch.generators(), seed=0).laws
    assert result.rank.status in ("plateau", "full_rank")


def test_float32_on_request():
    """float32 uses tolerances above its machine epsilon and still finds the exact count."""
    from conslaw.verification.numeric.random_trace import random_lie_trace

    arch = build_architecture("relu", [3, 3, 3])
    theta = torch.randn(arch.dim, generator=torch.Generator().manual_seed(0)).to(resolve_dtype("float32"))
    for result in (random_lie_trace(torch_polynomial_map(arch.phi, dtype=torch.float32), theta),
                   numeric_lie_trace(family_from_map(torch_polynomial_map(arch.phi, dtype=torch.float32)), theta)):
        assert result.dtype == "float32"
        assert result.laws == 3 and result.rank.status == "plateau"
        assert set(result.rank.ranks_by_tolerance) == {1e-3, 1e-4, 1e-5}


def test_thread_count_follows_size_and_load(monkeypatch):
    """One thread below D = 2000 (faster there, and under load); above, the cores the load leaves idle;
    --threads overrides; the report says what was chosen."""
    import os

    from conslaw.verification.numeric import threads as nt

    monkeypatch.setattr(nt, "usable_cores", lambda: 4)
    assert nt.cpu_threads(1000)[0] == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert nt.cpu_threads(5000)[0] == 3
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    assert nt.cpu_threads(5000)[0] == 1
    assert nt.cpu_threads(10, requested=3) == (3, "--threads")
    from conslaw.verification.numeric.counting import count_laws_numerically

    before = torch.get_num_threads()
    report = count_laws_numerically("relu", [3, 2, 3], threads=2)
    assert report["hardware"].startswith("2 CPU threads (--threads)") and torch.get_num_threads() == before


def test_a_numeric_run_can_be_audited(monkeypatch):
    """Per level the rank after it; the singular values on both sides of the cut; several points, each rank
    listed — and a point whose rank differs (here: its growth cut at level 0, so the brackets are missing) is
    flagged, never hidden behind the first point's count."""
    from conslaw.verification.numeric import counting

    report = counting.count_laws_numerically("linear", [2, 3, 3, 2], points=3)  # depth-2 brackets needed
    assert report["ranks_per_point"] == [report["rank"]] * 3 and report["points_agree"]
    after = [lv["rank_after"] for lv in report["levels"]]
    assert after == sorted(after) and after[-1] == report["rank"] and after[0] < report["rank"]  # brackets add
    near = report["evidence"]["singular_values_near_the_cut"]
    assert near[2] > 1e-8 > near[3]  # the gap sits at the cut: 3 kept values above it, 3 dropped below

    original = counting.random_lie_trace
    calls = []

    def second_point_stops_early(*args, **kwargs):
        calls.append(1)
        return original(*args, **{**kwargs, "max_level": 0 if len(calls) == 2 else kwargs["max_level"]})

    monkeypatch.setattr(counting, "random_lie_trace", second_point_stops_early)
    flagged = counting.count_laws_numerically("linear", [2, 3, 3, 2], points=2)
    assert not flagged["points_agree"] and flagged["ranks_per_point"][1] < flagged["ranks_per_point"][0]
    assert any("ranks at the 2 points differ" in note for note in flagged["notes"])


def test_each_level_has_its_own_rank_decision_and_a_falling_one_is_flagged(monkeypatch):
    """Per level (D ≤ 1000): the rank by SVD on every value drawn up to it, with the singular values on both sides
    of its cut; a level whose SVD rank falls, or differs from the directions kept, is flagged in a note."""
    from conslaw.verification.numeric import counting

    report = counting.count_laws_numerically("linear", [2, 3, 3, 2])
    for lv in report["levels"]:
        assert lv["rank_by_svd"] == lv["rank_after"] and len(lv["singular_values_near_the_cut"]) <= 6
    assert not any("falls between levels" in note for note in report["notes"])

    original = counting.random_lie_trace

    def a_level_falls(*args, **kwargs):
        out = original(*args, **kwargs)
        out.levels[-1]["rank_by_svd"] = out.levels[0]["rank_by_svd"] - 1
        return out

    monkeypatch.setattr(counting, "random_lie_trace", a_level_falls)
    flagged = counting.count_laws_numerically("linear", [2, 3, 3, 2])
    assert any("falls between levels or differs" in note for note in flagged["notes"])
