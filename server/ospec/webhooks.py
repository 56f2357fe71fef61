"""Verify and parse OSpec webhooks (`ospec.webhooks`); see `ospec.sdk.webhooks` for details.

from ospec.webhooks import parse_event, verify_signature

if not verify_signature(raw_body, headers["X-OSpec-Signature"], secret):
    return 401
event = parse_event(raw_body)
"""

from __future__ import annotations

from .sdk.errors import WebhookError, WebhookPayloadError, WebhookSignatureError
from .sdk.models import WebhookEvent
from .sdk.webhooks import (
    SIGNATURE_HEADER,
    parse_event,
    sign,
    verify_payload_signature,
    verify_signature,
)

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookError",
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "parse_event",
    "sign",
    "verify_payload_signature",
    "verify_signature",
]
