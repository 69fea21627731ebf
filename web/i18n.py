"""Vietnamese first, English by choice. UI strings are English msgids in gettext catalogues read with Babel."""
from __future__ import annotations

import contextvars
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT = "vi"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=DEFAULT)


class _CatalogTranslations(NullTranslations):
    """Translations straight from a .po file: no compile step for a new clone to forget."""

    def __init__(self, catalog):
        super().__init__()
        # Plural entries are keyed by their singular msgid, which is what ngettext is asked for.
        self._messages = {(m.id[0] if isinstance(m.id, (tuple, list)) else m.id): m.string
                          for m in catalog if m.id and m.string and not m.fuzzy}

    def gettext(self, message):
        return self._messages.get(message, message)

    def ngettext(self, singular, plural, n):
        msg = self._messages.get(singular)
        if isinstance(msg, (tuple, list)):
            return msg[0]
        return msg or (singular if n == 1 else plural)


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with open(po, "rb") as f:
        return _CatalogTranslations(read_po(f, locale=lang))


def set_language(lang: str) -> None:
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def format_number(value, lang: str | None = None) -> str:
    """1.234.567,89 in Vietnamese, 1,234,567.89 in English."""
    if value is None:
        return ""
    return format_decimal(value, locale="vi_VN" if (lang or _current.get()) == "vi" else "en_US")
