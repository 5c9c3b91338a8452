"""The pages a person sees after scanning a certificate's QR code or a shown licence: one
self-contained HTML document each (inline style, no script, no font or image fetched),
readable on a phone offline."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from app import clock

COLOURS = {"genuine": "#1a7f37", "expired": "#9a6700", "superseded": "#9a6700"}
DEFAULT_COLOUR = "#cf222e"

STYLE = (
    "body{margin:0;font-family:-apple-system,'PingFang SC','Noto Sans CJK SC',"
    "'Microsoft YaHei',sans-serif;background:#f6f8fa;color:#1f2328}"
    "main{max-width:560px;margin:0 auto;padding:16px}"
    ".banner{color:#fff;border-radius:8px;padding:18px 16px;font-size:20px}"
    ".banner small{display:block;font-size:13px;opacity:.9;margin-top:4px}"
    "dl{background:#fff;border-radius:8px;padding:8px 16px;margin:12px 0}"
    "dt{color:#59636e;font-size:13px;margin-top:10px}dd{margin:2px 0 8px;font-size:16px}"
    "p{font-size:13px;color:#59636e;line-height:1.6}a{color:#0969da}"
)
FOOTER = ("持证人信息已做脱敏处理。本页由出具单位的电子证明系统生成；"
          "离线查验可使用证明二维码中的签名与公开的印章公钥。")


def _when(iso: str | None, fmt: str = "%Y年%m月%d日") -> str:
    if not iso:
        return "长期有效"
    return clock.local(datetime.fromisoformat(iso.replace("Z", "+00:00"))).strftime(fmt)


def _page(title: str, colour: str, banner: str, rows: list[tuple[str, str]],
          notes: list[str]) -> str:
    """``banner`` and ``notes`` are HTML already; row labels and values are escaped here."""
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body><main>"
        f"<div class=\"banner\" style=\"background:{colour}\">{banner}</div>"
        f"{f'<dl>{items}</dl>' if items else ''}"
        + "".join(f"<p>{n}</p>" for n in notes)
        + "</main></body></html>"
    )


def render(answer: dict[str, Any]) -> str:
    """The page of ``GET /verify/<code>``."""
    cert = answer.get("certificate")
    rows: list[tuple[str, str]] = []
    notes: list[str] = []
    if cert:
        rows = [("证明名称", cert["title"]), ("证明编号", cert["number"]),
                ("持证人", cert["holder"]), ("出具单位", cert["department"]),
                ("出具日期", _when(cert["issued_at"])), ("有效期至", _when(cert["valid_until"]))]
        if cert.get("revoked_at"):
            rows.append(("撤销日期", _when(cert["revoked_at"])))
            rows.append(("撤销原因", cert.get("revoke_reason_label") or ""))
        successor = cert.get("superseded_by")
        if successor:
            notes.append(f'该证明已换发，请查验新证明：<a href="{escape(successor["verify_url"])}">'
                         f'{escape(successor["number"])}</a>')
    else:
        notes.append("请核对查验码是否完整。如有疑问，请联系出具单位或拨打 12345。")
    checked = escape(_when(answer["checked_at"], "%Y年%m月%d日 %H:%M"))
    banner = f"{escape(answer['status_label'])}<small>查验时间：{checked}</small>"
    colour = COLOURS.get(answer["status"], DEFAULT_COLOUR)
    return _page(f"证明查验 · {answer['status_label']}", colour, banner, rows, [*notes, FOOTER])


def render_shown(answer: dict[str, Any]) -> str:
    """The page of a shown licence (亮证)."""
    lic = answer.get("licence")
    rows = [] if not lic else [
        ("证照名称", lic["type_name"]), ("证照编号", lic["number"]), ("持证人", lic["holder"]),
        ("发证机关", lic["issuer"]), ("有效期至", lic["valid_until"] or "长期有效")]
    colour = COLOURS.get(answer["status"], DEFAULT_COLOUR)
    return _page("亮证查验", colour, escape(answer["status_label"]), rows,
                 ["亮证码短时有效，截图无效。持证人信息已做脱敏处理。"])
