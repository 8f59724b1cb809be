"""The Feishu front door with requests built as Feishu builds them, and forged ones."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError
from handlers.feishu.verify import (
    MAX_BODY,
    Challenge,
    Envelope,
    FeishuSecrets,
    Ignored,
    Refused,
    open_request,
)
from tests.conftest import make_settings
from tests.fakes.feishu import crypto, events
from tests.fakes.feishu.server import FakeFeishu
from tests.fakes.feishu.tenant import ALICE, LOGISTICS

APP = "cli_frontdoor"
TOKEN = "v-token"
KEY = "e-key"
SECRETS = FeishuSecrets(app_id=APP, verification_token=TOKEN, encrypt_key=KEY)
PLAIN = FeishuSecrets(app_id=APP, verification_token=TOKEN, encrypt_key=None)


def _event(**header: str) -> dict[str, object]:
    values = {"app_id": APP, "tenant_key": "t1", "token": TOKEN, **header}
    body = events.message_event(chat_id=LOGISTICS, sender=ALICE, text="@_user_1 ask")
    payload = events.envelope(
        events.MESSAGE_RECEIVE,
        body,
        app_id=values["app_id"],
        tenant_key=values["tenant_key"],
        token=values["token"],
        event_id=header.get("event_id"),
    )
    return payload


def _open(request: crypto.SignedRequest, secrets: FeishuSecrets = SECRETS, **kw: str) -> object:
    return open_request(body=request.body, headers=request.headers, secrets=secrets, **kw)


def _refused(request: crypto.SignedRequest, secrets: FeishuSecrets = SECRETS) -> Refused:
    with pytest.raises(Refused) as caught:
        _open(request, secrets)
    return caught.value


def test_an_encrypted_signed_event_opens() -> None:
    """A genuine event gives its id, type, tenant and the decrypted payload."""
    payload = _event(event_id="ev-1")
    opened = _open(crypto.build_request(payload, encrypt_key=KEY))
    assert isinstance(opened, Envelope)
    assert (opened.event_id, opened.event_type, opened.tenant_key, opened.app_id) == (
        "ev-1",
        events.MESSAGE_RECEIVE,
        "t1",
        APP,
    )
    assert opened.payload == payload
    assert opened.event["message"]["chat_id"] == LOGISTICS


def test_header_names_are_case_insensitive() -> None:
    """WSGI servers and proxies change header case; the check does not care."""
    request = crypto.build_request(_event(), encrypt_key=KEY)
    lower = crypto.SignedRequest({k.lower(): v for k, v in request.headers.items()}, request.body)
    assert isinstance(_open(lower), Envelope)


def test_url_verification_is_answered() -> None:
    """The console's check of the request URL, encrypted or plain, gets its challenge back."""
    check = events.url_verification(token=TOKEN, challenge="ch-1")
    opened = _open(crypto.build_request(check, encrypt_key=KEY))
    assert isinstance(opened, Challenge) and opened.answer() == {"challenge": "ch-1"}
    plain = _open(crypto.build_request(check, encrypt_key=None), PLAIN)
    assert plain == Challenge("ch-1")
    forged = events.url_verification(token="guess", challenge="ch-2")
    assert _refused(crypto.build_request(forged, encrypt_key=KEY)).status == 401


def test_without_an_encrypt_key_the_token_decides() -> None:
    """With no Encrypt Key Feishu sends plain JSON; only the verification token proves it."""
    assert isinstance(_open(crypto.build_request(_event(), encrypt_key=None), PLAIN), Envelope)
    forged = crypto.build_request(_event(token="guess"), encrypt_key=None)
    assert _refused(forged, PLAIN).status == 401
    encrypted = crypto.build_request(_event(), encrypt_key=KEY)
    assert "FEISHU_ENCRYPT_KEY is not set" in _refused(encrypted, PLAIN).reason


def _tampered(**change: object) -> crypto.SignedRequest:
    request = crypto.build_request(_event(), encrypt_key=KEY)
    headers = dict(request.headers)
    body = request.body
    if "drop" in change:
        headers.pop(str(change["drop"]))
    if "signature" in change:
        headers[crypto.SIGNATURE] = str(change["signature"])
    if "body" in change:
        body = change["body"] if isinstance(change["body"], bytes) else body
    return crypto.SignedRequest(headers, body)


