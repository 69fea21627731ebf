"""Jinja2 environment: gettext, dd/mm/yyyy dates, per-language numbers and code-list labels."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates

from schemas import codes
from schemas.accounts import ROLE_LABELS
from schemas.dates import format_date, format_partial_date
from schemas.places import district_name

from . import i18n

TEMPLATES = Path(__file__).parent / "templates"


def label(table: dict, code, lang: str) -> str:
    item = table.get(code)
    if item is None:
        try:
            item = table.get(int(code))
        except (TypeError, ValueError):
            item = None
    return item.get(lang) if item is not None else ("" if code is None else str(code))


def _missing_csrf():
    # A form rendered without its token would be refused on submit: fail where the page is built instead.
    raise RuntimeError("a form was rendered without its CSRF token: pass csrf_token to the csrf() macro")


def build_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             extensions=["jinja2.ext.i18n"])
    templates = Jinja2Templates(env=env)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters["number"] = lambda v, decimals=None: i18n.format_number(v, decimals=decimals)
    env.filters["status"] = i18n.status_label
    env.filters["unit"] = i18n.unit_label
    env.globals["tr"] = i18n.translate
    env.filters["date"] = lambda v: format_date(v)
    env.filters["partial_date"] = lambda v: format_partial_date(v)
    env.globals["codes"] = codes
    env.globals["label"] = label
    env.globals["role_labels"] = ROLE_LABELS
    env.globals["raise_missing_csrf"] = _missing_csrf
    env.globals["district_name"] = district_name
    return templates


def render(request: Request, name: str, context: dict, status_code: int = 200):
    """Render in the request's language; the lang cookie is refreshed by the middleware."""
    i18n.set_language(request.state.lang)
    templates: Jinja2Templates = request.app.state.templates
    web_user = getattr(request.state, "web_user", None)
    other = "en" if request.state.lang == "vi" else "vi"
    # The switch keeps the page and its search: a shared link with ?lang=en opens in English.
    switch = request.url.path + "?" + urlencode([*((k, v) for k, v in request.query_params.multi_items()
                                                   if k != "lang"), ("lang", other)])
    base = {"lang": request.state.lang, "other_lang": other, "lang_switch_url": switch,
            "settings": request.app.state.settings,
            "current_user": web_user[0] if web_user else None,
            "csrf_token": web_user[1].csrf_token if web_user else None}
    return templates.TemplateResponse(request, name, base | context, status_code=status_code)
