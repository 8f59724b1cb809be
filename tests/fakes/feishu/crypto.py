"""Event encryption and signing exactly as Feishu's servers do it, without the SDK.

Feishu encrypts an event body with AES-256-CBC: the key is the SHA-256 digest
of the app's Encrypt Key, a random 16-byte IV is sent in front of the cipher
text, the plain text is PKCS#7-padded, and the whole is base64 in
``{"encrypt": ...}``. The signature header is
``sha256(timestamp + nonce + encrypt_key + raw_body)`` in hex, over the exact
bytes sent. Written from the platform's description, so tests can check the
SDK's primitives and the project's front door against an independent
implementation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from Crypto.Cipher import AES

BLOCK = 16

# The header names Feishu sends (HTTP header names are case-insensitive).
TIMESTAMP = "X-Lark-Request-Timestamp"
NONCE = "X-Lark-Request-Nonce"
SIGNATURE = "X-Lark-Signature"


def _key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode("utf-8")).digest()


def encrypt(plain: bytes, encrypt_key: str, *, iv: bytes | None = None) -> str:
    """Plain bytes as Feishu's base64(IV + AES-256-CBC(PKCS#7(plain)))."""
    iv = iv if iv is not None else os.urandom(BLOCK)
    pad = BLOCK - len(plain) % BLOCK
    padded = plain + bytes([pad]) * pad
    cipher = AES.new(_key(encrypt_key), AES.MODE_CBC, iv)
    return base64.b64encode(iv + cipher.encrypt(padded)).decode("ascii")


def decrypt(encrypted: str, encrypt_key: str) -> bytes:
    """The inverse of `encrypt` (raises ValueError on a bad padding or length)."""
    raw = base64.b64decode(encrypted)
    if len(raw) < 2 * BLOCK or len(raw) % BLOCK:
        raise ValueError("cipher text has a wrong length")
    cipher = AES.new(_key(encrypt_key), AES.MODE_CBC, raw[:BLOCK])
    padded = cipher.decrypt(raw[BLOCK:])
    pad = padded[-1]
    if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad PKCS#7 padding")
    return padded[:-pad]


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """The X-Lark-Signature of a request body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


@dataclass(frozen=True)
class SignedRequest:
    """An event request as Feishu sends it: headers and the exact body bytes."""

    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed (still encrypted when an encrypt key was used)."""
        return json.loads(self.body)


def build_request(
    payload: dict[str, Any],
    *,
    encrypt_key: str | None,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> SignedRequest:
    """Serialize, encrypt and sign an event body the way Feishu delivers it.

    Without an encrypt key Feishu sends the event in plain JSON and no signature.
    """
    plain = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if not encrypt_key:
        return SignedRequest(headers=headers, body=plain)
    body = json.dumps({"encrypt": encrypt(plain, encrypt_key)}).encode("utf-8")
    ts = timestamp if timestamp is not None else str(int(time.time()))
    nc = nonce if nonce is not None else secrets.token_hex(8)
    headers.update({TIMESTAMP: ts, NONCE: nc, SIGNATURE: signature(ts, nc, encrypt_key, body)})
    return SignedRequest(headers=headers, body=body)
