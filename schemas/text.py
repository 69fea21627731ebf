"""Text folding for search: NFD, drop combining marks, đ→d, lower case (shared/standards/vietnam.md)."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ and Đ have no Unicode decomposition, so they are mapped by hand after the marks are dropped.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ß": "ss", "×": "x"})


def nfc(text: str | None) -> str | None:
    """Stored text is NFC, whatever the keyboard or file produced."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def fold(text: str | None) -> str:
    """'Đinh lăng' → 'dinh lang', 'Cờ Đỏ' → 'co do', 'Thủy' and 'Thuỷ' → 'thuy'."""
    if not text:
        return ""
    if text.isascii():  # most codes and numbers: nothing to decompose (a bulk import folds millions of cells)
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.translate(_EXTRA).lower()).strip()


_NON_WORD = re.compile(r"[\W_]+")


def words(text: str | None) -> str:
    """Folded text with every run of punctuation turned into one space: 'CAY-0001 (Hồng xiêm)' → 'cay 0001 hong
    xiem'. Search indexes store words this way so that SQLite FTS5, PostgreSQL regular expressions and a plain
    LIKE all see the same word boundaries, which is what makes both engines return the same results."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def query_tokens(text: str | None) -> list[str]:
    """The words of a search box, in order, without repeats."""
    seen: list[str] = []
    for token in words(text).split():
        if token not in seen:
            seen.append(token)
    return seen
