"""Simulator of a provincial licence library (电子证照库), speaking the protocol documented in
``channels/licence/__init__.py``: requests signed as every government edge's are (``X-Gov-*``:
app id, timestamp ±300 s, nonce never reused, HMAC-SHA256), answers with codes, and every
fetched record signed with the library's SM2 key (``sandbox/keys/licence_library_sm2.pem``).

``POST /v1/licences/query`` {holder_type, holder_id, type_name?} → the holder's licences;
``POST /v1/licences/fetch`` {licence_id, holder_id} → one signed record (``HOLDER_MISMATCH``
when it is someone else's).

Control: ``POST /_sim/licences`` {holder_type, holder_id, holder_name, type_name, type_code?,
number?, valid_from?, valid_until?, status?} adds a licence (answers it);
``POST /_sim/faults`` {path, code, http_status, times} scripts the next answers;
``GET /_sim/requests`` lists the paths received. Demo people (those the ID-check simulator
knows) hold a 居民身份证 and a 居民户口簿; 李四 also holds an expired 机动车驾驶证; the company
``91110000600037341L`` holds a 营业执照.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from tongsuopy.crypto import hashes as gm_hashes
from tongsuopy.crypto import serialization
from tongsuopy.crypto.asymciphers import ec

APP_ID = "zsb-sim"
APP_SECRET = "sim-licence-app-secret"
KEY_FILE = Path(__file__).parent / "keys" / "licence_library_sm2.pem"
WINDOW = 300
ISSUERS = {"居民身份证": ("示范市公安局", "11330100MB0000001A", "111"),
           "居民户口簿": ("示范市公安局", "11330100MB0000001A", "112"),
           "机动车驾驶证": ("示范市公安局交通警察支队", "11330100MB0000002B", "170"),
           "结婚证": ("示范市民政局", "11330100MB0000003C", "205"),
           "出生医学证明": ("示范市卫生健康委员会", "11330100MB0000004D", "310"),
           "营业执照": ("示范市市场监督管理局", "11330100MB0000005E", "501")}
DEMO_PEOPLE = {
    "110102199101010078": "张三", "120110198012010073": "李四", "11010519491231002X": "王芳",
    "360426199101010071": "赵一", "440305199505132561": "陈静",
}


def _sign(key: Any, record: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    message = b"LICENCE-RECORD-1\n" + json.dumps(
        unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(gm_hashes.SM3())))
    return (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()


def _answer(code: str = "0", data: Any = None, status: int = 200,
            message: str = "ok") -> web.Response:
    return web.json_response({"code": code, "message": message,
                              "request_id": uuid.uuid4().hex, "data": data}, status=status)


def add_licence(state: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    type_name = spec["type_name"]
    issuer, issuer_code, type_code = ISSUERS.get(type_name, ("示范市人民政府", "", "999"))
    licence_id = spec.get("licence_id") or uuid.uuid4().hex[:20]
    record = {
        "licence_id": licence_id, "type_code": spec.get("type_code") or type_code,
        "type_name": type_name,
        "number": spec.get("number") or (
            spec["holder_id"] if type_name == "居民身份证" else f"{type_code}{licence_id[:10]}"),
        "holder_type": spec.get("holder_type", "person"), "holder_name": spec["holder_name"],
        "holder_id": spec["holder_id"], "issuer": issuer, "issuer_code": issuer_code,
        "valid_from": spec.get("valid_from", "2020-01-01"),
        "valid_until": spec.get("valid_until", "2040-01-01"),
        "status": spec.get("status", "valid"),
        "identifier": f"1.2.156.3005.2.{type_code}.{issuer_code}.{licence_id[:12]}",
    }
    state["licences"][licence_id] = record
    return record


def _opaque(number: str) -> str:
    """A stable licence id that does not spell the holder's ID number."""
    return hashlib.sha256(number.encode()).hexdigest()[:12]


def _seed(state: dict[str, Any]) -> None:
    for number, name in DEMO_PEOPLE.items():
        for type_name in ("居民身份证", "居民户口簿"):
            add_licence(state, {"holder_id": number, "holder_name": name,
                                "type_name": type_name,
                                "licence_id": f"demo-{ISSUERS[type_name][2]}-{_opaque(number)}"})
    add_licence(state, {"holder_id": "120110198012010073", "holder_name": "李四",
                        "type_name": "机动车驾驶证", "valid_until": "2024-06-30"})
    add_licence(state, {"holder_type": "company", "holder_id": "91110000600037341L",
                        "holder_name": "示范市示范科技有限公司", "type_name": "营业执照",
                        "valid_until": None})


