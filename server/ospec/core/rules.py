"""Semantic rules beyond the schema: task graph, file references, versions, secrets (core).

Each rule is a small function registered with @rule; rules read the parsed document and
must tolerate data the schema already rejected (wrong types are skipped, not crashed on).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .codes import Code
from .model import Finding, Pos, Span
from .placeholders import SECRET_REF, has_placeholder
from .suggest import did_you_mean, nearest
from .validate import dotted, owner_span, value_span
from .yamldoc import Mapping, Node, ParsedDocument, Scalar, Sequence

SUPPORTED_MAJOR = 1
ACCEPTANCE_METHODS = ("http_endpoints", "ux_flows", "tests", "performance")
SPEC_SUFFIXES = (".ospec.yaml", ".ospec.yml", ".ospec", ".yaml", ".yml")
_SEMVER_MAJOR = re.compile(r"^(\d+)\.\d+\.\d+")
_KEBAB = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class RuleContext:
    doc: ParsedDocument
    filename: str | None
    # Answers "does this path, as written in the spec, exist next to it?"; None skips the check.
    file_exists: Callable[[str], bool] | None


RuleFn = Callable[[RuleContext], Iterable[Finding]]
RULES: list[tuple[Code, RuleFn]] = []


def rule(code: Code) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES.append((code, fn))
        return fn

    return register


def _f(code: Code, message: str, span: Span, **data: Any) -> Finding:
    return Finding(code.code, message, code.severity, span, data)


@dataclass(frozen=True, slots=True)
class Task:
    index: int
    id: str
    node: Scalar
    dependencies: list[tuple[str, Scalar]]


def tasks_of(doc: ParsedDocument) -> list[Task]:
    """The tasks with a text id, in document order, with their text dependencies."""
    cached = doc.memo.get("tasks")
    if cached is None:
        cached = doc.memo["tasks"] = _tasks(doc)
    return cached


def _tasks(doc: ParsedDocument) -> list[Task]:
    root = doc.root
    seq = root.index.get("tasks") if isinstance(root, Mapping) else None
    if seq is None or not isinstance(seq.value, Sequence):
        return []
    out = []
    for i, item in enumerate(seq.value.items):
        if not isinstance(item, Mapping) or "id" not in item.index:
            continue
        id_node = item.index["id"].value
        if not isinstance(id_node, Scalar) or not isinstance(id_node.value, str):
            continue
        deps: list[tuple[str, Scalar]] = []
        dep_pair = item.index.get("dependencies")
        if dep_pair and isinstance(dep_pair.value, Sequence):
            deps = [
                (d.value, d)
                for d in dep_pair.value.items
                if isinstance(d, Scalar) and isinstance(d.value, str)
            ]
        out.append(Task(i, id_node.value, id_node, deps))
    return out


@rule(Code.UNKNOWN_DEPENDENCY)
def unknown_dependency(ctx: RuleContext) -> Iterator[Finding]:
    tasks = tasks_of(ctx.doc)
    ids = [t.id for t in tasks]
    known = set(ids)
    for task in tasks:
        for dep, node in task.dependencies:
            if dep not in known:
                yield _f(
                    Code.UNKNOWN_DEPENDENCY,
                    f"task '{task.id}' depends on unknown task '{dep}'{did_you_mean(dep, ids)}",
                    node.span,
                    suggestion=nearest(dep, [i for i in ids if i != task.id]),
                )


@rule(Code.DUPLICATE_TASK)
def duplicate_task(ctx: RuleContext) -> Iterator[Finding]:
    first: dict[str, Task] = {}
    for task in tasks_of(ctx.doc):
        if task.id in first:
            line = first[task.id].node.span.start.line + 1
            yield _f(
                Code.DUPLICATE_TASK,
                f"task id '{task.id}' is already used by "
                f"tasks[{first[task.id].index}] on line {line}; task ids must be unique",
                task.node.span,
            )
        else:
            first[task.id] = task


@rule(Code.DEPENDENCY_CYCLE)
def dependency_cycle(ctx: RuleContext) -> Iterator[Finding]:
    tasks = tasks_of(ctx.doc)
    graph: dict[str, list[str]] = {}
    for task in tasks:
        graph.setdefault(task.id, [])
    for task in tasks:
        graph[task.id].extend(d for d, _ in task.dependencies if d in graph)
    for cycle in _cycles(graph):
        members = set(cycle)
        # Report on the first dependency entry (in document order) that lies on the cycle.
        for task in tasks:
            hit = next(
                (
                    n
                    for d, n in task.dependencies
                    if task.id in members
                    and d in members
                    and cycle[(cycle.index(task.id) + 1) % len(cycle)] == d
                ),
                None,
            )
            if hit is not None:
                shown = " → ".join([*cycle, cycle[0]])
                yield _f(
                    Code.DEPENDENCY_CYCLE,
                    f"task dependencies form a cycle: {shown}",
                    hit.span,
                    cycle=cycle,
                )
                break


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = graph[node]
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(_cycle_in(graph, set(component)))
    return found


def _cycle_in(graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """A concrete cycle through the component, starting from its first task in document order."""
    start = next(n for n in graph if n in members)
    path, seen, node = [start], {start}, start
    while True:
        nxt = next(d for d in graph[node] if d in members)
        if nxt in seen:
            return path[path.index(nxt) :]
        path.append(nxt)
        seen.add(nxt)
        node = nxt


@rule(Code.ID_FILENAME)
def id_matches_filename(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.filename:
        return
    node = ctx.doc.node_at(("id",))
    # An id that is not kebab-case is a schema error already; renaming the file won't help.
    if (
        not isinstance(node, Scalar)
        or not isinstance(node.value, str)
        or not _KEBAB.match(node.value)
    ):
        return
    name = re.split(r"[\\/]", ctx.filename)[-1]
    stem = file_stem(name)
    if stem and node.value != stem:
        yield _f(
            Code.ID_FILENAME,
            f"id '{node.value}' differs from the file name '{name}'; "
            f"name the file '{node.value}.ospec.yaml' or set id to '{stem}'",
            node.span,
            stem=stem,
        )


def file_stem(name: str) -> str:
    """The spec's name without .ospec.yaml, .ospec.yml, .ospec (or plain .yaml/.yml)."""
    for suffix in SPEC_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@rule(Code.NO_ACCEPTANCE)
