"""The demo data file: valid against the guide schema and realistic enough to demo."""

from __future__ import annotations

from app.catalogue.seed import load


def test_data_file_is_valid_and_broad() -> None:
    data = load()
    assert len(data.items) >= 20
    depts = {d.code for d in data.departments}
    assert {i.department for i in data.items} <= depts
    assert len({i.department for i in data.items}) >= 6
    assert len({i.code for i in data.items}) == len(data.items)


def test_items_carry_a_full_guide() -> None:
    for item in load().items:
        assert item.materials and item.steps and item.legal_basis, item.code
        assert 0 < item.promised_limit_days <= item.legal_limit_days, item.code
        for fee in item.fees:  # money in integer fen, with the 非税 codes
            assert isinstance(fee.amount_fen, int) and fee.amount_fen > 0
            assert fee.nontax_code.isdigit() and fee.collecting_unit_code
        if "express" in item.delivery_options:
            assert any(f.name == "address" for f in item.form_schema.fields), item.code


def test_known_fees() -> None:
    fees = {i.name: sum(f.amount_fen for f in i.fees) for i in load().items}
    assert fees["居民身份证换领"] == 2000
    assert fees["普通护照签发"] == 12000
    assert fees["内地居民结婚登记"] == 0


def test_form_field_pattern_must_compile() -> None:
    import pydantic
    import pytest

    from app.catalogue.schemas import FormField

    assert FormField(name="no", label="编号", pattern=r"^\d+$").model_extra == {"pattern": r"^\d+$"}
    with pytest.raises(pydantic.ValidationError):
        FormField(name="no", label="编号", pattern="(")
