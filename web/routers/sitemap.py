"""sitemap.xml and robots.txt for search engines: public pages only, read from the public search index, so a
draft or withdrawn record can never be listed."""
from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import select

from genbank_registry.models import GeneFundTask, Institution
from genbank_registry.search.models import AccessionIndex

from ..deps import PublicBaseDep, SessionDep

router = APIRouter(include_in_schema=False)
STATIC_PAGES = ("/", "/catalogue", "/map", "/reports", "/tasks", "/institutions", "/downloads", "/about")


@router.get("/sitemap.xml")
def sitemap(session: SessionDep, base: PublicBaseDep):
    paths = list(STATIC_PAGES)
    rows = session.exec(select(AccessionIndex.instcode, AccessionIndex.accenumb, AccessionIndex.taxon_id)
                        .order_by(AccessionIndex.instcode, AccessionIndex.accenumb)).all()
    paths += [f"/accessions/{quote(inst)}/{quote(number)}" for inst, number, _ in rows]
    paths += [f"/taxa/{tid}" for tid in sorted({t for _, _, t in rows if t})]
    public_institutions = {inst for inst, _, _ in rows}
    paths += [f"/institutions/{quote(code)}" for code in session.exec(select(Institution.code).order_by(Institution.code))
              if code in public_institutions]
    paths += [f"/tasks/{quote(code)}" for code in session.exec(select(GeneFundTask.code).order_by(GeneFundTask.code))]
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<url><loc>{escape(base + p)}</loc></url>" for p in paths]
    body.append("</urlset>")
    return Response("\n".join(body) + "\n", media_type="application/xml")


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(base: PublicBaseDep):
    return ("User-agent: *\nDisallow: /curation\nDisallow: /imports\nDisallow: /sign-in\n"
            f"Sitemap: {base}/sitemap.xml\n")
