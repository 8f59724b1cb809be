"""Feishu's endpoint behind the front door: POST /feishu/events (events and card callbacks).

The verification token, the signature and the AES decryption are checked on
the raw bytes first (handlers.feishu.verify): a request that fails any of
them gets 401 and nothing is stored. Feishu's URL check gets its challenge
back; an authentic event goes to the intake, which stores it before this
answers 200 (with the toast and card of a card click). An event that cannot
be stored gets 503, so Feishu sends it again.
"""

from __future__ import annotations

import logging

from bot.ports import DeliveryError
from handlers.feishu.intake import Intake
from handlers.feishu.runtime import StoreUnavailable
from handlers.feishu.verify import Challenge, FeishuSecrets, Ignored, Refused, open_request
from handlers.runtime.frontdoor import Request, Response

log = logging.getLogger(__name__)


class FeishuEndpoint:
    """Verifies, reads and hands over one Feishu request."""

    def __init__(self, intake: Intake, secrets: FeishuSecrets) -> None:
        self.intake = intake
        self.secrets = secrets

    def __call__(self, request: Request) -> Response:
        try:
            opened = open_request(body=request.body, headers=request.headers, secrets=self.secrets)
        except Refused as refused:
            log.info("refused a Feishu request (%d): %s", refused.status, refused.reason)
            return Response.json(refused.status, {"error": "invalid request"})
        if isinstance(opened, Challenge):
            return Response.json(200, opened.answer())
        if isinstance(opened, Ignored):
            log.info("ignored %s", opened.reason)
            return Response.json(200, {})
        try:
            answer = self.intake.receive(opened)
        except StoreUnavailable as exc:
            log.error("the inbox is unavailable; Feishu event not acknowledged: %s", exc)
            return Response.json(503, {"error": "try again"})
        except (DeliveryError, LookupError) as exc:
            # Which tenant is ours could not be found out yet: Feishu sends the event again.
            log.error("could not check the Feishu event's tenant: %s", exc)
            return Response.json(503, {"error": "try again"})
        return Response.json(200, answer or {})
