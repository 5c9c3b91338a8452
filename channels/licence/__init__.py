"""The licence library (电子证照库, the provincial 证照共享 service) as a platform edge.

Provinces expose their libraries in different shapes; this edge speaks one documented
signed-request protocol (below), kept thin so a province's own can replace it. The simulator
in ``sandbox/licence.py`` speaks it too.

**Requests.** ``POST {base}/v1/licences/query`` and ``POST {base}/v1/licences/fetch``, JSON
bodies (UTF-8), signed as every government edge's are (``channels/govsign.py``,
``docs/haocp-and-12345.md``): ``X-Gov-Appid``, ``X-Gov-Timestamp`` (±300 s), ``X-Gov-Nonce``
(never reused) and ``X-Gov-Signature`` = base64(HMAC-SHA256(app secret,
``POST\n<path>\n<timestamp>\n<nonce>\n<hex SHA-256 of the body>\n``)).

``query`` {holder_type: person|company, holder_id: ID number or credit code, type_name?}
answers ``data.licences``: summaries (no signature). ``fetch`` {licence_id, holder_id}
answers ``data.licence``: the full record (GB/T 36903 metadata: type code per 证照目录, type
name, number, holder, issuer and its code, issued / valid from / valid until, status,
identifier) with ``signature``, the library's SM2 signature (hex ``r ‖ s``, default signer ID)
over ``LICENCE-RECORD-1\\n`` + the record's canonical JSON without ``signature`` (sorted keys,
no spaces, UTF-8). We verify it with the library's published key (``ZSB_LICENCE_PUBLIC_KEY``).

**Answers.** ``{"code": "0", "message": "ok", "request_id": …, "data": …}``; errors carry a
code from ``channels.licence.errors.LibraryCode`` with an HTTP status: 401 ``AUTH_FAILED`` /
``TIMESTAMP_OUT_OF_RANGE`` / ``NONCE_REUSED``, 400 ``BAD_REQUEST``, 403 ``HOLDER_MISMATCH``,
404 ``LICENCE_NOT_FOUND``, 429 ``RATE_LIMITED`` and 503 ``SYSTEM_BUSY`` (the last two
retryable).
"""
