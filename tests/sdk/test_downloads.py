"""Artifact downloads: the server's file name is untrusted, and nothing is clobbered."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import ospec
from ospec.sdk.files import disposition_filename, sanitize_filename

from .conftest import SandboxProcess, spec_yaml
from .proxy import Fault, Proxy


@pytest.fixture(scope="module")
def project_id(sandbox: SandboxProcess) -> str:
    """One deployed project for the whole module (it has every artifact)."""
    with ospec.Client(sandbox.admin_key, base_url=sandbox.base_url) as c:
        created = c.create_project(spec_yaml(f"evil-{uuid.uuid4().hex[:6]}"))
        c.wait_for_completion(created.id, poll_interval=0.05, timeout=30)
    return created.id


@pytest.mark.parametrize(
    ("header", "saved_as"),
    [
        ('attachment; filename="../../.bashrc"', "bashrc"),
        ('attachment; filename="/etc/cron.d/evil"', "evil"),
        ('attachment; filename="..\\\\..\\\\win.ini"', "win.ini"),
        ("attachment; filename*=UTF-8''..%2F..%2Fpasswd", "passwd"),
        ('attachment; filename="CON.txt"', "_CON.txt"),
        ('attachment; filename="a\\"b|c?.zip"', "a_b_c_.zip"),
        ('attachment; filename=".."', "source_code.zip"),  # nothing left: the artifact type
        ("inline", "source_code.zip"),
    ],
)
def test_a_hostile_content_disposition_stays_in_the_folder(
    sandbox: SandboxProcess,
    project_id: str,
    proxy: Proxy,
    tmp_path: Path,
    header: str,
    saved_as: str,
) -> None:
    proxy.plan(Fault("headers", "/api/v1/projects/", {"Content-Disposition": header}))
    out = tmp_path / "out"
    out.mkdir()
    with ospec.Client(sandbox.admin_key, base_url=proxy.url) as c:
        saved = c.download_artifact(project_id, "source_code", out)
    assert saved == out / saved_as
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [saved_as]


def test_names_are_sanitised() -> None:
    assert sanitize_filename("report\x00.json") == "report_.json"
    assert sanitize_filename("ok name.xml ") == "ok name.xml"
    assert len(sanitize_filename("x" * 500 + ".zip").encode()) <= 200
    assert sanitize_filename("x" * 500 + ".zip").endswith(".zip")
    assert disposition_filename("attachment; filename*=bogus''x") in (None, "x")
