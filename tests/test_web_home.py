"""The home page: real counts from the database, Vietnamese first, English by a remembered switch."""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.models import Accession


def test_home_counts_published_accessions_only(client):
    response = client.get("/")
    assert response.status_code == 200
    counts = response.context["counts"]
    with Session(client.app.state.engine) as session:
        accs = session.exec(select(Accession)).all()
    published = [a for a in accs if a.publication_status == "published"]
    assert counts.accessions == len(published) < len(accs)
    assert sum(n for _, n in counts.by_category) == len(published)
    assert sum(n for _, n in counts.by_district) == len(published)
    assert response.context["demo"] is True
    assert 'data-testid="demo-notice"' in response.text
    assert f'<span class="n">{len(published)}</span>' in response.text


def test_home_is_vietnamese_by_default_and_english_on_request(client):
    vi = client.get("/")
    assert '<html lang="vi">' in vi.text
    assert "Quỹ gen thành phố Cần Thơ" in vi.text and "Theo nhóm nguồn gen" in vi.text
    assert "Cờ Đỏ" in vi.text  # district names in Vietnamese
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text
    assert "The gene fund of Cần Thơ city" in en.text and "By category" in en.text
    assert en.cookies.get("lang") == "en" or client.cookies.get("lang") == "en"
    remembered = client.get("/")
    assert '<html lang="en">' in remembered.text
    back = client.get("/?lang=vi")
    assert '<html lang="vi">' in back.text


def test_home_never_shows_a_sensitive_district(client):
    counts = client.get("/").context["counts"]
    withheld = dict(counts.by_district).get(None, 0)
    assert withheld >= 3  # the Decree 37/2024 group I fish


def test_not_found_is_bilingual_and_api_errors_are_json(client):
    page = client.get("/does-not-exist")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.text
    assert "Page not found" in client.get("/does-not-exist?lang=en").text
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.json() == {"code": 404, "message": "Not Found"}


def test_numbers_and_dates_follow_the_language():
    from web.i18n import format_number
    assert format_number(1234567.89, "vi") == "1.234.567,89"
    assert format_number(1234567.89, "en") == "1,234,567.89"
