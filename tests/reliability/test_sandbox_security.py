"""Sandbox security (issue 8): loopback by default, keys stored hashed and never logged, a body
size limit, YAML that never builds objects, and webhook signatures the SDK checks safely."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import ospec.sdk.webhooks as sdk_webhooks
from ospec.webhooks import (
    WebhookPayloadError,
    WebhookSignatureError,
    parse_event,
    verify_payload_signature,
    verify_signature,
)

from ..sandbox.conftest import (
    LISTENING,
    SERVER_DIR,
    Receiver,
    SandboxProcess,
    spec_yaml,
    wait_until,
)

LIMIT = 4096
ARGS = [
    "--max-body-bytes", str(LIMIT),
    "--phase-seconds", "0.2",
    "--rate-limit", "0",
    "--log-level", "debug",
    "--access-log",
    "--webhook-backoff", "0.05",
    "--webhook-allow-host", "127.0.0.1",
]  # fmt: skip
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """No --host and no OSPEC_SANDBOX_ADMIN_KEY: the defaults a user gets."""
    root = tmp_path_factory.mktemp("secure")
    proc = SandboxProcess(root / "new" / "data", ARGS, log=root / "log")
    proc.start()
    try:
        yield proc
    finally:
        proc.kill()


@pytest.fixture
def admin(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client


def post_spec(client: httpx.Client, text: str) -> httpx.Response:
    return client.post("/api/v1/projects", content=text.encode(), headers=YAML)


# --- binding ---------------------------------------------------------------------------------


def test_binds_to_loopback_by_default(sandbox: SandboxProcess) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert "reachable from other machines" not in sandbox.stderr()


def test_is_not_reachable_on_other_interfaces_by_default(sandbox: SandboxProcess) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
        pass


def test_a_non_loopback_bind_is_announced_with_a_warning(tmp_path: Path) -> None:
    proc = SandboxProcess(tmp_path / "data", ["--host", "0.0.0.0"], log=tmp_path / "log")
    try:
        proc.start()
    finally:
        proc.kill()
    assert "warning: 0.0.0.0 is reachable from other machines" in proc.stderr()


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP connect picks a route; nothing is sent
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


# --- keys ------------------------------------------------------------------------------------


def test_keys_are_stored_hashed_and_appear_nowhere_in_the_data_dir(
    sandbox: SandboxProcess, admin: httpx.Client
) -> None:
    assert sandbox.admin_key, "a first start prints the generated admin key"
    keys = [sandbox.admin_key]
    for scopes in (["projects:create", "projects:read"], ["webhooks:write"], ["admin"]):
        keys.append(sandbox.make_key(scopes))
    with sandbox.client(keys[1]) as client:  # use the keys, so they flow through every layer
        assert post_spec(client, spec_yaml("hashed-keys")).status_code == 201
    listing = admin.get("/api/v1/auth/api-keys")
    assert not any(key in listing.text for key in keys)

    db = sqlite3.connect(sandbox.data_dir / "sandbox.sqlite3")
    try:
        hashes = {row[0] for row in db.execute("SELECT key_hash FROM api_keys")}
    finally:
        db.close()
    assert {hashlib.sha256(key.encode()).hexdigest() for key in keys} <= hashes
    files = [p for p in sandbox.data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"sandbox.sqlite3", "sandbox.sqlite3-wal"}
    for path in files:  # the WAL too: recent writes live there until a checkpoint
        content = path.read_bytes()
        for key in keys:
            secret = key.removeprefix("ospec_sk_")
            assert secret.encode() not in content, f"a key in plaintext in {path.name}"


def test_an_admin_key_from_the_environment_is_stored_hashed_too(tmp_path: Path) -> None:
    key = "ospec_sk_" + secrets.token_urlsafe(32)
    proc = SandboxProcess(tmp_path / "data", [], admin_key=key, log=tmp_path / "log")
    try:
        proc.start()
        assert not any(key in line for line in proc.lines), (
            "a key from the environment is not echoed"
        )
        with proc.client() as client:
            assert client.get("/api/v1/auth/api-keys").status_code == 200
    finally:
        proc.kill()
    for path in (tmp_path / "data").iterdir():
        assert key.removeprefix("ospec_sk_").encode() not in path.read_bytes(), path.name


def test_a_new_data_dir_is_private_to_the_user(sandbox: SandboxProcess) -> None:
    # It holds webhook secrets, which must stay in plaintext to sign deliveries.
    assert stat.S_IMODE(sandbox.data_dir.stat().st_mode) == 0o700


def test_the_database_is_private_even_in_a_shared_dir(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    proc = SandboxProcess(
        shared, [], admin_key="ospec_sk_" + secrets.token_urlsafe(32), log=tmp_path / "log"
    )
    try:
        proc.start()
        with proc.client() as client:  # a write, so the WAL exists too
            hook = {"url": "http://127.0.0.1:9/x", "events": ["project.created"], "secret": "s"}
            assert client.post("/api/v1/webhooks", json=hook).status_code == 201
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in shared.glob("sandbox.sqlite3*")}
    finally:
        proc.kill()
    assert set(modes) >= {"sandbox.sqlite3", "sandbox.sqlite3-wal"}
    assert set(modes.values()) == {0o600}, modes


def test_keys_never_reach_the_logs_even_at_debug_level(tmp_path: Path) -> None:
    admin_key = "ospec_sk_" + secrets.token_urlsafe(32)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSPEC_SANDBOX_")}
    env.update(OSPEC_SANDBOX_ADMIN_KEY=admin_key, PYTHONPATH=str(SERVER_DIR))
    cmd = [sys.executable, "-m", "ospec.sandbox", "--port", "0", "--data-dir", str(tmp_path)]
    with out.open("w") as sink:  # stdout and stderr: uvicorn's access log goes to stdout
        proc = subprocess.Popen([*cmd, *ARGS], stdout=sink, stderr=sink, env=env)
    try:
        line = wait_until(lambda: _listening(out), timeout=30, what="the sandbox to listen")
        sandbox = SandboxProcess(tmp_path, [], admin_key=admin_key, log=out)
        sandbox.base_url = line.removeprefix(LISTENING)
        reader = sandbox.make_key(["projects:read"])
        wrong = "ospec_sk_" + secrets.token_urlsafe(32)
        with sandbox.client(reader) as client:
            assert client.get("/api/v1/projects").status_code == 200
            assert client.post("/api/v1/webhooks", json={}).status_code == 403
        with sandbox.client(wrong) as client:
            assert client.get("/api/v1/projects").status_code == 401
        wait_until(lambda: "401" in out.read_text(), what="the access log of the last request")
    finally:
        proc.kill()
        proc.wait(10)
    log = out.read_text()
    assert '"GET /api/v1/projects HTTP/1.1" 200' in log and "DEBUG" in log
    for key in (admin_key, reader, wrong):
        assert key.removeprefix("ospec_sk_") not in log


def _listening(out: Path) -> str | None:
    return next((x for x in out.read_text().splitlines() if x.startswith(LISTENING)), None)


# --- request size ----------------------------------------------------------------------------


def padded_spec(size: int) -> bytes:
    """A valid spec of exactly `size` bytes: the rest is a YAML comment."""
    text = spec_yaml("padded-" + secrets.token_hex(4)) + "# "
    return (text + "x" * (size - len(text) - 1) + "\n").encode()


def test_a_body_at_the_limit_is_accepted(admin: httpx.Client) -> None:
    body = padded_spec(LIMIT)
    assert len(body) == LIMIT
    assert admin.post("/api/v1/projects", content=body, headers=YAML).status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "media_type"),
    [
        ("POST", "/api/v1/projects", "application/yaml"),
        ("PUT", "/api/v1/projects/{pid}/agents/implementer", "application/json"),
        ("POST", "/api/v1/webhooks", "application/json"),
        ("POST", "/api/v1/auth/api-keys", "application/json"),
    ],
)
def test_a_body_over_the_limit_is_413_and_writes_nothing(
    admin: httpx.Client, method: str, path: str, media_type: str
) -> None:
    pid = post_spec(admin, spec_yaml("size-target")).json()["project_id"]
    before = _counts(admin, pid)
    body = padded_spec(LIMIT + 1)
    if media_type == "application/json":  # valid JSON, just too long
        body = json.dumps({"agent_id": "a", "name": "n", "pad": "x" * LIMIT}).encode()
    url = path.format(pid=pid)
    declared = admin.request(method, url, content=body, headers={"Content-Type": media_type})
    streamed = admin.request(  # no Content-Length: the limit applies while reading
        method, url, content=iter([body[:1000], body[1000:]]), headers={"Content-Type": media_type}
    )
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "payload_too_large"
        assert response.json()["error"]["limit_bytes"] == LIMIT
    assert _counts(admin, pid) == before


def _counts(client: httpx.Client, pid: str) -> tuple[Any, ...]:
    return (
        client.get("/api/v1/projects", params={"limit": "1"}).json()["projects"][0]["project_id"],
        client.get(f"/api/v1/projects/{pid}").json()["agents"],
        len(client.get("/api/v1/webhooks").json()["webhooks"]),
        len(client.get("/api/v1/auth/api-keys").json()["api_keys"]),
    )


# --- YAML ------------------------------------------------------------------------------------


def python_tags(marker: Path) -> dict[str, str]:
    """Tags that make an unsafe loader run code; each would create `marker`."""
    touch = json.dumps(["touch", str(marker)])
    return {
        "apply": f"!!python/object/apply:subprocess.check_call [{touch}]",
        "new": f"!!python/object/new:subprocess.Popen [{touch}]",
        "system": f'!!python/object/apply:os.system ["touch {marker}"]',
        "name": "!!python/name:os.system",
        "module": "!!python/module:os",
        "local": "!custom",
    }


@pytest.mark.parametrize("kind", ["apply", "new", "system", "name", "module", "local"])
@pytest.mark.parametrize("where", ["unknown key", "tag list", "task"])
def test_yaml_tags_in_a_posted_spec_never_build_objects(
    admin: httpx.Client, tmp_path: Path, kind: str, where: str
) -> None:
    marker = tmp_path / "pwned"
    tag = python_tags(marker)[kind]
    value = f"{tag} x" if kind in ("name", "module", "local") else tag
    extra = {
        "unknown key": f"x-extension: {value}\n",
        "tag list": f"metadata:\n  tags:\n    - {value}\n",
        "task": f"tasks:\n  - id: t1\n    title: Tagged task\n    description: {value}\n",
    }[where]
    text = spec_yaml(f"tagged-{kind}-{where.replace(' ', '-')}") + extra
    response = post_spec(admin, text)
    assert response.status_code in (201, 422), response.text
    time.sleep(0.05)  # a spawned process would have touched the marker by now
    assert not marker.exists()
    if response.status_code == 201:  # stored as sent, read back as text
        spec_url = response.json()["spec_url"]
        assert admin.get(spec_url).text == text


def test_a_spec_with_only_a_tag_warning_is_accepted(admin: httpx.Client) -> None:
    # The core reads an unknown tag's value as text and warns; the sandbox agrees, not a 422.
    text = spec_yaml("local-tag", tags=()) + "metadata:\n  tags: [!custom api]\n"
    response = post_spec(admin, text)
    assert response.status_code == 201, response.text
    codes = {f["code"] for f in response.json()["findings"]}
    assert "OSPEC-Y010" in codes


def test_an_alias_bomb_is_refused_with_a_finding(admin: httpx.Client) -> None:
    levels = ['x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 9):
        levels.append(f"x{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    text = spec_yaml("bomb") + "metadata:\n  notes:\n" + "".join(f"    {x}\n" for x in levels)
    response = post_spec(admin, text)
    assert response.status_code == 422
    assert "OSPEC-Y007" in {f["code"] for f in response.json()["error"]["findings"]}
    assert admin.get("/api/v1/projects", params={"limit": "1"}).status_code == 200


# --- webhook signatures (the SDK verifier) ---------------------------------------------------


@pytest.fixture(scope="module")
def delivery(sandbox: SandboxProcess) -> Iterator[tuple[str, str, bytes]]:
    """(secret, X-OSpec-Signature, raw body) of one real delivery from the sandbox."""
    receiver, secret = Receiver(), secrets.token_hex(16)
    try:
        with sandbox.client() as admin:
            hook = {"url": receiver.url, "events": ["project.created"], "secret": secret}
            webhook_id = admin.post("/api/v1/webhooks", json=hook).json()["webhook_id"]
            post_spec(admin, spec_yaml("signed"))
            headers, body = wait_until(lambda: receiver.received(), what="a delivery")[0]
            admin.delete(f"/api/v1/webhooks/{webhook_id}")
        yield secret, headers["x-ospec-signature"], body
    finally:
        receiver.close()


def test_a_real_delivery_verifies(delivery: tuple[str, str, bytes]) -> None:
    secret, signature, body = delivery
    assert verify_signature(body, signature, secret)
    assert verify_payload_signature(body, secret)
    assert parse_event(body, secret=secret, signature_header=signature).event == "project.created"


def test_signatures_are_compared_in_constant_time(
    delivery: tuple[str, str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, signature, body = delivery
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(sdk_webhooks.hmac, "compare_digest", spy)
    forged = "sha256=" + "0" * 64
    assert verify_signature(body, signature, secret)
    assert not verify_signature(body, forged, secret)
    assert [a for a, _ in compared] == [signature.encode(), forged.encode()]


def tampered(body: bytes) -> bytes:
    return body.replace(b'"project.created"', b'"project.failed"', 1)


def test_missing_or_invalid_signatures_are_rejected(delivery: tuple[str, str, bytes]) -> None:
    secret, signature, body = delivery
    hex_part = signature.removeprefix("sha256=")
    rejected = {
        "missing header": (body, None, secret),
        "empty header": (body, "", secret),
        "no sha256= prefix": (body, hex_part, secret),
        "upper-case hex": (body, "sha256=" + hex_part.upper(), secret),
        "truncated": (body, signature[:-2], secret),
        "wrong secret": (body, signature, secret + "x"),
        "empty secret": (body, sdk_webhooks.sign(body, ""), ""),
        "tampered body": (tampered(body), signature, secret),
    }
    for case, (raw, header, key) in rejected.items():
        assert not verify_signature(raw, header, key), case
    for raw in (tampered(body), body.replace(b',"signature":', b',"signed":')):
        assert not verify_payload_signature(raw, secret)
        with pytest.raises(WebhookSignatureError):
            parse_event(raw, secret=secret)  # no header: the embedded signature must hold
    with pytest.raises(WebhookSignatureError):
        parse_event(body, secret=secret, signature_header="sha256=" + "0" * 64)


def test_a_replayed_old_event_is_rejected_when_a_tolerance_is_set() -> None:
    secret = "replay-secret"
    old = {"id": "evt_1", "event": "project.created", "timestamp": "2020-01-01T00:00:00.000Z"}
    body = json.dumps(old, sort_keys=True, separators=(",", ":")).encode()
    signature = sdk_webhooks.sign(body, secret)
    assert parse_event(body, secret=secret, signature_header=signature).id == "evt_1"
    with pytest.raises(WebhookPayloadError, match="tolerance"):
        parse_event(body, secret=secret, signature_header=signature, tolerance_seconds=300)
