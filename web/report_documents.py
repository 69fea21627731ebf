"""What the report pages and their PDFs show: one context per report, rendered into a page or a PDF.

The PDF is the same body as the page in a print layout, laid out by WeasyPrint with DejaVu Sans (full
Vietnamese coverage). Only aggregates appear: no coordinates, so no sensitive locality can leak.
"""
from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from genbank_registry.catalogue import genefund_reports
from schemas.surveys import DiversityReportPublic, GroupBy

from . import charts, i18n
from .templating import TEMPLATES, build_templates

MAX_CHART_GROUPS = 40
MAX_CURVES = 12
PRINT_CSS = Path(__file__).parent / "static" / "reports-print.css"


def by_label(by: str) -> str:
    _ = i18n.gettext
    return {GroupBy.DISTRICT: _("historical district"), GroupBy.COMMUNE: _("commune or ward"),
            GroupBy.SITE: _("survey site"), GroupBy.HABITAT: _("habitat"), GroupBy.YEAR: _("year")}[GroupBy(by)]


def diversity_context(report: DiversityReportPublic) -> dict:
    _ = i18n.gettext
    groups = report.groups[:MAX_CHART_GROUPS]
    what = by_label(report.by)
    richness = charts.bar_chart(
        [(g.label, g.richness, None, None) for g in groups],
        _("Observed species richness by %(by)s") % {"by": what},
        _("Number of taxa counted in each group; the table beside gives every index."))
    chao = charts.bar_chart(
        [(g.label, g.chao1 or 0, g.chao1_lower, g.chao1_upper) for g in groups],
        _("Estimated richness (Chao1, bias-corrected) with 95% interval"),
        _("Chao1 estimates how many taxa a complete census would find; whiskers show the 95% interval."),
        color=charts.PALETTE[2], number=lambda v: i18n.format_number(v, decimals=1))
    shannon = charts.bar_chart(
        [(g.label, g.shannon or 0, None, None) for g in groups],
        _("Shannon diversity H′ (natural log) by %(by)s") % {"by": what},
        _("Shannon index in nats: higher means more taxa, more evenly represented."),
        color=charts.PALETTE[3], number=lambda v: i18n.format_number(v, decimals=2))
    curves = [(g.label, [(p.individuals, p.richness, p.lower, p.upper) for p in report.rarefaction.get(g.key, [])])
              for g in report.groups[:MAX_CURVES]]
    rarefaction = charts.line_chart(
        curves, _("Rarefaction curves"),
        _("Expected number of taxa against the number of individuals counted, with the 95% interval shaded; "
          "compare groups at the same number of individuals."),
        _("individuals"), _("expected taxa"))
    ordination = None
    if report.pcoa:
        labels = {g.key: g.label for g in report.groups}
        ax = report.pcoa_explained
        ordination = charts.scatter(
            [(labels[g.key], xy[0], xy[1]) for g, xy in zip(report.groups, report.pcoa)],
            _("Ordination (PCoA of Bray–Curtis dissimilarity)"),
            _("Groups close together hold similar taxa in similar numbers."),
            _("axis 1 (%(p)s%%)") % {"p": i18n.format_number(100 * ax[0], decimals=0)},
            _("axis 2 (%(p)s%%)") % {"p": i18n.format_number(100 * ax[1], decimals=0)})
    return {"report": report, "by_label": what, "charts": {"richness": richness, "chao1": chao,
                                                            "shannon": shannon, "rarefaction": rarefaction,
                                                            "ordination": ordination},
            "groups_truncated": len(report.groups) > MAX_CHART_GROUPS,
            "curves_truncated": len(report.groups) > MAX_CURVES,
            "show_matrices": 2 <= len(report.groups) <= 30}


def coverage_context(session: Session, lang: str) -> dict:
    _ = i18n.gettext
    cov = genefund_reports.threatened_coverage(session)
    breakdowns = genefund_reports.accession_breakdowns(session)
    records, by_inst = genefund_reports.passport_completeness(session)
    coverage_chart = charts.bar_chart(
        [(_("conserved"), len(cov.covered), None, None), (_("gaps"), len(cov.gaps), None, None)],
        _("Threatened taxa with and without a conserved accession"),
        _("Taxa with a Vietnamese or IUCN threat status: how many have at least one published accession."))
    names = {"category": _("By category"), "district": _("By district (before 01/07/2025)"),
             "storage": _("By storage type"), "lifecycle_stage": _("By lifecycle stage"),
             "task": _("By gene-fund task"), "year": _("By year collected")}
    breakdown_charts = {}
    for b in breakdowns:
        breakdown_charts[b.name] = charts.bar_chart(
            [(key if b.name == "task" else (en if lang == "en" else vi), n, None, None) for key, vi, en, n in b.rows],
            names[b.name], _("Published accessions in each group; the table beside gives the numbers."))
    completeness_chart = charts.bar_chart(
        [(code, score, None, None) for code, _name, _n, score in by_inst],
        _("Passport completeness by institution (0–10)"),
        _("Mean completeness of the passport data of each institution's published accessions."),
        number=lambda v: i18n.format_number(v, decimals=1))
    return {"status_label": genefund_reports.status_label, "cov": cov, "breakdowns": breakdowns, "breakdown_names": names, "breakdown_charts": breakdown_charts,
            "coverage_chart": coverage_chart, "completeness_chart": completeness_chart, "by_inst": by_inst,
            "records": records}


def render_document(body: str, title: str, context: dict, lang: str) -> str:
    i18n.set_language(lang)
    env = build_templates().env
    base = {"lang": lang, "title": title, "body": body, "css": PRINT_CSS.read_text(encoding="utf-8")}
    return env.get_template("reports/print.html").render(base | context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on demand: it loads Pango, which pages without PDFs do not need

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def diversity_pdf(report: DiversityReportPublic, lang: str = "vi") -> bytes:
    i18n.set_language(lang)
    title = i18n.gettext("Species diversity by %(by)s") % {"by": by_label(report.by)}
    if report.year:
        title += f", {report.year}"
    return html_to_pdf(render_document("reports/_diversity_body.html", title, diversity_context(report), lang))


def coverage_pdf(session: Session, lang: str = "vi") -> bytes:
    i18n.set_language(lang)
    title = i18n.gettext("Gene-fund coverage and passport completeness")
    return html_to_pdf(render_document("reports/_coverage_body.html", title, coverage_context(session, lang), lang))

