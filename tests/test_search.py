"""Catalogue search: diacritic-free matching, ranking, facets, suggestions, and the same answers on both engines."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from genbank_registry.db import make_engine
from genbank_registry.models import Accession, AccessionIndex
from genbank_registry.catalogue import records as catalogue
from genbank_registry.search.query import FACETS, SearchQuery, search
from genbank_registry.catalogue.stats import catalogue_counts
from schemas.text import fold, query_tokens, words


def found(session, q, **kw):
    result = search(session, SearchQuery(q=q, limit=200, **kw))
    return result, [f"{i.instcode}:{i.accenumb}" for i in result.items]


def names(result):
    return [i.name_vi for i in result.items]


def test_words_make_one_word_boundary_for_every_engine():
    assert words("CAY-0001 (Hồng xiêm)") == "cay 0001 hong xiem"
    assert words("Thủy") == words("Thuỷ") == "thuy"
    assert query_tokens("  Đinh  lăng, đinh ") == ["dinh", "lang"]


def test_search_ignores_diacritics_and_d_stroke(demo_session):
    result, _ = found(demo_session, "sam")
    assert result.total >= 2 and names(result)[0] == "Sâm bố chính"
    result, _ = found(demo_session, "dinh lang")
    assert result.total == 2 and set(names(result)) == {"Đinh lăng"}
    assert found(demo_session, "ĐINH LĂNG")[1] == found(demo_session, "dinh lang")[1]


def test_co_do_finds_the_accessions_collected_in_co_do(demo_session):
    result, keys = found(demo_session, "co do")
    in_co_do = demo_session.exec(select(AccessionIndex.accession_id).where(AccessionIndex.district == "925")).all()
    assert len(in_co_do) >= 3
    assert {i.id for i in result.items} >= set(in_co_do)


def test_thuy_finds_both_spellings(demo_session):
    for number, name in (("T-1", "Lúa Thủy Tiên"), ("T-2", "Lúa Thuỷ Tiên")):
        catalogue.upsert_accession(demo_session, {
            "instcode": "CTU", "accenumb": number, "category": "crop_variety", "taxon_name": "Oryza sativa",
            "accename": name, "publication_status": "published"})
    result, keys = found(demo_session, "thuy tien")
    assert keys[:2] == ["CTU:T-1", "CTU:T-2"] or keys[:2] == ["CTU:T-2", "CTU:T-1"]
    assert found(demo_session, "Thủy")[1] == found(demo_session, "thuy")[1] == found(demo_session, "Thuỷ")[1]


def test_exact_accession_number_comes_first(demo_session):
    _, keys = found(demo_session, "CTU:CAY-0001")
    assert keys == ["CTU:CAY-0001"]
    result, keys = found(demo_session, "cay-0001")
    exact = [k for k in keys if k.endswith(":CAY-0001")]
    assert len(exact) >= 2 and keys[:len(exact)] == exact


def test_names_rank_above_places(demo_session):
    # "lua" is a name (Lúa …) for rice and also begins places and institutions: names come first.
    result, _ = found(demo_session, "lua")
    ranks = [fold(i.name_vi).startswith("lua") for i in result.items]
    assert ranks[0] and ranks == sorted(ranks, reverse=True)


def test_synonyms_and_scientific_names_are_found(demo_session):
    assert found(demo_session, "orthosiphon stamineus")[0].total >= 1
    assert found(demo_session, "polyscias fruticosa")[0].total == 2


def test_drafts_and_sensitive_localities_are_never_found(demo_session):
    drafts = demo_session.exec(select(Accession).where(Accession.publication_status != "published")).all()
    assert drafts
    all_ids = {i.id for i in search(demo_session, SearchQuery(limit=200)).items}
    assert not all_ids & {d.id for d in drafts}
    for draft in drafts:
        assert draft.id not in {i.id for i in found(demo_session, draft.accenumb)[0].items}
    withheld = demo_session.exec(select(Accession).join(AccessionIndex, AccessionIndex.accession_id == Accession.id)
                                 .where(AccessionIndex.district.is_(None), Accession.commune.is_not(None))).all()
    assert withheld
    for acc in withheld:
        assert acc.id not in {i.id for i in found(demo_session, acc.commune)[0].items}


def test_facet_counts_agree_with_filters_and_withhold_sensitive_districts(demo_session):
    result = search(demo_session, SearchQuery(limit=1))
    assert sum(n for _, n in result.facets["category"]) == result.total
    # District counts treat category-1 records as withheld, as the home page does.
    assert dict(result.facets["district"]) == dict(catalogue_counts(demo_session).by_district)
    for facet in FACETS:
        for value, n in result.facets[facet.name]:
            if value is not None:
                assert search(demo_session, SearchQuery(filters={facet.name: value}, limit=1)).total == n, facet


def test_facets_narrow_a_text_search(demo_session):
    everything = search(demo_session, SearchQuery(q="lua", limit=200))
    value, n = everything.facets["district"][0]
    narrowed = search(demo_session, SearchQuery(q="lua", filters={"district": value}, limit=200))
    assert narrowed.total == n < everything.total
    assert all(i.district_code == value for i in narrowed.items)


def test_empty_result_suggests_the_nearest_names(demo_session):
    result = search(demo_session, SearchQuery(q="sm bo chin"))
    assert result.total == 0 and "Sâm bố chính" in result.suggestions
    assert "Đinh lăng" in search(demo_session, SearchQuery(q="dinh lnag")).suggestions


def test_sorting_and_pagination_are_stable(demo_session):
    full = [i.id for i in search(demo_session, SearchQuery(sort="name", limit=200)).items]
    pages = [i.id for off in range(0, len(full), 7)
             for i in search(demo_session, SearchQuery(sort="name", limit=7, offset=off)).items]
    assert pages == full
    by_name = search(demo_session, SearchQuery(sort="name", limit=200)).items
    keys = [fold(i.name_vi) for i in by_name]
    assert keys == sorted(keys)
    by_number = search(demo_session, SearchQuery(sort="accenumb", limit=200)).items
    assert [(i.instcode, i.accenumb) for i in by_number] == sorted((i.instcode, i.accenumb) for i in by_number)


def test_search_sees_new_changed_and_deleted_accessions(demo_session):
    """Also proves the FTS5 triggers survive every migration up to heads."""
    acc, _ = catalogue.upsert_accession(demo_session, {
        "instcode": "CTU", "accenumb": "NEW-1", "category": "medicinal_plant", "taxon_name": "Polyscias fruticosa",
        "accename": "Đinh lăng Kỳ Lân Bảo", "publication_status": "published"})
    demo_session.commit()
    assert found(demo_session, "ky lan bao")[1] == ["CTU:NEW-1"]
    catalogue.upsert_accession(demo_session, {
        "instcode": "CTU", "accenumb": "NEW-1", "category": "medicinal_plant", "taxon_name": "Polyscias fruticosa",
        "accename": "Đinh lăng lá to", "publication_status": "published"})
    demo_session.commit()
    assert found(demo_session, "ky lan bao")[0].total == 0
    assert found(demo_session, "dinh lang la to")[1][0] == "CTU:NEW-1"
    catalogue.upsert_accession(demo_session, {
        "instcode": "CTU", "accenumb": "NEW-1", "category": "medicinal_plant", "taxon_name": "Polyscias fruticosa",
        "accename": "Đinh lăng lá to", "publication_status": "withdrawn"})
    demo_session.commit()
    assert found(demo_session, "dinh lang la to")[0].total == 0
    demo_session.delete(demo_session.get(Accession, acc.id))
    demo_session.commit()
    assert found(demo_session, "new 1")[0].total == 0


QUERIES = ["sam", "dinh lang", "co do", "thuy", "lua", "ca", "cay-0001", "CTU:CAY-0001", "nang thom", "ca tra",
           "tr", "orthosiphon stamineus", "can tho", "0001", "gà", "tra", "xyzzy", ""]


def _answers(url: str) -> list:
    engine = make_engine(url)
    out = []
    try:
        with Session(engine) as session:
            for q in QUERIES:
                for sort in ("relevance", "name", "accenumb", "newest"):
                    r = search(session, SearchQuery(q=q, sort=sort, limit=200))
                    out.append((q, sort, r.total, r.whole_total, [(i.instcode, i.accenumb) for i in r.items],
                                r.suggestions))
                r = search(session, SearchQuery(q=q, filters={"category": "crop_variety"}, limit=200))
                out.append((q, "crop", r.total, r.whole_total, [(i.instcode, i.accenumb) for i in r.items],
                            {k: sorted(v, key=str) for k, v in r.facets.items()}))
    finally:
        engine.dispose()
    return out


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_results(_factories):
    sqlite, postgres = _factories("sqlite"), _factories("postgresql")
    urls = [sqlite.new("demo"), postgres.new("demo")]
    try:
        on_sqlite, on_postgres = (_answers(u) for u in urls)
    finally:
        sqlite.drop(urls[0])
        postgres.drop(urls[1])
    assert len(on_sqlite) == len(QUERIES) * 5
    for a, b in zip(on_sqlite, on_postgres):
        assert a == b, f"query {a[0]!r} sort {a[1]}"



def test_an_upgraded_catalogue_searches_and_counts_facets_as_a_freshly_indexed_one(demo_url):
    """0009_search_speed fills facet_values and the published-only full-text table for existing rows: a
    catalogue upgraded to it must answer exactly as one indexed by the current code."""
    from genbank_registry import migrate

    def answers():
        engine = make_engine(demo_url)
        with Session(engine) as s:
            out = [(r.total, [i.id for i in r.items], r.facets)
                   for r in (search(s, SearchQuery(q=q, limit=200)) for q in ("", "lua", "co do", "cay"))]
        engine.dispose()
        return out

    fresh = answers()
    migrate.downgrade(demo_url, "0008_procrastinate")
    migrate.upgrade(demo_url)
    assert answers() == fresh


def test_a_page_past_the_end_still_gives_the_total(demo_session):
    for q in ("", "lua"):
        first = search(demo_session, SearchQuery(q=q, filters={"category": "crop_variety"}, limit=5), facets=False)
        past = search(demo_session, SearchQuery(q=q, filters={"category": "crop_variety"}, limit=5,
                                                offset=first.total + 10), facets=False)
        assert first.total > 0 and past.total == first.total and past.items == []


def test_tier_by_tier_ranking_gives_the_same_pages_as_ranking_every_match(demo_session, monkeypatch):
    """SQLite ranks a broad search tier by tier from FTS5 (search._ranked_by_tier), or from the first rows of a
    category in name order (search._walk); the demo catalogue is too small to be broad, so every way is forced
    here and they must agree page by page, with filters and past page one."""
    import genbank_registry.search.ranking as search_module

    catalogue.upsert_accession(demo_session, {
        "instcode": "CTU", "accenumb": "LUA", "category": "crop_variety", "taxon_name": "Oryza sativa",
        "accename": "Nếp cái hoa vàng; Lúa thơm", "publication_status": "published"})
    demo_session.commit()

    def pages(tiered_from: int, walk_rows: int = search_module.WALK_ROWS) -> list:
        monkeypatch.setattr(search_module, "TIERED_FROM", tiered_from)
        monkeypatch.setattr(search_module, "WALK_ROWS", walk_rows)
        out = []
        for q in [*QUERIES, "lua", "lua thom", "rice", "oryza", "thom"]:
            for filters in ({}, {"category": "crop_variety"}, {"district": "925"}, {"storage": "12"}):
                for offset in (0, 3, 10):
                    for facets in (False, True):
                        r = search(demo_session, SearchQuery(q=q, filters=filters, limit=5, offset=offset),
                                   facets=facets)
                        out.append((q, filters, offset, r.total, r.whole_total, [i.id for i in r.items]))
        return out

    every_match = pages(10**9)
    # A window holding the whole filter set, one that holds some pages and not others, and none.
    assert pages(0) == pages(0, walk_rows=12) == pages(0, walk_rows=1) == every_match


def _has_whole_word(session, acc_id: int, word: str) -> bool:
    return word in session.get(AccessionIndex, acc_id).search_words.split()


def test_a_short_word_matches_whole_words_only(demo_session):
    """"cá" (fish) folds to "ca", which begins "cây", "Cần Thơ", "Cái Răng": words shorter than 3 letters match
    whole, so the fish come back and the rest of the catalogue does not."""
    every = demo_session.exec(select(AccessionIndex)).all()
    starting = [ix for ix in every if any(w.startswith("ca") for w in ix.search_words.split())]
    whole = {ix.accession_id for ix in every if "ca" in ix.search_words.split()}
    assert len(starting) > 2 * len(whole) > 0  # as a prefix, "ca" would find most of the demo catalogue
    for q in ("cá", "ca", "CÁ"):
        result, _ = found(demo_session, q)
        assert {i.id for i in result.items} == whole, q
        assert result.total == result.whole_total == len(whole) and result.prefix_total == 0
    result, _ = found(demo_session, "cá")
    assert "Cá tra" in names(result) and not any(fold(n).startswith("cay") for n in names(result))
    # A short word beside a long one is still whole: "ca tra" is the fish, not "cây … trà".
    result, _ = found(demo_session, "ca tra")
    assert set(names(result)) == {"Cá tra"}


def test_a_longer_word_lists_whole_word_matches_first_and_counts_them_apart(demo_session):
    result, _ = found(demo_session, "tra")
    assert result.whole_total > 0 and result.prefix_total > 0
    assert result.total == result.whole_total + result.prefix_total == len(result.items)
    whole = [_has_whole_word(demo_session, i.id, "tra") for i in result.items]
    assert whole == [True] * result.whole_total + [False] * result.prefix_total
    assert "Nấm trắng" in names(result)[result.whole_total:]  # "trang" only starts with "tra"
    # The facets count every match listed; the page of prefix matches follows the whole-word ones.
    assert sum(n for _, n in result.facets["category"]) == result.total
    rest = search(demo_session, SearchQuery(q="tra", limit=2, offset=result.whole_total))
    assert [i.id for i in rest.items] == [i.id for i in result.items][result.whole_total:result.whole_total + 2]
    assert (rest.total, rest.whole_total) == (result.total, result.whole_total)
    # Diacritics stay optional, and a word typed whole is whole whatever its marks.
    assert found(demo_session, "dinh lang")[0].whole_total == 2
    unfaceted = search(demo_session, SearchQuery(q="tra", limit=200), facets=False)
    assert (unfaceted.total, unfaceted.whole_total, unfaceted.items) == (result.total, result.whole_total,
                                                                         result.items)
