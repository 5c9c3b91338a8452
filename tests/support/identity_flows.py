"""Driving the identity API and the simulators the way a front end and a person would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.pii_registry import new_id_number, new_name


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


async def consent(api: httpx.AsyncClient, headers: dict[str, str], purpose: str) -> None:
    texts = (await api.get("/api/v1/consents/texts")).json()
    version = next(t["version"] for t in texts if t["purpose"] == purpose)
    resp = await api.post(
        "/api/v1/consents", json={"purpose": purpose, "text_version": version}, headers=headers
    )
    assert resp.status_code == 201, resp.text


async def known_person(idcheck_base: str) -> tuple[str, str]:
    """A fresh (name, ID number) the ID verification source knows."""
    name, number = new_name(), new_id_number()
    async with httpx.AsyncClient() as sim:
        resp = await sim.post(
            f"{idcheck_base}/_sim/people", json={"id_number": number, "name": name}
        )
        resp.raise_for_status()
    return name, number


async def step_up(api: httpx.AsyncClient, sims: Any, kv: Any, who: Any) -> None:
    """Pass a step-up for ``who``'s login with the SMS code sent to their phone."""
    from tests.conftest import latest_sms_code, skip_resend_wait

    await skip_resend_wait(kv, who.phone)
    r = await api.post("/api/v1/me/step-up/otp", headers=who.headers)
    assert r.status_code == 200, r.text
    code = await latest_sms_code(sims, who.phone)
    r = await api.post("/api/v1/me/step-up", json={"code": code}, headers=who.headers)
    assert r.status_code == 200, r.text


async def registered_enterprise(
    registry_base: str, credit_code: str, name: str, rep_name: str, rep_number: str,
    status: str = "存续",
) -> None:
    """The market-regulation registry records ``credit_code`` with this legal representative."""
    async with httpx.AsyncClient() as sim:
        resp = await sim.post(f"{registry_base}/_sim/enterprises", json={
            "credit_code": credit_code, "name": name, "legal_rep_name": rep_name,
            "legal_rep_id_number": rep_number, "status": status})
        resp.raise_for_status()


async def verify_l2(
    api: httpx.AsyncClient, headers: dict[str, str], name: str, number: str
) -> httpx.Response:
    return await api.post(
        "/api/v1/realname/idcard", json={"name": name, "id_number": number}, headers=headers
    )


async def wechat_code(wechat_base: str, openid: str, unionid: str | None = None) -> str:
    async with httpx.AsyncClient() as sim:
        body: dict[str, Any] = {"openid": openid}
        if unionid:
            body.update(unionid=unionid, scope="snsapi_userinfo")
        resp = await sim.post(f"{wechat_base}/_sim/oauth/code", json=body)
        resp.raise_for_status()
        return str(resp.json()["code"])


async def wechat_state(api: httpx.AsyncClient, public_base: str) -> str:
    resp = await api.get(
        "/api/v1/auth/wechat/authorize-url",
        params={"redirect_uri": f"{public_base}/h5/login", "scope": "snsapi_base"},
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["state"])


async def wechat_login(
    api: httpx.AsyncClient, wechat_base: str, public_base: str, openid: str
) -> httpx.Response:
    code = await wechat_code(wechat_base, openid)
    state = await wechat_state(api, public_base)
    return await api.post(
        "/api/v1/auth/wechat/login", json={"code": code, "state": state, "device": "wx-h5"}
    )


async def alipay_code(alipay_base: str, **who: Any) -> dict[str, Any]:
    async with httpx.AsyncClient() as sim:
        resp = await sim.post(f"{alipay_base}/_sim/oauth/code", json=who)
        resp.raise_for_status()
        return dict(resp.json())


async def alipay_login(api: httpx.AsyncClient, auth_code: str) -> httpx.Response:
    return await api.post(
        "/api/v1/auth/alipay/login", json={"auth_code": auth_code, "device": "alipay-mini"}
    )


async def verify_face(
    api: httpx.AsyncClient, headers: dict[str, str], idcheck_base: str, name: str, number: str
) -> httpx.Response:
    """L3: consent, start a face check, pass it at the simulator, finish."""
    await consent(api, headers, "face")
    start = await api.post(
        "/api/v1/realname/face/start", json={"name": name, "id_number": number}, headers=headers
    )
    token = start.json()["biz_token"]
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{idcheck_base}/_sim/face/{token}/complete", json={"live": True})
    return await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=headers
    )
