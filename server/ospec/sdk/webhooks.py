"""Receiving webhooks: check the HMAC-SHA256 signature in constant time, then parse the payload.

The platform signs the raw request body with the webhook's secret and sends
`X-OSpec-Signature: sha256=<hex>`. Verify the bytes exactly as received, before any JSON
parsing: re-serialised JSON would not match.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

from .errors import WebhookPayloadError, WebhookSignatureError
from .models import WebhookEvent

SIGNATURE_HEADER = "X-OSpec-Signature"
_PREFIX = "sha256="
_EMBEDDED = b',"signature":'


def sign(raw_body: bytes, secret: str | bytes) -> str:
    """`sha256=<hex HMAC of raw_body>`, as the platform computes it."""
    key = secret.encode() if isinstance(secret, str) else secret
    return _PREFIX + hmac.new(key, raw_body, hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, signature_header: str | None, secret: str | bytes) -> bool:
    """True when `signature_header` is a valid signature of `raw_body` under `secret`.

    Constant-time; a header listing several comma-separated signatures (secret rotation)
    passes when any of them matches.
    """
    if not signature_header or not secret:
        return False
    expected = sign(bytes(raw_body), secret).encode()
    ok = False
    for candidate in signature_header.split(","):
        # compare_digest on every candidate, so the timing does not reveal which one matched.
        ok |= hmac.compare_digest(candidate.strip().encode("ascii", "replace"), expected)
    return ok


def verify_payload_signature(raw_body: bytes, secret: str | bytes) -> bool:
    """Check the `signature` member inside the payload (for receivers that lose the headers).

    It signs the body without that member: the payload's last member is
    `,"signature":"sha256=..."`, and the signed bytes are everything before it plus `}`.
    """
    body = bytes(raw_body)
    cut = body.rfind(_EMBEDDED)
    if cut < 0:
        return False
    try:
        embedded = json.loads(body[cut + len(_EMBEDDED) : -1])
    except ValueError:
        return False
    if not isinstance(embedded, str):
        return False
    return verify_signature(body[:cut] + b"}", embedded, secret)


def parse_event(
    raw_body: bytes,
    *,
    secret: str | bytes | None = None,
    signature_header: str | None = None,
    tolerance_seconds: float | None = None,
) -> WebhookEvent:
    """Parse a webhook body into a WebhookEvent.

    With `secret`, the signature is checked first (the header's if given, else the embedded
    one) and WebhookSignatureError is raised when it does not match. With `tolerance_seconds`,
    events whose timestamp is further off than that raise WebhookPayloadError, which limits
    replays. Both errors are WebhookError.
    """
    body = bytes(raw_body)
    if secret is not None:
        ok = (
            verify_signature(body, signature_header, secret)
            if signature_header is not None
            else verify_payload_signature(body, secret)
        )
        if not ok:
            raise WebhookSignatureError("webhook signature does not match the secret")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise WebhookPayloadError(f"webhook body is not JSON: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise WebhookPayloadError("webhook body is not an OSpec event (no 'event' member)")
    event = WebhookEvent.from_json(data)
    if tolerance_seconds is not None:
        if event.timestamp is None:
            raise WebhookPayloadError("webhook event has no timestamp")
        age = (datetime.now(timezone.utc) - event.timestamp).total_seconds()
        if abs(age) > tolerance_seconds:
            raise WebhookPayloadError(
                f"webhook event is {age:.0f}s old, beyond the {tolerance_seconds:g}s tolerance"
            )
    return event
