"""Transport security and secrets: plain HTTP refused, TLS verified, redirects never carry the
token to another host, and the token appears in no log line, exception, traceback or repr."""

from __future__ import annotations

import logging
import pickle
import shutil
import ssl
import subprocess
import threading
import traceback
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import ospec
from ospec.sdk import RetryPolicy, Timeouts
from ospec.sdk.config import Secret

from .conftest import FAST_RETRIES, FAULTS, SandboxProcess, report, spec_yaml
from .proxy import Fault, Proxy

# --- plain HTTP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://api.example.com", "http://10.0.0.5:8765", "http://ospec.local"]
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ospec.InsecureURLError, match="plain HTTP"):
        ospec.Client("ospec_sk_x", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    with ospec.Client("ospec_sk_x", base_url=url) as c:
        assert c.base_url == url


def test_plain_http_can_be_allowed_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    with ospec.Client("ospec_sk_x", base_url="http://ci-sandbox:8765", allow_insecure_http=True):
        pass
    monkeypatch.setenv("OSPEC_ALLOW_INSECURE_HTTP", "1")
    with ospec.Client("ospec_sk_x", base_url="http://ci-sandbox:8765"):
        pass


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ospec.ConfigurationError, match="must not contain credentials"):
        ospec.Client("ospec_sk_x", base_url="https://user:pw@api.example.com")


def test_a_redirect_down_to_plain_http_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://api.example.com/api/v1/x"})

    c = ospec.Client(
        "ospec_sk_x", base_url="https://api.example.com", transport=httpx.MockTransport(answer)
    )
    with c, pytest.raises(ospec.InsecureURLError, match="redirect to plain HTTP"):
        c.get_project("p")


def test_a_redirect_that_would_drop_a_post_body_is_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/elsewhere"})

    c = ospec.Client(
        "ospec_sk_x", base_url="https://api.example.com", transport=httpx.MockTransport(answer)
    )
    with c, pytest.raises(ospec.APIError, match="would drop the request body"):
        c.create_project("id: x\n")


