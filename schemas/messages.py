"""Sentences for people that cross layers: an English msgid with its parameters, translated where it is shown.

The core and the importers cannot import the web, where the catalogue lives, so they say `N_("the file %(f)s
is empty", f=name)`: a `Message`, a str holding the English sentence (what the CLI, logs and `str(exc)` show)
that also remembers its msgid and parameters, so the web renders it in the reader's language
(`web.i18n.translate`). Stored in JSON (a job's error, an import report) it is `as_dict()`; `N_` is the
keyword Babel extracts the msgids by (babel.cfg scans schemas/, genbank_registry/ and importers/ too).
"""
from __future__ import annotations

from typing import Any


class Message(str):
    """`str(m)` is the English sentence; `m.msgid` and `m.params` let a translator say it again."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> "Message":
        params = dict(params or {})
        self = super().__new__(cls, msgid % {k: _english(v) for k, v in params.items()})
        self.msgid, self.params = msgid, params
        return self

    def as_dict(self) -> dict:
        """JSON-ready: {"msgid": ..., "params": {...}}, nested messages as dicts too."""
        return {"msgid": self.msgid,
                "params": {k: v.as_dict() if isinstance(v, Message) else v for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "Message":
        params = {k: cls.from_dict(v) if is_message_dict(v) else v for k, v in (data.get("params") or {}).items()}
        return cls(data["msgid"], params)

    def __reduce__(self):  # pickles (worker processes) keep the msgid
        return (Message, (self.msgid, self.params))


def _english(value):
    return str(value) if isinstance(value, Message) else value


def is_message_dict(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("msgid"), str)


def N_(msgid: str, **params) -> Message:
    """Mark `msgid` for translation and fill in its %(name)s parameters; the web translates it when shown."""
    return Message(msgid, params)


def as_dict(text) -> dict | None:
    """A Message's JSON form; None for a plain string (shown as it is, or looked up as a msgid)."""
    return text.as_dict() if isinstance(text, Message) else None


def message_of(exc: BaseException) -> Message | str:
    """The Message an exception was raised with (`raise X(N_(...))`), else its English text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else (str(exc) or exc.__class__.__name__)
