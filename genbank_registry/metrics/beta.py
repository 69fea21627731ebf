"""Between communities: Bray–Curtis and Jaccard dissimilarities (rows = communities) and PCoA.

Distances come from scipy (what scikit-bio's beta_diversity uses for these metrics); Jaccard is on presence
and absence. PCoA is scikit-bio's own (skbio.stats.ordination.pcoa), imported when needed because it is slow
to import.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist, squareform


def bray_curtis(matrix) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    if m.shape[0] < 2:
        return np.zeros((m.shape[0], m.shape[0]))
    return squareform(pdist(m, "braycurtis"))


def jaccard(matrix) -> np.ndarray:
    m = np.asarray(matrix) > 0
    if m.shape[0] < 2:
        return np.zeros((m.shape[0], m.shape[0]))
    return squareform(pdist(m, "jaccard"))


def pcoa(distances, ids: list[str], dimensions: int = 2) -> tuple[np.ndarray, list[float]]:
    """Coordinates of each community on the first `dimensions` axes, and the share of variation each explains."""
    d = np.asarray(distances, dtype=float)
    n = d.shape[0]
    if n < 3 or not d.any():
        return np.zeros((n, dimensions)), [0.0] * dimensions
    from skbio import DistanceMatrix
    from skbio.stats.ordination import pcoa as sk_pcoa

    method = "eigh" if n <= 200 else "fsvd"  # fast SVD keeps a per-site ordination of 1,000 sites quick
    result = sk_pcoa(DistanceMatrix(d, ids), method=method, number_of_dimensions=dimensions, warn_neg_eigval=False)
    coords = result.samples.to_numpy()[:, :dimensions]
    explained = [float(x) for x in result.proportion_explained.to_numpy()[:dimensions]]
    if coords.shape[1] < dimensions:
        coords = np.hstack([coords, np.zeros((n, dimensions - coords.shape[1]))])
        explained += [0.0] * (dimensions - len(explained))
    return coords, explained
