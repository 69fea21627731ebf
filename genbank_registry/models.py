"""Every table of the registry in one place, for Alembic's autogenerate and for scripts.

Each domain package owns its tables (`catalogue.models`, `accounts.models`, `jobs.models`, `search.models`,
`sequences.models`, `surveys.models`); importing this module registers all of them on the one metadata. Nothing
in those packages imports this module back.
"""
from __future__ import annotations

from genbank_registry.accounts.models import ApiToken, AuditEvent, PasswordReset, SignInThrottle, User, WebSession
from genbank_registry.base import metadata, utcnow
from genbank_registry.catalogue.models import (
    Accession,
    Characterization,
    ConservationAssessment,
    GeneFundTask,
    ImportBatch,
    Institution,
    Taxon,
    VernacularName,
)
from genbank_registry.jobs.models import ImportJob
from genbank_registry.search.models import AccessionIndex
from genbank_registry.sequences.models import SequenceRecord
from genbank_registry.surveys.models import SamplingEvent, SurveyOccurrence, SurveySummary

__all__ = ["Accession", "AccessionIndex", "ApiToken", "AuditEvent", "Characterization", "ConservationAssessment",
           "GeneFundTask", "ImportBatch", "ImportJob", "Institution", "PasswordReset", "SamplingEvent",
           "SequenceRecord", "SignInThrottle", "SurveyOccurrence", "SurveySummary", "Taxon", "User",
           "VernacularName", "WebSession", "metadata", "utcnow"]
