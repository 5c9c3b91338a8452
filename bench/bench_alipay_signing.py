"""RSA2 cost per Alipay request and notify: the SDK's pure-Python ``rsa`` vs ``cryptography``.

``.venv/bin/python -m bench.bench_alipay_signing [--n 200]``

Prints operations per second and the mean time per operation for request signing (SDK and
ours, byte-identical output), notify verification (ours) and raw-response verification.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from alipay.aop.api.util.SignatureUtils import get_sign_content, sign_with_rsa2

from channels.alipay import signing

KEYS = Path(__file__).resolve().parents[1] / "sandbox" / "keys"
PARAMS = {
    "app_id": "2021004100000001", "method": "alipay.trade.create", "format": "JSON",
    "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2026-11-22 10:00:00",
    "version": "1.0", "notify_url": "https://zsb.example.gov.cn/callbacks/alipay",
    "biz_content": '{"out_trade_no":"ZSB20261122000001","total_amount":"88.88",'
                   '"subject":"不动产登记费","product_code":"JSAPI_PAY","buyer_id":"2088102104794936"}',
}


def measure(name: str, n: int, fn: Callable[[], object]) -> None:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    took = time.perf_counter() - start
    print(f"{name:42s} {n / took:9.0f} ops/s   {took / n * 1000:7.3f} ms/op")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    private_path = str(KEYS / "alipay_app_private_key.pem")
    pem_body = "".join(Path(private_path).read_text().strip().splitlines()[1:-1])
    key = signing.load_private_key(private_path)
    public = signing.load_public_key(str(KEYS / "alipay_app_public_key.pem"))
    content = get_sign_content(PARAMS)
    sign = signing.rsa2_sign(key, content)
    assert sign_with_rsa2(pem_body, content, "utf-8") == sign
    notify = {**PARAMS, "sign": signing.rsa2_sign(key, signing.notify_sign_content(PARAMS))}
    assert signing.verify_notify(notify, public)
    raw = '{"alipay_trade_create_response":{"code":"10000","msg":"Success"},"sign":"%s"}' % sign  # noqa: UP031

    measure("sign request: SDK sign_with_rsa2 (rsa)", max(n // 10, 5),
            lambda: sign_with_rsa2(pem_body, content, "utf-8"))
    measure("sign request: ours (cryptography)", n, lambda: signing.sign_request(PARAMS, key))
    measure("verify notify: ours", n, lambda: signing.verify_notify(notify, public))
    measure("extract raw response object", n * 10,
            lambda: signing.raw_response_object(raw, "alipay_trade_create_response"))


if __name__ == "__main__":
    main()