def acceptance_method(ctx: RuleContext) -> Iterator[Finding]:
    node = ctx.doc.node_at(("acceptance",))
    # An empty acceptance is already a schema error (minProperties); don't report it twice.
    if not isinstance(node, Mapping) or not node.pairs:
        return
    if not any(m in node.index for m in ACCEPTANCE_METHODS):
        yield _f(
            Code.NO_ACCEPTANCE,
            "acceptance names no acceptance method: add at least one of "
            f"{', '.join(ACCEPTANCE_METHODS)}",
            owner_span(ctx.doc, ("acceptance",)),
        )


@rule(Code.MISSING_FILE)
def referenced_files(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.file_exists is None:
        return
    for section in ("prompts", "scripts"):
        node = ctx.doc.node_at((section,))
        if not isinstance(node, Mapping):
            continue
        for pair in node.pairs:
            value = pair.value
            if not isinstance(value, Scalar) or not isinstance(value.value, str):
                continue
            path = value.value.strip()
            if not path or path.startswith("#!") or "\n" in path or has_placeholder(path):
                continue
            if not ctx.file_exists(path):
                yield _f(
                    Code.MISSING_FILE,
                    f"{section}.{pair.key.text}: file '{path}' does not "
                    "exist (paths are relative to the spec)",
                    value.span,
                    path=path,
                )


@rule(Code.VERSION_MAJOR)
def version_majors(ctx: RuleContext) -> Iterator[Finding]:
    spec_major = _major(ctx.doc.node_at(("ospec_version",)))
    node = ctx.doc.node_at(("metadata", "version"))
    project_major = _major(node)
    if spec_major is None or project_major is None or project_major == 0:
        return
    if project_major != spec_major:
        yield _f(
            Code.VERSION_MAJOR,
            f"metadata.version major {project_major} differs from ospec_version major {spec_major}",
            value_span(ctx.doc, ("metadata", "version")),
        )


def _major(node: object) -> int | None:
    if isinstance(node, Scalar) and isinstance(node.value, str):
        match = _SEMVER_MAJOR.match(node.value)
        return int(match.group(1)) if match else None
    return None


@rule(Code.UNSUPPORTED_VERSION)
def supported_version(ctx: RuleContext) -> Iterator[Finding]:
    node = ctx.doc.node_at(("ospec_version",))
    major = _major(node)
    if major is not None and major != SUPPORTED_MAJOR and isinstance(node, Scalar):
        yield _f(
            Code.UNSUPPORTED_VERSION,
            f"ospec_version {node.value} is not supported: "
            f"this tool understands OSpec {SUPPORTED_MAJOR}.x",
            node.span,
        )


@rule(Code.UNDECLARED_SECRET)
def undeclared_secrets(ctx: RuleContext) -> Iterator[Finding]:
    declared = declared_secrets(ctx.doc)
    uses: list[tuple[tuple[str | int, ...], Scalar]] = []
    if ctx.doc.root is not None:
        _mentions_of_secrets(ctx.doc.root, (), uses)
    for path, node in uses:
        for match in SECRET_REF.finditer(node.value):
            name = match.group(1)
            if name in declared:
                continue
            span = locate(ctx.doc, node, match.group(0))
            yield _f(
                Code.UNDECLARED_SECRET,
                f"secret '{name}' used in {dotted(path)} is not "
                f"declared in secrets.required or secrets.optional"
                f"{did_you_mean(name, declared)}",
                span,
                secret=name,
            )


def _mentions_of_secrets(
    node: Node, path: tuple[str | int, ...], out: list[tuple[tuple[str | int, ...], Scalar]]
) -> None:
    """Text scalars that mention "secrets", with their paths, in document order (the order of
    ParsedDocument.scalars(); paths are only built for containers and hits)."""
    if isinstance(node, Scalar):
        if isinstance(node.value, str) and "secrets" in node.value:
            out.append((path, node))
        return
    children = (
        [(p.key.text, p.value) for p in node.pairs]
        if isinstance(node, Mapping)
        else enumerate(node.items)
        if isinstance(node, Sequence)
        else []
    )
    for part, child in children:
        if isinstance(child, Scalar):
            if isinstance(child.value, str) and "secrets" in child.value:
                out.append(((*path, part), child))
        else:
            _mentions_of_secrets(child, (*path, part), out)


def declared_secrets(doc: ParsedDocument) -> dict[str, Scalar]:
    """Secret names declared in secrets.required and secrets.optional, with their nodes."""
    out: dict[str, Scalar] = {}
    for kind in ("required", "optional"):
        seq = doc.node_at(("secrets", kind))
        if isinstance(seq, Sequence):
            for item in seq.items:
                if isinstance(item, Scalar) and isinstance(item.value, str):
                    out.setdefault(item.value, item)
    return out


def locate(doc: ParsedDocument, node: Scalar, needle: str) -> Span:
    """The span of needle's first occurrence inside a scalar's source text, else the scalar."""
    start, end = node.span.start, node.span.end
    for line_no in range(start.line, min(end.line, len(doc.lines) - 1) + 1):
        line = doc.lines[line_no]
        lo = start.col if line_no == start.line else 0
        hi = end.col if line_no == end.line else len(line)
        col = line.find(needle, lo, max(lo, hi))
        if col >= 0:
            return Span(Pos(line_no, col), Pos(line_no, col + len(needle)))
    return node.span
