"""Diversity metrics equal scikit-bio called directly on the same counts, and a hand-worked example."""
from __future__ import annotations

import math

import numpy as np
import pytest
from skbio.diversity import alpha as sk
from skbio.diversity import beta_diversity
from skbio.diversity.alpha import chao1_ci as sk_chao1_ci
from skbio.stats import subsample_counts

from genbank_registry import metrics

RNG = np.random.default_rng(53)
VECTORS = [
    np.array([10, 5, 3, 2, 2, 1, 1, 1, 0, 7]),  # singletons and doubletons
    np.array([9, 4, 3, 3]),  # neither singletons nor doubletons
    np.array([6, 1, 1, 1, 4]),  # singletons without doubletons
    np.array([3, 2, 2, 5]),  # doubletons without singletons
    np.array([12]),  # a single taxon
    *[RNG.negative_binomial(0.6, 0.08, size=200) for _ in range(5)],  # long-tailed, many zeros
]


@pytest.mark.parametrize("counts", VECTORS, ids=lambda c: f"S{(c > 0).sum()}-N{c.sum()}")
def test_alpha_indices_equal_scikit_bio(counts):
    assert metrics.observed_richness(counts) == sk.observed_features(counts)
    assert metrics.shannon(counts) == pytest.approx(sk.shannon(counts))  # natural log: skbio ≥ 0.6.1 default
    assert metrics.simpson(counts) == pytest.approx(sk.simpson(counts))
    assert metrics.inverse_simpson(counts) == pytest.approx(sk.inv_simpson(counts))
    assert metrics.pielou(counts) == pytest.approx(sk.pielou_e(counts))
    assert metrics.chao1(counts) == pytest.approx(sk.chao1(counts, bias_corrected=True))
    assert metrics.chao1_ci(counts) == pytest.approx(sk_chao1_ci(counts, bias_corrected=True))
    assert metrics.goods_coverage(counts) == pytest.approx(sk.goods_coverage(counts))


def test_worked_example_by_hand():
    """Counts 4, 2, 1, 1 (N = 8): p = 1/2, 1/4, 1/8, 1/8."""
    s = metrics.summarise([4, 2, 1, 1])
    assert s["richness"] == 4 and s["individuals"] == 8
    assert s["shannon"] == pytest.approx(0.5 * math.log(2) + 0.25 * math.log(4) + 0.25 * math.log(8))  # 1.2130
    assert s["simpson"] == pytest.approx(1 - (1 / 4 + 1 / 16 + 2 / 64))  # 0.65625
    assert s["inverse_simpson"] == pytest.approx(1 / 0.34375)  # 2.9091
    assert s["pielou"] == pytest.approx(0.875)  # H / ln 4 = (7/4 ln 2) / (2 ln 2)
    assert s["chao1"] == pytest.approx(4 + 2 * 1 / (2 * (1 + 1)))  # 4.5: F1 = 2, F2 = 1
    assert s["goods_coverage"] == pytest.approx(0.75)  # 1 − F1/N = 1 − 2/8


def test_empty_community_has_no_indices():
    s = metrics.summarise([0, 0, 0])
    assert s["richness"] == 0 and s["shannon"] is None and s["chao1"] is None
    with pytest.raises(ValueError, match="whole numbers"):
        metrics.shannon([1.5, 2])


def test_rarefaction_by_hand_and_against_subsampling():
    # Individuals A, A, B, C: of the 6 pairs one holds a single taxon (AA), five hold two: (1 + 10) / 6.
    assert metrics.rarefied_richness([2, 1, 1], 2) == pytest.approx(11 / 6)
    counts = VECTORS[0]
    curve = metrics.rarefaction_curve(counts, points=8)
    assert curve.individuals[-1] == counts.sum() and curve.richness[-1] == pytest.approx((counts > 0).sum())
    assert all(lo <= s <= hi for s, lo, hi in zip(curve.richness, curve.lower, curve.upper))
    assert curve.richness == sorted(curve.richness)
    # The expectation is the mean richness of random subsamples without replacement (scikit-bio's subsampler).
    rng_mean = np.mean([(subsample_counts(counts, 12, seed=i) > 0).sum() for i in range(3000)])
    assert metrics.rarefied_richness(counts, 12) == pytest.approx(rng_mean, abs=0.06)


def test_beta_and_pcoa_equal_scikit_bio():
    matrix = np.vstack(VECTORS[5:9])
    ids = ["a", "b", "c", "d"]
    assert np.allclose(metrics.bray_curtis(matrix), beta_diversity("braycurtis", matrix, ids).data)
    assert np.allclose(metrics.jaccard(matrix), beta_diversity("jaccard", matrix > 0, ids).data)
    from skbio import DistanceMatrix
    from skbio.stats.ordination import pcoa

    coords, explained = metrics.pcoa(metrics.bray_curtis(matrix), ids)
    expected = pcoa(DistanceMatrix(metrics.bray_curtis(matrix), ids))
    assert np.allclose(np.abs(coords), np.abs(expected.samples.to_numpy()[:, :2]))  # axes may flip sign
    assert explained == pytest.approx(list(expected.proportion_explained[:2]))


def test_effort_warnings():
    warnings = metrics.effort_warnings({"Ninh Kiều": (1.0, "hour", 100), "Vĩnh Thạnh": (6.0, "hour", 640),
                                        "Ô Môn": (2.0, "hour", 200)})
    kinds = {w["kind"]: w for w in warnings}
    assert kinds["effort"]["params"] == {"ratio": "6.0", "high": "Vĩnh Thạnh", "low": "Ninh Kiều"}
    assert "6.4 times" in kinds["individuals"]["message"]
    assert metrics.effort_warnings({"a": (2.0, "hour", 100), "b": (3.0, "hour", 150)}) == []
    assert metrics.effort_warnings({"a": (2.0, "hour", 100), "b": (2.0, "m2", 100)})[0]["kind"] == "units"
