"""Public pages: catalogue search, accession, taxon, institution, task, about and map; bilingual, no JavaScript."""
from __future__ import annotations

import csv
import io
import re

from sqlmodel import Session, select

from genbank_registry.models import Accession, AccessionIndex, Institution, Taxon
from genbank_registry.catalogue.sensitivity import SensitivityResolver


def _accessions(client, where):
    with Session(client.app.state.engine) as session:
        resolver = SensitivityResolver(session)
        accs = session.exec(select(Accession, Institution.code)
                            .join(Institution, Institution.id == Accession.institution_id)).all()
        return [(a, code) for a, code in accs if where(a, resolver.accession_category(a))]


def test_search_page_finds_vietnamese_names_typed_without_diacritics(client):
    page = client.get("/catalogue?q=dinh+lang")
    assert page.status_code == 200
    result = page.context["result"]
    assert result.total == 2 and {i.name_vi for i in result.items} == {"Đinh lăng"}
    assert 'value="dinh lang"' in page.text
    assert '<span class="sci">Polyscias fruticosa</span>' in page.text
    assert "Tìm thấy 2 mẫu nguồn gen cho “dinh lang”" in page.text
    english = client.get("/catalogue?q=dinh+lang&lang=en")
    assert "2 accessions found for “dinh lang”" in english.text and "Ming aralia" in english.text


def test_facet_links_narrow_the_result_and_urls_are_shareable(client):
    page = client.get("/catalogue?q=lua")
    district = next(p for p in page.context["panels"] if p["name"] == "district")
    value = next(v for v in district["values"] if v["url"])
    assert value["url"].startswith("/catalogue?q=lua&district=")
    assert f'href="{value["url"].replace("&", "&amp;")}"' in page.text
    narrowed = client.get(value["url"])
    assert narrowed.context["result"].total == value["count"] < page.context["result"].total
    assert narrowed.context["query"].filters == {"district": value["value"]}
    chosen = next(p for p in narrowed.context["panels"] if p["name"] == "district")
    assert [v["selected"] for v in chosen["values"] if v["value"] == value["value"]] == [True]
    # The same URL gives the same page to anyone (no session state).
    assert client.get(value["url"]).context["result"].items == narrowed.context["result"].items


def test_sort_and_pagination_links(client):
    page = client.get("/catalogue?sort=accenumb")
    assert page.context["pages"] > 1 and 'rel="next"' in page.text
    second = client.get("/catalogue?sort=accenumb&page=2")
    first_ids = {i.id for i in page.context["result"].items}
    assert not first_ids & {i.id for i in second.context["result"].items}
    assert 'href="/catalogue?sort=accenumb&amp;page=2"' in page.text
    assert client.get("/catalogue?page=abc&sort=nonsense").status_code == 200


def test_empty_result_offers_suggestions(client):
    page = client.get("/catalogue?q=sm+bo+chin")
    assert page.context["result"].total == 0
    assert 'data-testid="suggestion"' in page.text and "Sâm bố chính" in page.text


