"""Pure rules: the transition table and its guards, the SM3 chain, forms, case numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.cases import chain, forms
from app.cases.numbering import is_well_formed
from app.cases.queries import PUBLIC_PROGRESS, public_progress
from app.cases.transitions import ALLOWED, can_transition
from app.errors import ValidationFailed
from models.cases import CaseStatus as S


def case(status: S, **kw: object) -> SimpleNamespace:
    base = {"accepted_at": None, "fee_stage": None, "result_issued_at": None}
    return SimpleNamespace(status=status, **{**base, **kw})


def test_sm3_vector() -> None:
    # GB/T 32905-2016 example 1
    assert chain.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_every_status_has_a_row_and_terminals_are_final() -> None:
    assert set(ALLOWED) == set(S)
    for terminal in (S.refused, S.completed, S.withdrawn):
        assert not ALLOWED[terminal]


@pytest.mark.parametrize(
    ("status", "to", "extra", "allowed"),
    [
        (S.draft, S.submitted, {}, True),
        (S.draft, S.accepted, {}, False),
        (S.draft, S.fee_due, {"fee_stage": "submission"}, True),
        (S.draft, S.fee_due, {"fee_stage": "approval"}, False),
        (S.submitted, S.withdrawn, {}, True),
        (S.supplement_requested, S.withdrawn, {"accepted_at": 1}, False),  # after 受理
        (S.resubmitted, S.under_review, {"accepted_at": 1}, True),
        (S.resubmitted, S.under_review, {}, False),
        (S.resubmitted, S.accepted, {"accepted_at": 1}, False),
        (S.approved, S.result_issued, {"fee_stage": "approval"}, False),  # pay first
        (S.approved, S.result_issued, {}, True),
        (S.approved, S.fee_due, {"fee_stage": "approval"}, True),
        (S.paid, S.submitted, {"fee_stage": "submission"}, True),
        (S.paid, S.result_issued, {"fee_stage": "submission"}, False),
        (S.paid, S.result_issued, {"fee_stage": "approval"}, True),
        (S.completed, S.accepted, {}, False),
    ],
)
def test_transition_table(status: S, to: S, extra: dict, allowed: bool) -> None:
    assert can_transition(case(status, **extra), to) is allowed


def test_public_progress_is_one_of_six() -> None:
    assert public_progress(case(S.submitted)) == "已收件"
    assert public_progress(case(S.supplement_requested)) == "已收件"
    assert public_progress(case(S.accepted, accepted_at=1)) == "已受理"
    assert public_progress(case(S.under_review, accepted_at=1)) == "审批中"
    assert public_progress(case(S.supplement_requested, accepted_at=1)) == "审批中"
    assert public_progress(case(S.special_stage, accepted_at=1)) == "特别程序"
    assert public_progress(case(S.denied, accepted_at=1)) == "已办结"
    assert public_progress(case(S.fee_due, accepted_at=1, fee_stage="approval")) == "已办结"
    assert public_progress(case(S.fee_due, fee_stage="submission")) == "已收件"
    assert public_progress(case(S.delivering, result_issued_at=1)) == "已出件"
    assert public_progress(case(S.completed, result_issued_at=1)) == "已出件"
    for status in set(S) - {S.draft}:
        assert public_progress(case(status, accepted_at=1)) in PUBLIC_PROGRESS


def _event(seq: int, prev: str, to: str, key_id: str | None = "c1") -> SimpleNamespace:
    e = SimpleNamespace(case_id=7, seq=seq, actor_kind="staff", actor_id="3", actor_name="王",
                        from_status=None, to_status=to, reason="理由", data={"n": seq},
                        at=datetime(2026, 11, 2, 1, 2, 3, 456789, tzinfo=UTC), prev_hash=prev,
                        key_id=key_id)
    e.hash = chain.hash_of(e, prev)
    return e


def test_chain_detects_tampering() -> None:
    first = _event(1, chain.GENESIS, "draft")
    second = _event(2, first.hash, "submitted")
    third = _event(3, second.hash, "accepted")
    assert chain.verify([first, second, third]) is None
    second.reason = "改过的理由"
    assert chain.verify([first, second, third]) == 2
    second.reason = "理由"
    assert chain.verify([first, third]) == 3  # a removed event shows too


def test_a_writer_without_the_key_cannot_rebuild_the_chain() -> None:
    first = _event(1, chain.GENESIS, "draft")
    second = _event(2, first.hash, "submitted")
    assert chain.chain_keys().current == "c1" and first.key_id == "c1"
    assert first.hash != chain.sm3_hex(b"x") and len(first.hash) == 64
    # edited, then re-hashed in plain SM3 the way anyone can: an unkeyed link is refused
    second.reason, second.key_id = "改过的理由", None
    second.hash = chain.hash_of(second, first.hash)
    assert chain.verify([first, second]) == 2
    # nor does a key id no listed key has vouch for anything
    second.key_id = "k9"
    assert chain.verify([first, second]) == 2
    # legacy links hold only as far as the caller's seal says
    old1 = _event(1, chain.GENESIS, "draft", key_id=None)
    old2 = _event(2, old1.hash, "submitted", key_id=None)
    new3 = _event(3, old2.hash, "accepted")
    assert chain.verify([old1, old2, new3]) == 1
    assert chain.verify([old1, old2, new3], legacy_upto=2) is None
    assert chain.verify([old1, old2, _event(3, old2.hash, "accepted", None)], 2) == 3


def test_chain_keys_rotate() -> None:
    k16 = "MDEyMzQ1Njc4OWFiY2RlZg=="  # 16 bytes
    ring = chain.parse_keys(f"c2:{k16},c1:ZmVkY2JhOTg3NjU0MzIxMA==")
    assert ring.current == "c2" and set(ring.keys) == {"c1", "c2"}
    for bad in ("c1:c2hvcnQ=", f":{k16}", f"a-very-long-key-id-x:{k16}"):
        with pytest.raises(ValueError):
            chain.parse_keys(bad)


SCHEMA = {"fields": [
    {"name": "applicant", "type": "name", "required": True},
    {"name": "phone", "type": "phone", "required": True},
    {"name": "id_number", "type": "id_number", "required": False},
    {"name": "count", "type": "integer", "min": 1, "max": 3, "required": False},
    {"name": "kind", "type": "select", "options": ["首次", "换领"], "required": False},
    {"name": "moved_on", "type": "date", "required": False},
]}


def test_form_validation_messages() -> None:
    with pytest.raises(ValidationFailed) as err:
        forms.validate(SCHEMA, {"phone": "123", "count": 9, "kind": "补领", "moved_on": "x",
                                "extra": 1})
    assert err.value.fields == {
        "form.extra": "不允许的字段", "form.applicant": "请填写applicant",
        "form.phone": "请填写 11 位手机号码",
        "form.count": "超出允许范围", "form.kind": "取值不在可选范围内",
        "form.moved_on": "日期格式应为 YYYY-MM-DD",
    }
    assert forms.validate(SCHEMA, {"phone": "13800138000"}, partial=True) == {
        "phone": "13800138000"
    }


def test_form_personal_fields_sealed_and_masked() -> None:
    clean = forms.validate(SCHEMA, {"applicant": "张三丰", "phone": "13800138000",
                                    "id_number": "11010519491231002x", "count": 2})
    stored = forms.seal(SCHEMA, clean)
    assert "13800138000" not in str(stored) and "张三丰" not in str(stored)
    assert stored["count"] == 2
    assert forms.unseal(stored)["id_number"] == "11010519491231002X"
    shown = forms.masked(SCHEMA, stored)
    assert shown["phone"] != "13800138000" and "8000" in shown["phone"]
    assert shown["applicant"] != "张三丰"


def test_case_number_check_digit() -> None:
    assert is_well_formed("202611220000012")
    assert not is_well_formed("202611220000013")
    assert not is_well_formed("20261122000001")


SAMPLE = {"text": "示例", "textarea": "示例说明", "number": 1, "date": "2026-12-01",
          "phone": "13800138000", "id_number": "11010519491231002X", "address": "某市某路1号",
          "boolean": True, "name": "张三", "bank_card": "6222021234567890123"}


def test_demo_catalogue_forms_validate() -> None:
    """Every form of the demo catalogue accepts sensible answers and asks for its required
    fields (the catalogue's default is required)."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).resolve().parents[2] / "data/catalogue.json").read_text())
    for item in data["items"]:
        schema = item.get("form_schema") or {}
        answers = {
            f["name"]: f["options"][0] if f.get("type") == "select"
            else max(SAMPLE[f.get("type", "text")], f.get("min", 1))
            if f.get("type") == "number" else SAMPLE[f.get("type", "text")]
            for f in schema.get("fields", [])
        }
        assert forms.validate(schema, answers), item["code"]
        required = [f["name"] for f in schema.get("fields", []) if f.get("required", True)]
        if required:
            with pytest.raises(ValidationFailed):
                forms.validate(schema, {})


def test_bank_cards_are_checked_sealed_and_masked() -> None:
    schema = {"fields": [{"name": "card", "label": "收款银行卡号", "type": "bank_card"}]}
    with pytest.raises(ValidationFailed):
        forms.validate(schema, {"card": "6222-abc"})
    clean = forms.validate(schema, {"card": "6222021234567890123"})
    sealed = forms.seal(schema, clean)
    assert sealed["card"].startswith("enc:") and "6222021234567890123" not in str(sealed)
    assert forms.masked(schema, sealed)["card"] == "6222***********0123"
