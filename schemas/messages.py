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
        # Without parameters the msgid is the sentence (a table of msgids whose parameters come later).
        text = msgid % {k: _english(v) for k, v in params.items()} if params else msgid
        self = super().__new__(cls, text)
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


# pydantic's own error types, said again as msgids (its `msg` is English only). The parameters come from the
# error's `ctx`; numbers stay numbers, so the web formats them by locale. Types not listed keep pydantic's text.
# N_ here only marks the msgids for Babel: a Message without parameters is its msgid.
_PYDANTIC: dict[str, Message] = {
    "missing": N_("required: give a value"),
    "string_too_long": N_("at most %(max_length)s characters"),
    "string_too_short": N_("at least %(min_length)s characters"),
    "string_type": N_("must be text"),
    "string_pattern_mismatch": N_("does not have the expected form (%(pattern)s)"),
    "int_parsing": N_("not a whole number: write digits only, such as 12"),
    "int_from_float": N_("must be a whole number, without decimals"),
    "int_type": N_("must be a whole number"),
    "float_parsing": N_("not a number: write digits with a dot for decimals (e.g. 10.1268)"),
    "float_type": N_("must be a number"),
    "decimal_parsing": N_("not a number: write digits with a dot for decimals (e.g. 10.1268)"),
    "finite_number": N_("must be a finite number"),
    "bool_parsing": N_("not a yes/no value: write true or false"),
    "bool_type": N_("must be true or false"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "date_parsing": N_("not a date: write YYYY-MM-DD (2024-03-17)"),
    "date_from_datetime_parsing": N_("not a date: write YYYY-MM-DD (2024-03-17)"),
    "date_type": N_("must be a date: write YYYY-MM-DD (2024-03-17)"),
    "datetime_parsing": N_("not a date and time: write YYYY-MM-DD HH:MM"),
    "datetime_from_date_parsing": N_("not a date and time: write YYYY-MM-DD HH:MM"),
    "literal_error": N_("not allowed; allowed: %(expected)s"),
    "enum": N_("not allowed; allowed: %(expected)s"),
    "extra_forbidden": N_("not a field of this record; remove it"),
    "json_invalid": N_("not valid JSON"),
    "url_parsing": N_("not a web address (https://…)"),
    "too_long": N_("at most %(max_length)s items"),
    "too_short": N_("at least %(min_length)s items"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
}


def validation_message(err: dict) -> Message | str:
    """One pydantic error (an item of `ValidationError.errors()`) as a sentence the web can translate: our own
    validators raise `ValueError(N_(...))`, kept as they are; pydantic's types are mapped above."""
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, BaseException):
        first = cause.args[0] if cause.args else None
        if isinstance(first, Message):
            return first
    known = _PYDANTIC.get(err.get("type", ""))
    if known is not None:
        try:
            return Message(known.msgid, {k: v if isinstance(v, (int, float)) else str(v) for k, v in ctx.items()})
        except (KeyError, TypeError, ValueError):
            pass  # a context without the parameter: pydantic's own sentence below
    return str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
