"""JSON API under /api/v1: the page's search as JSON, detail routes, public forms only, errors as JSON."""
from __future__ import annotations

from sqlmodel import Session, select

from genbank_registry.models import Accession, Institution


def test_search_api_matches_the_search_page(client):
    api = client.get("/api/v1/accessions", params={"q": "dinh lang"}).json()
    assert api["total"] == 2 and {i["name_vi"] for i in api["items"]} == {"Đinh lăng"}
    page = client.get("/catalogue?q=dinh+lang").context["result"]
    assert [i["id"] for i in api["items"]] == [i.id for i in page.items]
    filtered = client.get("/api/v1/accessions", params={"q": "lua", "district": "925", "category": "crop_variety"})
    page = client.get("/catalogue?q=lua&district=925&category=crop_variety").context["result"]
    assert filtered.json()["total"] == page.total and all(i["district_code"] == "925" for i in filtered.json()["items"])


def test_search_api_pagination_and_facets(client):
    first = client.get("/api/v1/accessions", params={"limit": 5, "sort": "accenumb"}).json()
    second = client.get("/api/v1/accessions", params={"limit": 5, "offset": 5, "sort": "accenumb"}).json()
    assert first["total"] == second["total"] > 10 and len(first["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert first["facets"] == {}
    with_facets = client.get("/api/v1/accessions", params={"facets": "true"}).json()
    assert sum(v["count"] for v in with_facets["facets"]["category"]) == with_facets["total"]


def test_search_api_never_returns_drafts_or_private_fields(client):
    everything = client.get("/api/v1/accessions", params={"limit": 200}).json()
    with Session(client.app.state.engine) as session:
        published = session.exec(select(Accession).where(Accession.publication_status == "published")).all()
    assert everything["total"] == len(published)
    text = str(everything)
    assert "collector" not in text and "private" not in text and "Ghi chú nội bộ" not in text


def test_accession_detail_by_number_and_id(client):
    by_number = client.get("/api/v1/accessions/CTU/CAY-0001")
    assert by_number.status_code == 200
    body = by_number.json()
    assert body["accenumb"] == "CAY-0001" and "collector_names" not in body and "private_remarks" not in body
    assert client.get(f"/api/v1/accessions/{body['id']}").json() == body
    with Session(client.app.state.engine) as session:
        draft, code = session.exec(select(Accession, Institution.code)
                                   .join(Institution, Institution.id == Accession.institution_id)
                                   .where(Accession.publication_status == "draft")).first()
    for url in (f"/api/v1/accessions/{code}/{draft.accenumb}", f"/api/v1/accessions/{draft.id}"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"code": 404, "message": "accession not found"}


def test_taxa_institutions_and_tasks(client):
    taxa = client.get("/api/v1/taxa", params={"limit": 500}).json()
    assert taxa["total"] == len(taxa["items"]) > 100
    fish = next(t for t in taxa["items"] if t["scientific_name"] == "Pangasianodon gigas")
    assert fish["sensitivity_category"] is not None and fish["assessments"]
    assert client.get(f"/api/v1/taxa/{fish['id']}").json()["scientific_name"] == "Pangasianodon gigas"
    institutions = client.get("/api/v1/institutions").json()
    assert {i["code"] for i in institutions} >= {"CTU"}
    assert all("contact_email" not in i and "contact_person" not in i for i in institutions)
    assert client.get("/api/v1/institutions/ctu").json()["code"] == "CTU"
    tasks = client.get("/api/v1/tasks").json()
    assert client.get(f"/api/v1/tasks/{tasks[0]['code']}").json()["code"] == tasks[0]["code"]
    assert client.get("/api/v1/tasks/NOPE").json() == {"code": 404, "message": "gene-fund task not found"}


def test_bad_parameters_are_json_errors_and_openapi_is_published(client):
    response = client.get("/api/v1/accessions", params={"limit": 5000})
    assert response.status_code == 422
    assert response.json()["code"] == 422 and "limit" in response.json()["message"]
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/accessions", "/api/v1/accessions/{instcode}/{accenumb}", "/api/v1/taxa",
            "/api/v1/institutions", "/api/v1/tasks"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_search_api_counts_whole_word_matches_apart_from_prefix_matches(client):
    short = client.get("/api/v1/accessions", params={"q": "cá", "limit": 200}).json()
    assert short["total"] == short["whole_word_total"] == len(short["items"]) > 0 and short["prefix_total"] == 0
    assert all(i["name_vi"].lower().startswith(("cá", "cà")) for i in short["items"])
    longer = client.get("/api/v1/accessions", params={"q": "tra", "limit": 200}).json()
    assert longer["whole_word_total"] > 0 and longer["prefix_total"] > 0
    assert longer["total"] == longer["whole_word_total"] + longer["prefix_total"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AccessionSearchPublic"]["properties"]
    assert {"whole_word_total", "prefix_total"} <= set(schema)
