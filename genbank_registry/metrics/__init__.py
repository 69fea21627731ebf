"""Diversity metrics as pure functions over count vectors (numpy), checked against scikit-bio in the tests.

No database here: services build the vectors, these functions only compute. Logarithms are natural (Shannon
in nats), as scikit-bio ≥ 0.6.1 uses by default.
"""
from genbank_registry.metrics.alpha import (chao1, chao1_ci, goods_coverage, inverse_simpson, observed_richness, pielou, shannon,
                    simpson, summarise)
from genbank_registry.metrics.beta import bray_curtis, jaccard, pcoa
from genbank_registry.metrics.rarefaction import RarefactionCurve, effort_warnings, rarefaction_curve, rarefied_richness

__all__ = ["RarefactionCurve", "bray_curtis", "chao1", "chao1_ci", "effort_warnings", "goods_coverage",
           "inverse_simpson", "jaccard", "observed_richness", "pcoa", "pielou", "rarefaction_curve",
           "rarefied_richness", "shannon", "simpson", "summarise"]
