"""Spec validation through the shared analysis core, and the facts the simulation uses (edge)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from ospec.api_terms import PHASES
from ospec.checker import check_text
from ospec.sandbox.errors import ApiError

FAIL_TAG = re.compile(r"^sandbox-fail-(?P<phase>[a-z]+)$")
SECURITY_TAG = "sandbox-security-issue"


@dataclass
class Task:
    id: str
    title: str
    dependencies: list[str] = field(default_factory=list)
    estimated_hours: float | None = None
    risk_level: str | None = None
    description: str | None = None


@dataclass
class SpecFacts:
    """What the lifecycle and the artifacts use from a spec; stored as JSON with the project."""

    spec_id: str
    name: str
    outcome_type: str
    tasks: list[Task]
    tasks_derived: bool
    tags: list[str]
    security_scan: bool
    endpoints: list[dict[str, Any]]
    ux_flows: list[str]
    tests: list[dict[str, Any]]
    fail_phase: str | None
    security_issue: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpecFacts:
        tasks = [Task(**t) for t in data.pop("tasks")]
        return cls(tasks=tasks, **data)


def finding_json(finding: Any) -> dict[str, Any]:
    span = finding.span
    return {
        "code": finding.code,
        "severity": finding.severity.label,
        "message": finding.message,
        "line": span.start.line + 1,
        "column": span.start.col + 1,
        "end_line": span.end.line + 1,
        "end_column": span.end.col + 1,
    }


def validate(text: str) -> list[dict[str, Any]]:
    """All findings; raises 422 with them when any is an error (warnings never block)."""
    findings = [finding_json(f) for f in check_text(text)]
    errors = [f for f in findings if f["severity"] == "error"]
    if errors:
        raise ApiError(
            422,
            "spec_invalid",
            f"the OSpec document has {len(errors)} error(s); first: line {errors[0]['line']}: "
            f"{errors[0]['message']}",
            findings=findings,
        )
    return findings


class _DataConstructor(SafeConstructor):
    """The safe constructor, reading a tag it does not know (`!custom`, `!!python/object:...`)
    as plain data like the analysis core does, instead of refusing the document."""


def _untagged(constructor: SafeConstructor, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return constructor.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return constructor.construct_sequence(node, deep=True)
    return constructor.construct_mapping(node, deep=True)


_DataConstructor.add_constructor(None, _untagged)


def facts_of(text: str) -> SpecFacts:
    """Facts of a spec that already passed `validate`, read with a safe (data-only) loader."""
    yaml = YAML(typ="safe")
    yaml.Constructor = _DataConstructor  # never instantiates anything but str/int/list/dict...
    try:
        data = yaml.load(text)
    except YAMLError as exc:  # the core accepted it, so this would be a parser disagreement
        raise ApiError(422, "spec_invalid", f"the OSpec document is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ApiError(422, "spec_invalid", "the OSpec document must be a YAML mapping")
    metadata = _dict(data.get("metadata"))
    acceptance = _dict(data.get("acceptance"))
    tags = [t for t in _list(metadata.get("tags")) if isinstance(t, str)]
    fail_phase = next((m["phase"] for t in tags if (m := FAIL_TAG.match(t))), None)
    endpoints = [
        {
            "method": str(e.get("method", "GET")),
            "path": str(e.get("path", "/")),
            "status": e.get("status", 200),
        }
        for e in map(_dict, _list(acceptance.get("http_endpoints")))
    ]
    flows = [str(f.get("name", "flow")) for f in map(_dict, _list(acceptance.get("ux_flows")))]
    tests = [
        {"file": str(t.get("file", "")), "type": str(t.get("type", "unit"))}
        for t in map(_dict, _list(acceptance.get("tests")))
    ]
    tasks = _tasks(data.get("tasks"))
    derived = not tasks
    return SpecFacts(
        spec_id=str(data.get("id", "project")),
        name=str(data.get("name", data.get("id", "project"))),
        outcome_type=str(data.get("outcome_type", "")),
        tasks=tasks or _derived_tasks(endpoints, flows, tests),
        tasks_derived=derived,
        tags=tags,
        security_scan=_dict(data.get("guardrails")).get("security_scan") is True,
        endpoints=endpoints,
        ux_flows=flows,
        tests=tests,
        fail_phase=fail_phase if fail_phase in PHASES else None,
        security_issue=SECURITY_TAG in tags,
    )


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _tasks(raw: object) -> list[Task]:
    tasks = []
    for item in map(_dict, _list(raw)):
        if not isinstance(item.get("id"), str):
            continue
        hours = item.get("estimated_hours")
        tasks.append(
            Task(
                id=item["id"],
                title=str(item.get("title", item["id"])),
                dependencies=[d for d in _list(item.get("dependencies")) if isinstance(d, str)],
                estimated_hours=float(hours) if isinstance(hours, (int, float)) else None,
                risk_level=item.get("risk_level")
                if isinstance(item.get("risk_level"), str)
                else None,
                description=item.get("description")
                if isinstance(item.get("description"), str)
                else None,
            )
        )
    return _topological(tasks)


def _topological(tasks: list[Task]) -> list[Task]:
    """Dependencies first, otherwise spec order; cycles and unknown ids fall back to spec order."""
    known = {t.id for t in tasks}
    done: set[str] = set()
    ordered: list[Task] = []
    pending = list(tasks)
    while pending:
        ready = next(
            (t for t in pending if all(d in done or d not in known for d in t.dependencies)),
            pending[0],
        )
        pending.remove(ready)
        done.add(ready.id)
        ordered.append(ready)
    return ordered


def _derived_tasks(
    endpoints: list[dict[str, Any]], flows: list[str], tests: list[dict[str, Any]]
) -> list[Task]:
    """A spec without `tasks` still gets a plan: scaffold, one task per acceptance item, tests."""
    tasks = [Task(id="scaffold", title="Scaffold the project")]
    for n, ep in enumerate(endpoints[:10], 1):
        tasks.append(
            Task(
                id=f"endpoint-{n}",
                title=f"Implement {ep['method']} {ep['path']}"[:100],
                dependencies=["scaffold"],
            )
        )
    for n, flow in enumerate(flows[:5], 1):
        tasks.append(
            Task(id=f"flow-{n}", title=f"Support the {flow} flow"[:100], dependencies=["scaffold"])
        )
    prior = [t.id for t in tasks[1:]] or ["scaffold"]
    label = "the declared tests" if tests else "acceptance tests"
    tasks.append(Task(id="tests", title=f"Write {label}", dependencies=prior))
    return tasks
