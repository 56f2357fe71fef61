"""The strict profile gives the upstream schema's accept/reject verdict on every document.

Inputs: every bundled example plus seeded single-error mutations of them (well over 200
documents). Upstream is ../shared/reference/ospec-v1.0.upstream.schema.json, read in place
and never copied into the project.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft7Validator

from ospec.checker import analyzer
from ospec.core import Options, Severity, parse

from .conftest import EXAMPLES, ROOT

UPSTREAM = ROOT.parent / "shared" / "reference" / "ospec-v1.0.upstream.schema.json"
MUTATIONS_PER_EXAMPLE = 45
STRICT = Options(profile="strict")


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield prefix, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _mutate(data: dict[str, Any], rng: random.Random) -> tuple[str, dict[str, Any]]:
    out = copy.deepcopy(data)
    spots = list(_paths(out))[1:]
    path, value = rng.choice(spots)
    kind = rng.choice(
        ["type", "text", "number", "unknown-key", "drop-key", "empty", "enum", "special"]
    )
    if kind == "type":
        _set(out, path, rng.choice([42, "text", [], {}, None, True, 1.5]))
    elif kind == "text":
        _set(out, path, rng.choice(["Not Valid!", "", "x", "UPPER_case", "/ok/path", "a" * 600]))
    elif kind == "number":
        _set(out, path, rng.choice([-1, 0, 1, 100, 599, 600, 10**6, 0.5, 2.5]))
    elif kind == "unknown-key":
        target = value if isinstance(value, dict) else out
        target["zzz_unknown"] = "surprise"
    elif kind == "drop-key":
        parent_path = path[:-1]
        parent = out
        for part in parent_path:
            parent = parent[part]
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    elif kind == "empty":
        _set(out, path, {} if isinstance(value, dict) else [] if isinstance(value, list) else "")
    elif kind == "enum":
        _set(out, path, "bogus-value")
    else:
        special = rng.choice(
            [
                ("ospec_version", "1.0"),
                ("acceptance", {}),
                ("metadata", {"maintainers": [{"name": "A", "email": "nope"}]}),
                ("metadata", {"created_at": "yesterday"}),
                ("scripts", {"run": "run-me.exe"}),
                ("scripts", {"run": "#!/bin/sh\necho hi"}),
                ("prompts", {"p": "notes.rtf"}),
                ("secrets", {"required": ["lower_case"]}),
                ("technology_stack", {"package_manager": "pnpm@9"}),
                ("stack", {"frontend": {"framework": "React"}}),
            ]
        )
        out[special[0]] = special[1]
        kind = f"special:{special[0]}"
    return f"{kind} at {'/'.join(map(str, path))}", out


def _corpus() -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    for path in sorted(EXAMPLES.glob("*.ospec.yaml")):
        text = path.read_text(encoding="utf-8")
        docs.append((path.name, text))
        data = parse(text).data
        rng = random.Random(path.name)
        for n in range(MUTATIONS_PER_EXAMPLE):
            label, mutated = _mutate(data, rng)
            # JSON is YAML: the mutated data round-trips exactly through our parser.
            docs.append((f"{path.name} #{n} {label}", json.dumps(mutated, ensure_ascii=False)))
    return docs


@pytest.mark.skipif(not UPSTREAM.exists(), reason=f"upstream schema not found at {UPSTREAM}")
def test_strict_profile_agrees_with_upstream_on_every_document() -> None:
    upstream = Draft7Validator(
        json.loads(UPSTREAM.read_text()), format_checker=Draft7Validator.FORMAT_CHECKER
    )
    corpus = _corpus()
    disagreements = []
    rejected = 0
    for label, text in corpus:
        analysis = analyzer().analyze(text, options=STRICT)
        ours = any(f.severity is Severity.ERROR and f.code[6] in "SY" for f in analysis.findings)
        theirs = next(upstream.iter_errors(analysis.doc.data), None) is not None
        rejected += theirs
        if ours != theirs:
            verdicts = {True: "reject", False: "accept"}
            disagreements.append(f"{label}: ours={verdicts[ours]} upstream={verdicts[theirs]}")
    print(
        f"\nconformance: {len(corpus)} documents, {rejected} rejected and "
        f"{len(corpus) - rejected} accepted by upstream, {len(disagreements)} disagreements"
    )
    assert len(corpus) >= 200
    assert rejected >= 150 and len(corpus) - rejected >= 20, (
        "the corpus must exercise both verdicts"
    )
    assert disagreements == []
