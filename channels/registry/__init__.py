"""The market-regulation registry (市场监管 企业登记信息 / 国家企业信用信息公示系统 data
service) as a platform edge: unified social credit code → name, legal representative and
registration status.

Provinces expose the registry in different shapes; this edge speaks one documented
signed-request protocol, the one every government edge here speaks (``channels/govsign.py``,
``docs/haocp-and-12345.md``), kept thin so a province's own can replace it. The simulator in
``sandbox/registry.py`` speaks it too.

**Request.** ``POST {base}/v1/enterprises/lookup`` {credit_code}, signed with ``X-Gov-Appid``,
``X-Gov-Timestamp`` (±300 s), ``X-Gov-Nonce`` (never reused) and ``X-Gov-Signature`` =
base64(HMAC-SHA256(app secret, ``POST\\n<path>\\n<timestamp>\\n<nonce>\\n<hex SHA-256 of the
body>\\n``)).

**Answer.** ``{"code": "0", "message": "ok", "request_id": …, "data": {"enterprise": {
"credit_code", "name", "legal_rep": {"name", "id_type": "居民身份证", "id_number"},
"status": "存续" | "在业" | "吊销" | "注销", "status_code": "1" | "2" | "3" | "4"}}}``.
Errors carry a code of ``channels.registry.errors.RegistryCode`` with an HTTP status: 401
``AUTH_FAILED`` / ``TIMESTAMP_OUT_OF_RANGE`` / ``NONCE_REUSED``, 400 ``BAD_REQUEST``, 404
``ENTERPRISE_NOT_FOUND``, 429 ``RATE_LIMITED`` and 503 ``SYSTEM_BUSY`` (the last two retryable).
"""
