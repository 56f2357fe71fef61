"""A bounded schemathesis run over the OpenAPI description against the live sandbox: no 5xx.

Every operation gets positive (schema-valid) and negative (schema-violating) examples; responses
are checked for server errors and for conformance with the documented status codes, content
types, headers and schemas. OSPEC_SANDBOX_FUZZ_EXAMPLES sets examples per operation and mode
(default 20) and OSPEC_SANDBOX_FUZZ_SECONDS a time budget (default 60).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from .conftest import OPENAPI, TASKS, SandboxProcess, create_project, report, spec_yaml, wait_status

EXAMPLES = int(os.environ.get("OSPEC_SANDBOX_FUZZ_EXAMPLES", "20"))
BUDGET = float(os.environ.get("OSPEC_SANDBOX_FUZZ_SECONDS", "60"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_fuzz_finds_no_server_errors(sandbox: SandboxProcess, admin: httpx.Client) -> None:
    schema = schemathesis.openapi.from_path(OPENAPI)
    results: list[Any] = list(schema.get_all_operations())
    operations = [result.ok() for result in results]
    # Fault controls would make the server fail on purpose; they are covered in test_faults.
    operations = [op for op in operations if not op.path.startswith("/api/v1/_sandbox/")]
    hooks_before = {w["webhook_id"] for w in admin.get("/api/v1/webhooks").json()["webhooks"]}
    auth = {"Authorization": f"Bearer {sandbox.admin_key}"}
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    skipped = 0
    try:
        real = real_ids(admin)
        for op in operations:
            seeded = {k: v for k, v in real.items() if "{" + k + "}" in op.path}
            runs: list[tuple[GenerationMode, dict[str, str]]] = [
                (GenerationMode.POSITIVE, {}),
                (GenerationMode.NEGATIVE, {}),
            ]
            if seeded:  # random ids mostly meet 404s; real ones reach the success paths
                runs.append((GenerationMode.POSITIVE, seeded))
            for mode, path_parameters in runs:
                if time.monotonic() - started > BUDGET:
                    skipped += 1
                    continue
                run_operation(op, mode, path_parameters, sandbox.base_url, auth, statuses)
    finally:
        for hook in admin.get("/api/v1/webhooks").json()["webhooks"]:
            if hook["webhook_id"] not in hooks_before:  # no retries against fuzzed URLs later
                admin.delete(f"/api/v1/webhooks/{hook['webhook_id']}")
    total = sum(statuses.values())
    assert total > 0
    assert not [s for s in statuses if s >= 500]
    report(
        f"fuzz: {total} requests over {len(operations)} operations in "
        f"{time.monotonic() - started:.1f}s, statuses {dict(sorted(statuses.items()))}"
        + (f"; {skipped} operation/mode runs skipped by the time budget" if skipped else "")
    )


def real_ids(admin: httpx.Client) -> dict[str, str]:
    """Ids of existing resources: a deployed project, a webhook, an agent, a throwaway key."""
    text = spec_yaml("fuzz-seed", tasks=TASKS)
    pid = create_project(admin, text)["project_id"]
    hook = admin.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/seed", "events": ["project.failed"], "secret": "s"},
    ).json()["webhook_id"]
    key = admin.post("/api/v1/auth/api-keys", json={"name": "seed", "scopes": ["agents:read"]})
    wait_status(admin, pid, ("deployed",))
    return {
        "project_id": pid,
        "webhook_id": hook,
        "agent_id": "sandbox-implementer",
        "api_key_id": key.json()["api_key_id"],
    }


def run_operation(
    op: Any,
    mode: GenerationMode,
    path_parameters: dict[str, str],
    base_url: str,
    auth: dict[str, str],
    statuses: Counter[int],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, headers=auth, timeout=30)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Exception as exc:
        pytest.fail(f"{op.method.upper()} {op.path} ({mode.value}, {path_parameters}): {exc}")
