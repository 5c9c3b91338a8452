"""Parsing Alipay's trade bill: real-shaped zip of GBK CSVs, and a bare CSV."""

from __future__ import annotations

import io
import zipfile

import pytest

from channels.alipay.bills import parse_bill

# The real 业务明细 layout (abridged banner, full column list of the trade detail file).
REAL_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
    "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
    "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
    "退款批次号/请求号,服务费（元）,分润（元）,备注"
)
ROWS = [
    "2026112222001400000000000001\t,ZSB0001\t,交易,不动产登记费,2026-11-22 10:00:00,"
    "2026-11-22 10:00:05,,,,,ab***@x.com,88.88,88.88,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,"
    "-0.53,0.00,",
    "2026112222001400000000000001\t,ZSB0001\t,退款,不动产登记费,2026-11-22 10:00:00,"
    "2026-11-22 11:00:00,,,,,ab***@x.com,-10.00,-10.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,"
    "RF0001\t,0.06,0.00,",
]


def real_zip() -> bytes:
    detail = "\r\n".join([
        "#支付宝业务明细查询", "#账号：[20881234567890120156]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        REAL_HEADER, *ROWS,
        "#-----------------------------------------业务明细列表结束------------------------------------",
        "#交易合计：1笔，商家实收共计：88.88元",
    ]).encode("gbk")
    summary = "#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数\r\n".encode("gbk")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # real bills name entries in GBK without the UTF-8 flag
        for name, data in (("20881234567890120156_20261122_业务明细(汇总).csv", summary),
                           ("20881234567890120156_20261122_业务明细.csv", detail)):
            info = zipfile.ZipInfo(name.encode("gbk").decode("cp437"))
            zf.writestr(info, data)
    return buf.getvalue()


def test_real_shaped_zip() -> None:
    rows = parse_bill(real_zip())
    assert [(r["kind"], r["amount_fen"], r["out_trade_no"], r["out_refund_no"]) for r in rows] == [
        ("pay", 8888, "ZSB0001", ""), ("refund", 1000, "ZSB0001", "RF0001")]
    assert rows[0]["trade_no"] == "2026112222001400000000000001"


def test_bare_utf8_csv_and_empty() -> None:
    text = "#banner\n支付宝交易号,商户订单号,业务类型,订单金额（元）\nT1,O1,交易,0.01\n"
    assert parse_bill(text.encode()) == [{
        "out_trade_no": "O1", "trade_no": "T1", "amount_fen": 1, "kind": "pay",
        "out_refund_no": "", "finished_at": ""}]
    assert parse_bill(b"#only banners\n") == []


def test_missing_column_or_bad_amount_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse_bill("支付宝交易号,商户订单号\nT1,O1\n".encode())
    with pytest.raises(ValueError):
        parse_bill("支付宝交易号,商户订单号,业务类型,订单金额（元）\nT1,O1,交易,1.234\n".encode())