def test_csv_download_holds_the_current_result_as_public_forms(client):
    page = client.get("/catalogue?category=aquatic")
    response = client.get(page.context["csv_url"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == page.context["result"].total
    assert {r["category"] for r in rows} == {"aquatic"}
    assert "collector_names" not in rows[0] and "private_remarks" not in rows[0]
    assert "Ghi chú nội bộ" not in response.text  # the demo's private remarks
    for acc, code in _accessions(client, lambda a, cat: cat == 1 and a.category == "aquatic" and a.publication_status == "published"):
        row = next(r for r in rows if r["accenumb"] == acc.accenumb and r["instcode"] == code)
        assert row["declatitude"] == "" and row["commune"] == "" and row["district_code"] == ""


def test_accession_page_groups_passport_data_with_citation_and_qr(client):
    page = client.get("/accessions/CTU/CAY-0001")
    assert page.status_code == 200
    acc = page.context["acc"]
    assert acc.accenumb == "CAY-0001" and page.context["sequences"] == []
    assert page.context["permanent_url"] == "https://nguongen.cantho.example/accessions/CTU/CAY-0001"
    for section in ("identity", "taxon", "origin", "storage", "characterization", "task", "citation", "qr"):
        assert f'data-testid="{section}"' in page.text, section
    assert page.context["qr_svg"].startswith("<svg") and "<path" in page.context["qr_svg"]
    assert "https://nguongen.cantho.example/accessions/CTU/CAY-0001" in page.text
    assert "17/12/2022" in page.text  # collecting date, dd/mm/yyyy
    assert "Phạm Minh Khoa" not in page.text and "Ghi chú nội bộ" not in page.text


def test_without_a_base_url_links_name_the_address_the_page_was_asked_at(demo_url):
    """GENBANK_REGISTRY_BASE_URL unset (the default): a server on port 8101 links to port 8101, not 8000."""
    from genbank_registry.settings import Settings

    from .conftest import web_client

    assert Settings().base_url is None
    with web_client(demo_url) as client:
        for base in ("http://127.0.0.1:8101", "https://registry.example"):
            client.base_url = base
            page = client.get("/accessions/CTU/CAY-0001")
            assert page.context["permanent_url"] == f"{base}/accessions/CTU/CAY-0001"
            assert f"{base}/accessions/CTU/CAY-0001" in page.text  # the citation
            assert f"<loc>{base}/accessions/CTU/CAY-0001</loc>" in client.get("/sitemap.xml").text
            assert f"Sitemap: {base}/sitemap.xml" in client.get("/robots.txt").text


def test_qr_code_encodes_the_permanent_url(client):
    import qrcode

    svg = client.get("/accessions/CTU/CAY-0001").context["qr_svg"]
    qr = qrcode.QRCode(border=2)
    qr.add_data("https://nguongen.cantho.example/accessions/CTU/CAY-0001")
    qr.make(fit=True)
    # Same data, same symbol: the module count of the drawn code matches the encoder's.
    size = re.search(r'viewBox="0 0 ([\d.]+) ', svg)
    assert size and float(size.group(1)) == (qr.modules_count + 4) * 8 / 10


def test_sensitive_accession_pages_show_no_exact_locality(client):
    for acc, code in _accessions(client, lambda a, cat: cat is not None and a.publication_status == "published"):
        page = client.get(f"/accessions/{code}/{acc.accenumb}")
        assert page.status_code == 200
        assert 'data-testid="withheld"' in page.text
        if acc.declatitude is not None:
            assert str(acc.declatitude) not in page.text
        if acc.collsite:
            assert acc.collsite not in page.text


def test_drafts_are_answered_like_missing_records(client):
    drafts = _accessions(client, lambda a, cat: a.publication_status != "published")
    assert drafts
    for acc, code in drafts:
        page = client.get(f"/accessions/{code}/{acc.accenumb}")
        assert page.status_code == 404 and "Không tìm thấy trang" in page.text


def test_taxon_page_lists_names_synonyms_statuses_and_accessions(client):
    with Session(client.app.state.engine) as session:
        taxon = session.exec(select(Taxon).where(Taxon.scientific_name == "Orthosiphon aristatus")).one()
        fish = session.exec(select(Taxon).where(Taxon.scientific_name == "Pangasianodon gigas")).one()
    page = client.get(f"/taxa/{taxon.id}")
    assert page.status_code == 200
    assert [s.scientific_name for s in page.context["synonyms"]] == ["Orthosiphon stamineus"]
    assert page.context["accessions"].total >= 1 and "Râu mèo" in page.text
    page = client.get(f"/taxa/{fish.id}")
    assert {a.scheme for a in page.context["taxon"].assessments} >= {"iucn", "cites"}
    assert 'class="badge badge-status"' in page.text
    assert client.get("/taxa/999999").status_code == 404


def test_institution_page_shows_no_private_contacts(client):
    page = client.get("/institutions/CTU")
    assert page.status_code == 200 and page.context["inst"].code == "CTU"
    assert "@example.invalid" not in page.text and "contact" not in page.text.lower()
    assert page.context["result"].total > 0
    assert "Trường Đại học Cần Thơ" in client.get("/institutions").text


def test_task_page_and_about_page(client):
    tasks = client.get("/tasks")
    code = re.search(r'href="/tasks/([^"]+)"', tasks.text).group(1)
    page = client.get(f"/tasks/{code}")
    assert page.status_code == 200 and page.context["task"].code == code
    assert 'class="stages"' in page.text
    about = client.get("/about?lang=en")
    assert "What is never published" in about.text


def test_map_is_offline_and_plots_only_public_points(client):
    page = client.get("/map")
    assert page.status_code == 200 and "<svg" in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text)  # no tiles, no CDN
    with Session(client.app.state.engine) as session:
        public = session.exec(select(AccessionIndex)).all()
    drawn = sum(p.n for p in page.context["points"])
    assert drawn + page.context["without"] + page.context["outside"] == len(public)
    assert page.context["without"] >= len([r for r in public if r.district is None])
    exact = {(a.declatitude, a.declongitude) for a, _ in _accessions(client, lambda a, cat: cat is not None)}
    assert not exact & {(p.lat, p.lon) for p in page.context["points"]}
    narrowed = client.get("/map?district=925")
    assert sum(p.n for p in narrowed.context["points"]) < drawn
    # The base is the city since 01/07/2025: its 103 communes and wards, with the layer's attribution.
    uids = re.findall(r'<path d="M[^"]+" data-uid="(2025:\d+)"', page.text)
    assert len(uids) == len(set(uids)) == 103
    assert "lamngockhuong/vietnam-3d-map" in page.text and "gis.vn" in page.text
    assert len(page.text) < 150_000  # the drawing is simplified, not the full layer


def test_pages_work_without_javascript_and_switch_language_in_place(client):
    for url in ("/", "/catalogue?q=sam", "/accessions/CTU/CAY-0001", "/map", "/about", "/tasks", "/institutions"):
        page = client.get(url)
        assert page.status_code == 200 and "<script" not in page.text, url
    page = client.get("/catalogue?q=sam&category=medicinal_plant")
    assert 'href="/catalogue?q=sam&amp;category=medicinal_plant&amp;lang=en"' in page.text


def test_home_shows_recent_additions_and_a_search_box(client):
    page = client.get("/")
    assert len(page.context["recent"]) == 6
    assert 'action="/catalogue"' in page.text and 'data-testid="recent"' in page.text


def test_error_pages_are_bilingual(client):
    from fastapi.testclient import TestClient

    def boom():
        raise RuntimeError("a bug")

    client.app.add_api_route("/boom", boom)
    client.app.add_api_route("/api/v1/boom", boom)
    quiet = TestClient(client.app, raise_server_exceptions=False)
    vi, en = quiet.get("/boom"), quiet.get("/boom?lang=en")
    assert vi.status_code == en.status_code == 500
    assert "Đã xảy ra lỗi" in vi.text and "Something went wrong" in en.text and "a bug" not in en.text
    api = quiet.get("/api/v1/boom")
    assert api.status_code == 500 and api.json()["code"] == 500 and "a bug" not in api.text
    page = client.get("/accessions/CTU/does-not-exist?lang=en")
    assert page.status_code == 404 and "Page not found" in page.text


def test_sitemap_lists_public_pages_only(client):
    from sqlmodel import Session, select

    from genbank_registry.models import Accession, Institution
    xml = client.get("/sitemap.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    with Session(client.app.state.engine) as session:
        rows = session.exec(select(Accession, Institution.code).join(Institution,
                                                                    Institution.id == Accession.institution_id)).all()
    for acc, code in rows:
        listed = f"/accessions/{code}/{acc.accenumb}</loc>" in xml.text
        assert listed == (acc.publication_status == "published"), (code, acc.accenumb, acc.publication_status)
    assert "Sitemap: https://nguongen.cantho.example/sitemap.xml" in client.get("/robots.txt").text


def test_search_page_tells_whole_word_matches_from_prefix_matches(client):
    page = client.get("/catalogue?q=tra")
    result = page.context["result"]
    split = page.text.split('data-testid="match-split">')[1].split("</p>")[0]
    assert result.whole_total > 1 and result.prefix_total == 1
    assert split == (f"{result.whole_total} kết quả khớp cả từ · "
                     f"{result.prefix_total} kết quả khớp tiền tố (từ bắt đầu bằng từ khóa)")
    english = client.get("/catalogue?q=tra&lang=en").text
    assert f"{result.whole_total} whole-word matches · 1 more starts with the word" in english
    fish = client.get("/catalogue?q=c%C3%A1&lang=en")
    assert 'data-testid="match-split"' not in fish.text
    assert "“cá” is shorter than 3 letters: only the whole word is matched." in fish.text.replace("&#34;", '"')
