"""Individual-based rarefaction: expected richness in a random subsample of m individuals, with a 95 % band.

Expectation after Hurlbert (1971): S(m) = S_obs − Σ_k f_k · C(N − k, m) / C(N, m), summing over the
abundance frequencies f_k (taxa seen k times); the unconditional variance of Colwell et al. (2012, eq. 5),
σ²(m) = Σ_k f_k (1 − α_km)² − S(m)² / Ŝ with α_km = C(N − k, m) / C(N, m) and Ŝ the Chao1 estimate, gives
the interval S(m) ± 1.96 σ. Working on frequencies keeps a curve cheap even for thousands of taxa.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from genbank_registry.metrics.alpha import Z95, _counts, chao1

EFFORT_RATIO_WARNING = 2.0  # beyond this, raw richness compares effort more than diversity


@dataclass
class RarefactionCurve:
    individuals: list[int]
    richness: list[float]
    lower: list[float]
    upper: list[float]


def _log_choose(n, k):
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def _alpha(ks: np.ndarray, n: int, m: np.ndarray) -> np.ndarray:
    """α_km = C(N − k, m) / C(N, m) for every (m, k); zero where N − k < m."""
    ks = ks[None, :]
    m = m[:, None]
    with np.errstate(invalid="ignore"):
        log = _log_choose(n - ks, m) - _log_choose(n, m)
    return np.where(n - ks >= m, np.exp(log), 0.0)


def rarefied_richness(counts, m) -> np.ndarray | float:
    """Expected richness at each sample size in `m` (a number or an array)."""
    c = _counts(counts)
    n = int(c.sum())
    ms = np.atleast_1d(np.asarray(m, dtype=float))
    if (ms > n).any():
        raise ValueError(f"cannot rarefy to more than the {n} individuals counted")
    ks, fk = np.unique(c, return_counts=True)
    result = c.size - (_alpha(ks, n, ms) * fk).sum(axis=1)
    return float(result[0]) if np.ndim(m) == 0 else result


def rarefaction_curve(counts, points: int = 30) -> RarefactionCurve:
    c = _counts(counts)
    n = int(c.sum())
    if n == 0:
        return RarefactionCurve([], [], [], [])
    ms = np.unique(np.linspace(1, n, min(points, n)).round().astype(int))
    ks, fk = np.unique(c, return_counts=True)
    a = _alpha(ks, n, ms.astype(float))
    s = c.size - (a * fk).sum(axis=1)
    estimate = chao1(c)
    var = np.clip((fk * (1 - a) ** 2).sum(axis=1) - s ** 2 / estimate, 0, None)
    half = Z95 * np.sqrt(var)
    return RarefactionCurve(ms.tolist(), s.tolist(), np.clip(s - half, 0, None).tolist(), (s + half).tolist())


# English sentences of the warnings; the web translates the same templates.
WARNING_TEXT = {
    "units": "Sampling effort is recorded in different units (%(units)s): compare rarefied richness, not raw "
             "richness.",
    "effort": "Sampling effort differs %(ratio)s-fold between %(high)s and %(low)s: compare rarefied richness at "
              "the same number of individuals, not raw richness.",
    "individuals": "%(high)s counted %(ratio)s times as many individuals as %(low)s: raw richness favours the "
                   "larger sample.",
}


def effort_warnings(groups: dict[str, tuple[float | None, str | None, int]]) -> list[dict]:
    """Where groups differ in effort enough to mislead: {label: (effort, unit, individuals)} → a list of
    {"kind": units|effort|individuals, "params": {...}, "message": English sentence}."""
    found = []
    units = {u for _, u, _ in groups.values() if u}
    if len(units) > 1:
        found.append(("units", {"units": ", ".join(sorted(units))}))
    for kind, values in (("effort", {k: e for k, (e, _, _) in groups.items() if e}),
                         ("individuals", {k: n for k, (_, _, n) in groups.items() if n})):
        if len(values) > 1:
            low, high = min(values, key=values.get), max(values, key=values.get)
            ratio = values[high] / values[low]
            if ratio >= EFFORT_RATIO_WARNING:
                found.append((kind, {"ratio": f"{ratio:.1f}", "high": high, "low": low}))
    return [{"kind": k, "params": p, "message": WARNING_TEXT[k] % p} for k, p in found]
