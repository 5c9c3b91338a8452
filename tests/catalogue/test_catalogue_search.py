"""Search over the demo catalogue: Chinese keywords, pinyin, initials, colloquial names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.catalogue.search import SearchIndex, full_pinyin, initials

DATA = json.loads((Path(__file__).resolve().parents[2] / "data/catalogue.json").read_text())
NAMES = {i["code"]: i["name"] for i in DATA["items"]}
INDEX = SearchIndex((i["code"], i["name"], [*i["themes"], *i["keywords"]]) for i in DATA["items"])


def names(q: str, limit: int | None = 5) -> list[str]:
    return [NAMES[code] for code in INDEX.search(q, limit)]


def test_pinyin_helpers() -> None:
    assert full_pinyin("居民身份证") == "juminshenfenzheng"
    assert initials("居民身份证（换领）") == "jmsfzhl"


@pytest.mark.parametrize("q", ["sfz", "身份证", "shenfenzheng", "SFZ", "身份正", "身份证怎么换"])
def test_id_card_queries_find_id_card_items(q: str) -> None:
    found = names(q)
    assert found, q
    assert all("身份证" in n for n in found[:3])


def test_exact_and_prefix_names_rank_first() -> None:
    assert names("护照")[0] == "普通护照签发"
    assert names("居民身份证换领")[0] == "居民身份证换领"
    assert names("jsz")[0] == "机动车驾驶证换证（有效期满）"


def test_every_term_must_match() -> None:
    assert names("公积金 租房") == ["住房公积金提取（租房）"]
    assert names("公积金 护照") == []


def test_colloquial_names_and_themes() -> None:
    assert names("低保") == ["最低生活保障审核确认"]
    assert "个体工商户设立登记" in names("个体户")
    found = set(names("出生一件事", None))
    assert {"出生医学证明办理（首次签发）", "出生登记（新生儿落户）"} <= found


def test_nothing_for_noise() -> None:
    assert names("") == []
    assert names("   ") == []
    assert names("！！！") == []
    assert names("zzzzqqq") == []


def test_limit() -> None:
    assert len(names("登记", 2)) == 2
