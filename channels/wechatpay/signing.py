"""API v3 crypto, apart from HTTP: SHA256withRSA signing and verifying, AEAD_AES_256_GCM.

https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html
"""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509 import load_pem_x509_certificate

SCHEMA = "WECHATPAY2-SHA256-RSA2048"


def load_private_key(pem: bytes | str) -> rsa.RSAPrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("WeChat Pay keys are RSA keys")
    return key


def load_public_key(pem: bytes | str) -> rsa.RSAPublicKey:
    """A platform public key (``PUB_KEY_ID_…`` mode) or a platform certificate."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"BEGIN CERTIFICATE" in data:
        key = load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)  # type: ignore[assignment]  # DH is refused below
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("WeChat Pay keys are RSA keys")
    return key


def load_private_key_file(path: str) -> rsa.RSAPrivateKey:
    return load_private_key(Path(path).read_bytes())


def load_public_key_file(path: str) -> rsa.RSAPublicKey:
    return load_public_key(Path(path).read_bytes())


def sign(message: str | bytes, key: rsa.RSAPrivateKey) -> str:
    data = message.encode() if isinstance(message, str) else message
    return base64.b64encode(key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(message: str | bytes, signature: str, key: rsa.RSAPublicKey) -> bool:
    data = message.encode() if isinstance(message, str) else message
    try:
        key.verify(base64.b64decode(signature), data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_lines(*parts: str) -> str:
    """``a\\nb\\nc\\n``: every line, the last one included, ends in a newline."""
    return "".join(f"{p}\n" for p in parts)


def request_message(
    method: str, path_with_query: str, timestamp: str, nonce: str, body: str
) -> str:
    return sign_lines(method.upper(), path_with_query, timestamp, nonce, body)


def response_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def new_nonce() -> str:
    return secrets.token_hex(16).upper()


def authorization(
    *,
    mchid: str,
    serial_no: str,
    key: rsa.RSAPrivateKey,
    method: str,
    path_with_query: str,
    body: str,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> str:
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or new_nonce()
    signature = sign(request_message(method, path_with_query, timestamp, nonce, body), key)
    return (
        f'{SCHEMA} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def parse_authorization(header: str) -> dict[str, str]:
    """The simulator's side: ``SCHEMA k="v",k="v"`` → dict (empty when the schema differs)."""
    schema, _, rest = header.partition(" ")
    if schema != SCHEMA:
        return {}
    out: dict[str, str] = {}
    for item in rest.split(","):
        name, _, value = item.strip().partition("=")
        out[name] = value.strip('"')
    return out


def aead_decrypt(apiv3_key: str, nonce: str, ciphertext_b64: str, associated_data: str) -> bytes:
    """Raises ``ValueError`` when the key, nonce, data or tag do not match."""
    try:
        return AESGCM(apiv3_key.encode()).decrypt(
            nonce.encode(), base64.b64decode(ciphertext_b64), associated_data.encode()
        )
    except (InvalidTag, ValueError) as exc:
        raise ValueError("AEAD_AES_256_GCM decryption failed") from exc


def aead_encrypt(apiv3_key: str, nonce: str, plaintext: bytes, associated_data: str) -> str:
    sealed = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), plaintext, associated_data.encode()
    )
    return base64.b64encode(sealed).decode()
