"""Alpha diversity of one community: a 1-D vector of individuals per taxon (zeros are absent taxa).

Formulas as in scikit-bio 0.7 (skbio.diversity.alpha), which the tests compare against:
- richness: taxa with a count > 0;
- Shannon H' = −Σ pᵢ ln pᵢ (natural log, nats);
- Simpson 1 − D with D = Σ pᵢ² (Gini–Simpson), inverse Simpson 1/D;
- Pielou J' = H' / ln S (1 when S = 1);
- Chao1 bias-corrected S_obs + F1(F1 − 1) / (2(F2 + 1)) (Chao 1987), its 95 % interval after the EstimateS
  manual (eq. 6 and 13; eq. 7 without doubletons; eq. 8 and 14 without singletons);
- Good's coverage 1 − F1/N.
An empty community (no individuals) has richness 0 and every other index undefined (None).
"""
from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def _counts(counts) -> np.ndarray:
    arr = np.asarray(counts, dtype=float)
    if arr.ndim != 1:
        raise ValueError("counts must be a 1-D vector of individuals per taxon")
    if (arr < 0).any() or not np.array_equal(arr, np.floor(arr)):
        raise ValueError("counts must be whole numbers ≥ 0")
    return arr[arr > 0]


def observed_richness(counts) -> int:
    return int(_counts(counts).size)


def shannon(counts) -> float | None:
    c = _counts(counts)
    if c.size == 0:
        return None
    p = c / c.sum()
    return float(-(p * np.log(p)).sum())


def _dominance(c: np.ndarray) -> float:
    p = c / c.sum()
    return float((p * p).sum())


def simpson(counts) -> float | None:
    c = _counts(counts)
    return None if c.size == 0 else 1.0 - _dominance(c)


def inverse_simpson(counts) -> float | None:
    c = _counts(counts)
    return None if c.size == 0 else 1.0 / _dominance(c)


def pielou(counts) -> float | None:
    c = _counts(counts)
    if c.size == 0:
        return None
    if c.size == 1:
        return 1.0
    return shannon(c) / math.log(c.size)


def _osd(c: np.ndarray) -> tuple[int, int, int]:
    return int(c.size), int((c == 1).sum()), int((c == 2).sum())


def chao1(counts) -> float | None:
    c = _counts(counts)
    if c.size == 0:
        return None
    o, f1, f2 = _osd(c)
    return o + f1 * (f1 - 1) / (2 * (f2 + 1))


def chao1_ci(counts, z: float = 1.96) -> tuple[float, float] | None:
    """95 % interval of the bias-corrected Chao1 (log-normal, EstimateS), as skbio.diversity.alpha.chao1_ci."""
    c = _counts(counts)
    if c.size == 0:
        return None
    o, f1, f2 = _osd(c)
    n = c.sum()
    if f1 == 0:
        # EstimateS eq. 14: no singletons.
        p = math.exp(-n / o)
        half = z * math.sqrt(o * p / (1 - p))
        return max(o, o / (1 - p) - half), o / (1 - p) + half
    estimate = chao1(c)
    if f2 == 0:
        var = f1 * (f1 - 1) / 2 + f1 * (2 * f1 - 1) ** 2 / 4 - f1 ** 4 / (4 * estimate)  # eq. 7
    else:
        var = (f1 * (f1 - 1) / (2 * (f2 + 1)) + f1 * (2 * f1 - 1) ** 2 / (4 * (f2 + 1) ** 2)
               + f1 ** 2 * f2 * (f1 - 1) ** 2 / (4 * (f2 + 1) ** 4))  # eq. 6
    t = estimate - o
    if t == 0:
        return float(o), float(o)
    k = math.exp(abs(z) * math.sqrt(math.log(1 + var / t ** 2)))  # eq. 13
    return o + t / k, o + t * k


def goods_coverage(counts) -> float | None:
    c = _counts(counts)
    return None if c.size == 0 else float(1 - (c == 1).sum() / c.sum())


def summarise(counts) -> dict:
    """Every index of one community under its plain name, with the sample size."""
    c = _counts(counts)
    ci = chao1_ci(c)
    return {"individuals": int(c.sum()), "richness": int(c.size), "shannon": shannon(c), "simpson": simpson(c),
            "inverse_simpson": inverse_simpson(c), "pielou": pielou(c), "chao1": chao1(c),
            "chao1_lower": ci[0] if ci else None, "chao1_upper": ci[1] if ci else None,
            "goods_coverage": goods_coverage(c)}
