"""Catalogue search for Chinese keywords, full pinyin and initials (``sfz`` finds 身份证).

The index is built once per catalogue generation (see ``cache.py``) and lives in memory; a
query is a scan over a few thousand short strings at most, well under a millisecond for a
city's catalogue. Ranking: the item name first (exact, prefix, substring), then pinyin and
initials of the name, then themes and department, then a bigram overlap for natural queries
such as "身份证怎么换".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]")
_DROP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
# words of a spoken question that say nothing about the service: "身份证怎么换" → "身份证换"
_FILLER = re.compile(r"怎么办|怎么|如何|我要|我想|需要|哪里|什么|在哪|多久|可以|吗|呢|啊")


def normalize(text: str) -> str:
    return _DROP.sub("", text.lower())


def full_pinyin(text: str) -> str:
    return normalize("".join(lazy_pinyin(text)))


def initials(text: str) -> str:
    # FIRST_LETTER keeps non-Chinese runs whole; keep letters and digits only
    return normalize("".join(lazy_pinyin(text, style=Style.FIRST_LETTER)))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    name: str
    name_py: str
    name_initials: str
    extra: str  # themes and department name
    extra_py: str
    extra_initials: str
    name_grams: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    han: bool
    pinyin: str
    grams: frozenset[str]

    @classmethod
    def of(cls, raw: str) -> _Term:
        han = bool(_HAN.search(raw))
        text = (_FILLER.sub("", raw) or raw) if han else raw
        return cls(text, han, full_pinyin(text) if han else "", frozenset(_bigrams(text)))


class SearchIndex:
    def __init__(self, docs: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """``docs``: (key, name, other texts such as themes and the department name)."""
        self._entries: list[_Entry] = []
        for key, name, others in docs:
            extra = "|".join(normalize(o) for o in others)
            self._entries.append(
                _Entry(
                    key=key,
                    name=normalize(name),
                    name_py=full_pinyin(name),
                    name_initials=initials(name),
                    extra=extra,
                    extra_py="|".join(full_pinyin(o) for o in others),
                    extra_initials="|".join(initials(o) for o in others),
                    name_grams=frozenset(_bigrams(normalize(name))),
                )
            )

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int | None = None) -> list[str]:
        """Keys of the matching documents, best first; every whitespace-separated term must
        match somewhere."""
        terms = [_Term.of(t) for t in (normalize(t) for t in query.split()) if t]
        if not terms:
            return []
        scored: list[tuple[float, int, str]] = []
        for entry in self._entries:
            total = 0.0
            for term in terms:
                score = _score(entry, term)
                if score <= 0:
                    break
                total += score
            else:
                scored.append((-total, len(entry.name), entry.key))
        scored.sort()
        keys = [key for _, _, key in scored]
        return keys[:limit] if limit else keys


def _score(e: _Entry, t: _Term) -> float:
    term = t.text
    if t.han:
        if term == e.name:
            return 100
        if e.name.startswith(term):
            return 80
        if term in e.name:
            return 60
        if term in e.extra:
            return 25
        if t.pinyin and t.pinyin in e.name_py:  # homophones: 身份正 → shenfenzheng
            return 30
        if len(t.grams) >= 2:
            hits = len(t.grams & e.name_grams)
            if hits >= 2 or hits * 2 >= len(t.grams):
                return 20 * hits / len(t.grams)
        return 0
    # Latin letters and digits: pinyin, initials, or a code fragment
    if e.name_initials.startswith(term):
        return 55
    if e.name_py.startswith(term):
        return 50
    if term in e.name_initials:
        return 45
    if term in e.name_py:
        return 40
    if term in e.name:  # "c1", letters inside a name
        return 35
    if term in e.extra_initials or term in e.extra_py:
        return 20
    return 0
