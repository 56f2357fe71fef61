"""Receiving webhooks with `ospec.webhooks`: the sandbox's real deliveries verify and parse."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import ospec
from ospec.webhooks import (
    SIGNATURE_HEADER,
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    sign,
    verify_payload_signature,
    verify_signature,
)

from .conftest import Receiver, spec_yaml, wait_until

SECRET = "whsec_" + uuid.uuid4().hex


@pytest.fixture
def delivery(client: ospec.Client, receiver: Receiver) -> tuple[dict[str, str], bytes, str]:
    """One real project.created delivery: (headers, raw body, project id)."""
    client.register_webhook(receiver.url, ["project.created"], SECRET)
    pid = client.create_project(spec_yaml(f"hook-{uuid.uuid4().hex[:6]}")).id

    def mine() -> tuple[dict[str, str], bytes] | None:
        return next((r for r in receiver.received() if pid.encode() in r[1]), None)

    headers, body = wait_until(mine, what="the webhook delivery")
    return headers, body, pid


def test_a_real_delivery_verifies_and_parses(delivery: tuple[dict[str, str], bytes, str]) -> None:
    headers, body, pid = delivery
    signature = headers[SIGNATURE_HEADER.lower()]
    assert verify_signature(body, signature, SECRET)
    event = parse_event(body, secret=SECRET, signature_header=signature, tolerance_seconds=300)
    assert event.event == "project.created" and event.project_id == pid
    assert event.timestamp is not None and event.timestamp.tzinfo is not None


def test_the_embedded_signature_verifies_too(delivery: tuple[dict[str, str], bytes, str]) -> None:
    _, body, pid = delivery
    assert verify_payload_signature(body, SECRET)
    assert parse_event(body, secret=SECRET).project_id == pid


def test_a_wrong_secret_or_tampered_body_is_rejected(
    delivery: tuple[dict[str, str], bytes, str],
) -> None:
    headers, body, _ = delivery
    signature = headers[SIGNATURE_HEADER.lower()]
    assert not verify_signature(body, signature, "another-secret")
    assert not verify_signature(body.replace(b"project.created", b"project.failed"), signature, SECRET)  # fmt: skip
    assert not verify_signature(body, None, SECRET) and not verify_signature(body, "", SECRET)
    with pytest.raises(WebhookSignatureError):
        parse_event(body, secret="another-secret", signature_header=signature)


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    body = b'{"event":"project.created"}'
    header = f"{sign(body, 'old')}, {sign(body, 'new')}"
    assert verify_signature(body, header, "new") and verify_signature(body, header, "old")
    assert not verify_signature(body, header, "other")


def test_stale_events_are_refused_when_a_tolerance_is_given() -> None:
    old = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    body = json.dumps({"event": "project.created", "timestamp": old}).encode()
    assert parse_event(body).event == "project.created"
    with pytest.raises(WebhookPayloadError, match="beyond the 300s tolerance"):
        parse_event(body, tolerance_seconds=300)


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"data": {}}'])
def test_a_body_that_is_no_event_is_refused(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_event(body)