# --- TLS --------------------------------------------------------------------------------------


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """An HTTPS server on loopback with a certificate no CA vouches for."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers.items()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_tls_certificates_are_verified(
    self_signed_server: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = self_signed_server
    c = ospec.Client("ospec_sk_secret-tls", base_url=url, retries=RetryPolicy(max_attempts=1))
    with c, pytest.raises(ospec.ConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        c.get_project("p")
    assert seen == []  # the token never left the client


# --- redirects --------------------------------------------------------------------------------


@pytest.fixture
def other_host(sandbox: SandboxProcess) -> Iterator[Proxy]:
    """A second origin (another port) that forwards to the sandbox and records headers."""
    p = Proxy(sandbox.base_url)
    try:
        yield p
    finally:
        p.close()


def test_a_redirect_to_another_host_does_not_carry_the_token(
    sandbox: SandboxProcess, client: ospec.Client, proxy: Proxy, other_host: Proxy
) -> None:
    pid = client.create_project(spec_yaml(f"redir-{uuid.uuid4().hex[:6]}")).id
    path = f"/api/v1/projects/{pid}"
    proxy.plan(Fault("redirect", path, {"Location": other_host.url + path}))
    c = ospec.Client(sandbox.admin_key, base_url=proxy.url)
    with c, pytest.raises(ospec.AuthenticationError):
        c.get_project(pid)  # the other host had no token to show the sandbox
    (followed,) = other_host.requests_to("GET", path)
    assert "authorization" not in followed.headers


def test_a_redirect_within_the_same_origin_keeps_the_token(
    sandbox: SandboxProcess, client: ospec.Client, proxy: Proxy
) -> None:
    pid = client.create_project(spec_yaml(f"redir-{uuid.uuid4().hex[:6]}")).id
    path = f"/api/v1/projects/{pid}"
    proxy.plan(Fault("redirect", "/api/v1/old/", {"Location": path}))
    with ospec.Client(sandbox.admin_key, base_url=proxy.url) as c:
        response = c._send(
            ospec.sdk.operations.get_project("x").__class__("GET", "/api/v1/old/x", lambda r: r)
        )
        assert response.json()["project_id"] == pid
    assert proxy.requests_to("GET", path)[0].headers["authorization"].startswith("Bearer ")


# --- the token never shows --------------------------------------------------------------------


def test_the_token_is_masked_in_reprs(sandbox: SandboxProcess) -> None:
    token = sandbox.admin_key
    assert token is not None
    with ospec.Client(token, base_url=sandbox.base_url) as c:
        shown = [repr(c), str(c), repr(c.config), str(c.config), repr(c.config.api_token)]
    assert all(token not in s for s in shown)
    assert "********" in repr(c.config)
    with pytest.raises(TypeError):
        pickle.dumps(Secret(token))


def test_a_missing_token_says_where_to_put_it() -> None:
    with pytest.raises(ospec.MissingTokenError, match="OSPEC_API_TOKEN"):
        ospec.Client(base_url="http://127.0.0.1:1")


def test_a_malformed_token_is_refused_without_echoing_it() -> None:
    with pytest.raises(ospec.ConfigurationError) as caught:
        ospec.Client("ospec_sk_bad token\n", base_url="http://127.0.0.1:1")
    assert "bad token" not in str(caught.value)


def everything_said(records: list[logging.LogRecord], errors: list[BaseException]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    parts = []
    for record in records:
        parts += [formatter.format(record), repr(record.args), repr(record.msg)]
    for err in errors:
        parts += ["".join(traceback.format_exception(err)), repr(err), repr(vars(err))]
        cause: BaseException | None = err
        while cause is not None:  # the whole chain, even parts hidden by `from None`
            parts += [str(cause), repr(cause)]
            cause = cause.__context__ or cause.__cause__
    return "\n".join(parts)


def test_the_token_never_appears_in_logs_or_errors(
    sandbox: SandboxProcess,
    faults: httpx.Client,
    proxy: Proxy,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    token = sandbox.make_key(["projects:create", "projects:read", "artifacts:download"])
    wrong = "ospec_sk_" + uuid.uuid4().hex  # a token the server rejects must not show either
    for name in ("", "ospec", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    errors: list[BaseException] = []

    def expect(kind: type[BaseException], call: Any, *args: Any, **kwargs: Any) -> None:
        with pytest.raises(kind) as caught:
            call(*args, **kwargs)
        errors.append(caught.value)

    with ospec.Client(token, base_url=sandbox.base_url, retries=FAST_RETRIES) as c:
        created = c.create_project(spec_yaml(f"secret-{uuid.uuid4().hex[:6]}"))
        c.wait_for_completion(created.id, poll_interval=0.05, timeout=30)
        c.download_artifact(created.id, "source_code", tmp_path)
        expect(ospec.SpecValidationError, c.create_project, "id: [\n")
        expect(ospec.NotFoundError, c.get_project, "proj_nope")
        expect(ospec.PermissionDeniedError, c.create_api_key, "k", ["admin"])
        faults.post(FAULTS, json={"fail": {"count": 5, "path_prefix": "/api/v1/projects"}})
        expect(ospec.ServerError, c.list_projects)
        faults.delete(FAULTS)
        faults.post(FAULTS, json={"drop": {"count": 5, "path_prefix": "/api/v1/projects"}})
        expect(ospec.ConnectionError, c.list_projects)
        faults.delete(FAULTS)
    slow = Timeouts(read_timeout_ms=100)
    faults.post(FAULTS, json={"delay": {"seconds": 1, "count": 1}})
    with ospec.Client(token, base_url=sandbox.base_url, timeouts=slow, retries=RetryPolicy(max_attempts=1)) as c:  # fmt: skip
        expect(ospec.TimeoutError, c.get_project, created.id)
    proxy.plan(*[Fault("cut_body", "/api/v1/projects/")] * 3)
    with ospec.Client(token, base_url=proxy.url, retries=FAST_RETRIES) as c:
        expect(
            ospec.ConnectionError, c.download_artifact, created.id, "source_code", tmp_path / "x/"
        )
    with ospec.Client(wrong, base_url=sandbox.base_url) as c:
        expect(ospec.AuthenticationError, c.get_project, created.id)
    expect(ospec.InsecureURLError, ospec.Client, token, base_url="http://example.com")

    said = everything_said(caplog.records, errors)
    loggers = {r.name.split(".")[0] for r in caplog.records}
    assert {"httpx", "httpcore", "ospec"} <= loggers, loggers  # the capture really saw them
    assert len(errors) == 9
    assert token not in said and wrong not in said
    assert token.removeprefix("ospec_sk_")[:12] not in said  # not even a fragment
    report(
        f"token scan: {len(caplog.records)} log records (ospec, httpx, httpcore at DEBUG) and "
        f"{len(errors)} exception chains searched; token found 0 times"
    )


def test_loopback_traffic_never_goes_through_an_environment_proxy(
    sandbox: SandboxProcess, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would see a plain-http token: the SDK must bypass HTTP_PROXY for loopback.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with ospec.Client(sandbox.admin_key, base_url=sandbox.base_url) as c:
        assert c.list_projects(limit=1) is not None
    assert proxy.seen == []


def test_a_redirect_loop_ends_with_an_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"Location": request.url.path + "x"})

    c = ospec.Client(
        "ospec_sk_x", base_url="https://api.example.com", transport=httpx.MockTransport(answer)
    )
    with c, pytest.raises(ospec.APIError, match="too many redirects"):
        c.get_project("p")