def _resigned(body: bytes, key: str = KEY) -> crypto.SignedRequest:
    ts, nonce = "1700000000", "n1"
    headers = {
        crypto.TIMESTAMP: ts,
        crypto.NONCE: nonce,
        crypto.SIGNATURE: crypto.signature(ts, nonce, key, body),
    }
    return crypto.SignedRequest(headers, body)


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda: _tampered(drop=crypto.SIGNATURE), id="no signature"),
        pytest.param(lambda: _tampered(drop=crypto.TIMESTAMP), id="no timestamp"),
        pytest.param(lambda: _tampered(drop=crypto.NONCE), id="no nonce"),
        pytest.param(lambda: _tampered(signature="0" * 64), id="wrong signature"),
        pytest.param(
            lambda: crypto.build_request(_event(), encrypt_key="another key"), id="other key"
        ),
        pytest.param(
            lambda: _resigned(
                json.dumps({"encrypt": crypto.encrypt(b'{"schema": "2.0"}', "other")}).encode()
            ),
            id="signed, encrypted with another key",
        ),
        pytest.param(lambda: _resigned(json.dumps(_event()).encode()), id="signed, not encrypted"),
        pytest.param(lambda: _resigned(b'{"encrypt": "%%%"}'), id="not base64"),
        pytest.param(lambda: _resigned(b'{"encrypt": "AAAA"}'), id="too short"),
        pytest.param(lambda: _resigned(b"not json"), id="not json"),
        pytest.param(
            lambda: _resigned(json.dumps({"encrypt": crypto.encrypt(b"[1]", KEY)}).encode()),
            id="decrypts to a list",
        ),
        pytest.param(
            lambda: crypto.build_request(_event(token="guess"), encrypt_key=KEY),
            id="wrong verification token",
        ),
    ],
)
def test_forged_requests_get_401(forged: object) -> None:
    """Anything not signed, encrypted and tokened as Feishu does it is refused with 401."""
    assert callable(forged)
    assert _refused(forged()).status == 401


def test_a_body_changed_after_signing_is_refused() -> None:
    """The signature covers the exact bytes: re-serialising the body breaks it."""
    request = crypto.build_request(_event(), encrypt_key=KEY)
    reformatted = json.dumps(json.loads(request.body), indent=1).encode()
    assert _refused(crypto.SignedRequest(request.headers, reformatted)).status == 401


def test_bodies_over_a_mebibyte_get_413() -> None:
    """The size is checked before anything is parsed."""
    huge = crypto.SignedRequest({}, b" " * (MAX_BODY + 1))
    assert _refused(huge).status == 413


def test_authentic_but_not_ours_is_ignored() -> None:
    """Another app's event, another tenant's, or the old schema: 200 and nothing kept."""
    other_app = _open(crypto.build_request(_event(app_id="cli_other"), encrypt_key=KEY))
    assert isinstance(other_app, Ignored)
    request = crypto.build_request(_event(tenant_key="t2"), encrypt_key=KEY)
    assert isinstance(_open(request, tenant_key="t1"), Ignored)
    assert isinstance(_open(request, tenant_key="t2"), Envelope)
    old = {"uuid": "u1", "token": TOKEN, "ts": "1", "type": "event_callback", "event": {}}
    assert isinstance(_open(crypto.build_request(old, encrypt_key=KEY)), Ignored)


def test_an_event_without_an_id_is_malformed() -> None:
    """Authentic but unusable: 400, not a crash."""
    payload = _event()
    del payload["header"]["event_id"]  # type: ignore[index, attr-defined]
    assert _refused(crypto.build_request(payload, encrypt_key=KEY)).status == 400


def test_the_fakes_deliveries_open(feishu: FakeFeishu) -> None:
    """Events the fake delivers open with settings naming the fake's app."""
    secrets = FeishuSecrets(feishu.app_id, feishu.verification_token, feishu.encrypt_key)
    payload = feishu.person_message(chat_id=LOGISTICS, sender=ALICE, text="你好")
    opened = _open(feishu.signed(payload), secrets, tenant_key=feishu.tenant_key)
    assert isinstance(opened, Envelope) and opened.event_id == payload["header"]["event_id"]


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.builds(lambda s: json.dumps({"encrypt": s}).encode(), st.text(max_size=80)),
        st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(st.text(), st.text())),
    ),
    headers=st.dictionaries(
        st.sampled_from([crypto.TIMESTAMP, crypto.NONCE, crypto.SIGNATURE, "X-Other"]),
        st.text(max_size=70),
    ),
    keyed=st.booleans(),
)
def test_nothing_a_client_sends_escapes_as_an_error(
    body: bytes, headers: dict[str, str], keyed: bool
) -> None:
    """Any bytes and headers end in an answer or a Refused, never another exception."""
    try:
        result = open_request(body=body, headers=headers, secrets=SECRETS if keyed else PLAIN)
    except Refused as refused:
        assert refused.status in (400, 401, 413)
    else:
        assert isinstance(result, Envelope | Challenge | Ignored)


def test_secrets_come_from_settings() -> None:
    """FEISHU_APP_ID and FEISHU_VERIFICATION_TOKEN are required; the Encrypt Key is not."""
    with pytest.raises(ConfigError) as missing:
        FeishuSecrets.from_settings(make_settings())
    assert "FEISHU_APP_ID" in str(missing.value) and "FEISHU_VERIFICATION_TOKEN" in str(
        missing.value
    )
    secrets = FeishuSecrets.from_settings(
        make_settings(feishu_app_id=APP, feishu_verification_token=TOKEN)
    )
    assert secrets == PLAIN
    keyed = make_settings(
        feishu_app_id=APP,
        feishu_verification_token=TOKEN,
        feishu_encrypt_key=KEY,
        feishu_api_url="https://open.larksuite.com/",
    )
    assert FeishuSecrets.from_settings(keyed) == SECRETS
    assert keyed.feishu_api_url == "https://open.larksuite.com"