async def _authentic(request: web.Request, body: bytes) -> web.Response | None:
    """The government edges' request signature (``X-Gov-*``, HMAC-SHA256), computed here on
    its own so that it cross-checks ``channels/govsign.py``."""
    state = request.app["state"]
    h = request.headers
    ts, nonce = h.get("X-Gov-Timestamp", ""), h.get("X-Gov-Nonce", "")
    if h.get("X-Gov-Appid") != APP_ID:
        return _answer("AUTH_FAILED", status=401, message="unknown app")
    if not ts.isdigit() or abs(time.time() - int(ts)) > WINDOW:
        return _answer("TIMESTAMP_OUT_OF_RANGE", status=401, message="stale request")
    to_sign = (f"POST\n{request.path}\n{ts}\n{nonce}\n"
               f"{hashlib.sha256(body).hexdigest()}\n").encode()
    expected = base64.b64encode(
        std_hmac.new(APP_SECRET.encode(), to_sign, hashlib.sha256).digest()).decode()
    if not std_hmac.compare_digest(expected, h.get("X-Gov-Signature", "")):
        return _answer("AUTH_FAILED", status=401, message="bad signature")
    seen = state["nonces"]
    now = time.time()
    for old in [n for n, at in seen.items() if now - at > 2 * WINDOW]:
        del seen[old]
    if not 16 <= len(nonce) <= 64 or nonce in seen:
        return _answer("NONCE_REUSED", status=401, message="nonce reused")
    seen[nonce] = now
    return None


def _fault(state: dict[str, Any], path: str) -> web.Response | None:
    for fault in state["faults"]:
        if fault["path"] == path and fault["times"] > 0:
            fault["times"] -= 1
            return _answer(fault["code"], status=int(fault.get("http_status", 503)),
                           message="scripted")
    return None


async def _api(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.read()
    state["requests"].append(request.path)
    refused = await _authentic(request, body) or _fault(state, request.path)
    if refused is not None:
        return refused
    try:
        params = json.loads(body)
        holder_id = str(params["holder_id"]).upper()
    except (ValueError, KeyError, TypeError):
        return _answer("BAD_REQUEST", status=400, message="bad body")
    if request.path.endswith("/query"):
        kind, type_name = params.get("holder_type", "person"), params.get("type_name")
        found = [
            {k: v for k, v in r.items() if k != "signature"}
            for r in state["licences"].values()
            if r["holder_id"] == holder_id and r["holder_type"] == kind
            and (not type_name or r["type_name"] == type_name)
        ]
        return _answer(data={"licences": found})
    record = state["licences"].get(str(params.get("licence_id", "")))
    if record is None:
        return _answer("LICENCE_NOT_FOUND", status=404, message="no such licence")
    if record["holder_id"] != holder_id:
        return _answer("HOLDER_MISMATCH", status=403, message="not this holder's licence")
    return _answer(data={"licence": {**record, "signature": _sign(request.app["key"], record)}})


async def _sim_add(request: web.Request) -> web.Response:
    return web.json_response(add_licence(request.app["state"], await request.json()))


async def _sim_faults(request: web.Request) -> web.Response:
    spec = await request.json()
    request.app["state"]["faults"].append({"times": 1, **spec})
    return web.json_response({"ok": True})


async def _sim_requests(request: web.Request) -> web.Response:
    return web.json_response(request.app["state"]["requests"])


def create_app() -> web.Application:
    app = web.Application()
    app["key"] = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    app["state"] = {"licences": {}, "nonces": {}, "faults": [], "requests": []}
    _seed(app["state"])
    app.router.add_post("/v1/licences/query", _api)
    app.router.add_post("/v1/licences/fetch", _api)
    app.router.add_post("/_sim/licences", _sim_add)
    app.router.add_post("/_sim/faults", _sim_faults)
    app.router.add_get("/_sim/requests", _sim_requests)
    return app


def public_key_hex() -> str:
    key = serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    nums = key.public_key().public_numbers()  # type: ignore[union-attr]
    return "04" + nums.x.to_bytes(32, "big").hex() + nums.y.to_bytes(32, "big").hex()


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "licence_api_base": base_url,
        "licence_app_id": APP_ID,
        "licence_app_secret": APP_SECRET,
        "licence_public_key": public_key_hex(),
    }


