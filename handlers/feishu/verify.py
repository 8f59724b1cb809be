"""The front door for Feishu's HTTP requests: authenticate, decrypt, and read the envelope.

Everything is checked on the raw bytes before anything else happens: the size,
the signature (``sha256(timestamp + nonce + encrypt_key + body)``, when an
Encrypt Key is set), the AES-256-CBC decryption, and the verification token
inside. A request that fails any of these is `Refused` with 401 and nothing
is stored. lark-oapi's own dispatcher answers a request without signature
headers with an exception, and needs the SDK loaded; this module needs only
pycryptodome, so the check is cheap and explicit. What it returns is for the
inbox: a `Challenge` to answer, an `Ignored` request (authentic, but not for
this app or tenant), or the `Envelope` of an event or card callback.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from Crypto.Cipher import AES
from Crypto.Util.Padding import unpad

from bot.config import Settings

MAX_BODY = 1024 * 1024
TIMESTAMP = "x-lark-request-timestamp"
NONCE = "x-lark-request-nonce"
SIGNATURE = "x-lark-signature"

JSON = dict[str, Any]


class Refused(Exception):
    """Not answered as Feishu expects: 401 (not authentic), 413 (too big), 400 (malformed)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class FeishuSecrets:
    """What the front door checks requests with."""

    app_id: str
    verification_token: str
    encrypt_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> FeishuSecrets:
        """FEISHU_APP_ID, FEISHU_VERIFICATION_TOKEN and FEISHU_ENCRYPT_KEY."""
        settings.require("feishu_app_id", "feishu_verification_token")
        key = settings.feishu_encrypt_key
        return cls(
            app_id=str(settings.feishu_app_id),
            verification_token=settings.secret("feishu_verification_token"),
            encrypt_key=key.get_secret_value() if key is not None else None,
        )


@dataclass(frozen=True)
class Challenge:
    """Feishu checking the request URL: answer with the challenge."""

    challenge: str

    def answer(self) -> JSON:
        """The JSON body of the answer."""
        return {"challenge": self.challenge}


@dataclass(frozen=True)
class Ignored:
    """An authentic request that is not for this app or tenant: answer 200, keep nothing."""

    reason: str


@dataclass(frozen=True)
class Envelope:
    """An authentic event or card callback, decrypted, as the inbox stores it."""

    event_id: str
    event_type: str
    tenant_key: str
    app_id: str
    create_time: str
    payload: JSON  # the whole decrypted body: {"schema", "header", "event"}

    @property
    def event(self) -> JSON:
        """The event itself."""
        event = self.payload.get("event")
        return event if isinstance(event, dict) else {}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _check_signature(body: bytes, headers: Mapping[str, str], key: str) -> None:
    timestamp, nonce = _header(headers, TIMESTAMP), _header(headers, NONCE)
    signature = _header(headers, SIGNATURE)
    if not timestamp or not nonce or not signature:
        raise Refused(401, "the request carries no Feishu signature headers")
    expected = hashlib.sha256((timestamp + nonce + key).encode("utf-8") + body).hexdigest()
    if not _same(expected, signature.strip().lower()):
        raise Refused(401, "the Feishu signature does not match (wrong FEISHU_ENCRYPT_KEY?)")


def decrypt(encrypted: str, key: str) -> bytes:
    """Feishu's base64(IV + AES-256-CBC(PKCS#7)) with the SHA-256 of the Encrypt Key."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused(401, "the encrypted event is not base64") from exc
    if len(raw) < 2 * AES.block_size or len(raw) % AES.block_size:
        raise Refused(401, "the encrypted event has a wrong length")
    cipher = AES.new(hashlib.sha256(key.encode("utf-8")).digest(), AES.MODE_CBC, raw[:16])
    try:
        return unpad(cipher.decrypt(raw[16:]), AES.block_size)
    except ValueError as exc:
        raise Refused(401, "the event does not decrypt with FEISHU_ENCRYPT_KEY") from exc


def _json(data: bytes, what: str) -> JSON:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(401, f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise Refused(401, f"{what} is not a JSON object")
    return value


def _plain(body: bytes, headers: Mapping[str, str], secrets: FeishuSecrets) -> JSON:
    """The request's event as plain JSON, once the signature and encryption check out."""
    outer = _json(body, "the request body")
    if not secrets.encrypt_key:
        if "encrypt" in outer:
            raise Refused(401, "the event is encrypted but FEISHU_ENCRYPT_KEY is not set")
        return outer
    _check_signature(body, headers, secrets.encrypt_key)
    encrypted = outer.get("encrypt")
    if not isinstance(encrypted, str):
        raise Refused(401, "the event is not encrypted although FEISHU_ENCRYPT_KEY is set")
    return _json(decrypt(encrypted, secrets.encrypt_key), "the decrypted event")


def open_request(
    *,
    body: bytes,
    headers: Mapping[str, str],
    secrets: FeishuSecrets,
    tenant_key: str | None = None,
) -> Envelope | Challenge | Ignored:
    """Authenticate and read one request to /feishu/events (raises Refused)."""
    if len(body) > MAX_BODY:
        raise Refused(413, f"the request body is over {MAX_BODY} bytes")
    payload = _plain(body, headers, secrets)
    head = payload.get("header")
    head = head if isinstance(head, dict) else {}
    token = head.get("token") if payload.get("schema") else payload.get("token")
    if not isinstance(token, str) or not _same(token, secrets.verification_token):
        raise Refused(401, "the verification token does not match FEISHU_VERIFICATION_TOKEN")
    if payload.get("type") == "url_verification":
        challenge = payload.get("challenge")
        if not isinstance(challenge, str):
            raise Refused(400, "url_verification without a challenge")
        return Challenge(challenge)
    return envelope_of(payload, app_id=secrets.app_id, tenant_key=tenant_key)


def envelope_of(payload: JSON, *, app_id: str, tenant_key: str | None = None) -> Envelope | Ignored:
    """The envelope of an authentic event payload (HTTP, or the long connection's).

    Raises Refused(400) when it has no event id or type.
    """
    head = payload.get("header")
    head = head if isinstance(head, dict) else {}
    if payload.get("schema") != "2.0":
        return Ignored("an event of the old (1.0) schema; subscribe to 2.0 events")
    if head.get("app_id") != app_id:
        return Ignored(f"an event of another app ({head.get('app_id')})")
    if tenant_key is not None and head.get("tenant_key") != tenant_key:
        return Ignored(f"an event of another tenant ({head.get('tenant_key')})")
    event_id, event_type = head.get("event_id"), head.get("event_type")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
        raise Refused(400, "the event has no event_id or event_type")
    return Envelope(
        event_id=event_id,
        event_type=event_type,
        tenant_key=str(head.get("tenant_key") or ""),
        app_id=app_id,
        create_time=str(head.get("create_time") or ""),
        payload=payload,
    )
