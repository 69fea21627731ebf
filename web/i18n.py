"""Vietnamese first, English by choice. UI strings are English msgids in gettext catalogues read with Babel."""
from __future__ import annotations

import contextvars
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations

from schemas.messages import Message, N_, is_message_dict

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


def _locale(lang: str | None) -> str:
    return "vi_VN" if (lang or _current.get()) == "vi" else "en_US"


def format_number(value, lang: str | None = None, decimals: int | None = None) -> str:
    """1.234.567,89 in Vietnamese, 1,234,567.89 in English: the one path every number on a page takes.

    `decimals` fixes the places (a column of indices: 1,234 / 0,500 in Vietnamese); without it a number keeps
    its own, up to three."""
    if value is None:
        return ""
    if decimals is None:
        return format_decimal(value, locale=_locale(lang))
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(lang), decimal_quantization=True)


def translate(message, lang: str | None = None) -> str:
    """A message from the core in the reader's language: a `Message`, its stored dict, or a plain string (looked
    up as a msgid, shown as it is when the catalogue has no such entry). Numbers in it are formatted by locale."""
    if message is None:
        return ""
    if is_message_dict(message):
        message = Message.from_dict(message)
    tr = translations(lang or _current.get())
    if not isinstance(message, Message):
        return tr.gettext(str(message))
    params = {k: _param(v, lang) for k, v in message.params.items()}
    return tr.gettext(message.msgid) % params


def _param(value, lang):
    if isinstance(value, Message) or is_message_dict(value):
        return translate(value, lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return format_number(value, lang=lang)


# Words the core stores as codes, shown translated (N_ marks them for extraction).
STATUS_LABELS = {"queued": N_("queued"), "running": N_("running"), "completed": N_("completed"),
                 "failed": N_("failed"), "aborted": N_("aborted"),
                 "interrupted": N_("interrupted")}
# Units of sampling effort (Darwin Core sampleSizeUnit) the survey sheets use; any other unit is shown as written.
UNIT_LABELS = {"hour": N_("hour"), "hours": N_("hour"), "minute": N_("minute"), "minutes": N_("minute"),
               "day": N_("day"), "days": N_("day"), "net haul": N_("net haul"), "haul": N_("net haul"),
               "trap night": N_("trap night"), "trap": N_("trap"), "transect": N_("transect"),
               "sample": N_("sample"), "m2": N_("m²"), "m²": N_("m²"), "m3": N_("m³"), "km": N_("km"),
               "m": N_("m")}


def status_label(status) -> str:
    """queued / running / completed / failed / aborted / interrupted in the reader's language."""
    return translate(STATUS_LABELS.get(str(status), str(status or "")))


def unit_label(unit) -> str:
    if not unit:
        return ""
    known = UNIT_LABELS.get(str(unit).strip().lower())
    return translate(known) if known is not None else str(unit)
