"""Schema validation: jsonschema errors turned into findings on the exact key or value (core)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError

from .codes import Code
from .model import Finding, Span
from .placeholders import has_placeholder
from .schema import SpecSchema
from .suggest import did_you_mean, nearest
from .yamldoc import Mapping, ParsedDocument, Scalar

Path = tuple[str | int, ...]

_LENGTH = {
    "minLength": ("at least", "character"),
    "maxLength": ("at most", "character"),
    "minItems": ("at least", "item"),
    "maxItems": ("at most", "item"),
    "minProperties": ("at least", "key"),
    "maxProperties": ("at most", "key"),
}
_RANGE = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}
_FORMATS = {
    "email": "an email address",
    "date-time": "a date-time like 2025-01-31T09:30:00Z",
    "uri": "an absolute URI like https://example.com/path",
}
# Placeholders stand for values known only later, so checks of the literal text don't apply.
_TEXT_CHECKS = {"pattern", "enum", "format", "oneOf", "anyOf"}
_JSON_TYPES = [
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "list"),
    (dict, "mapping"),
]


def validate(doc: ParsedDocument, schema: SpecSchema) -> list[Finding]:
    """Schema findings for a parsed document whose root is a mapping."""
    return [f for _, f in validate_at(doc, schema, schema.validator, doc.data, ())]


def validate_at(
    doc: ParsedDocument, schema: SpecSchema, validator: Any, instance: Any, base: Path
) -> list[tuple[Path, Finding]]:
    """Findings, each with the data path it is about, for `instance` at path `base` of doc.

    `validator` holds the subschema for that path; the whole document is `doc.data` at ().
    """
    lenient = schema.profile == "default"
    found: dict[tuple[str, Span, str], tuple[Path, Finding]] = {}
    missing: dict[Path, list[str]] = {}
    for err in validator.iter_errors(instance):
        path: Path = (*base, *err.absolute_path) if base else tuple(err.absolute_path)
        kw = str(err.validator)
        if lenient and kw in _TEXT_CHECKS and has_placeholder(err.instance):
            continue
        if kw == "required":
            missing.setdefault(path, []).extend(
                k
                for k in err.validator_value
                if isinstance(err.instance, dict) and k not in err.instance
            )
            continue
        for finding in _findings(doc, err, path, lenient):
            found.setdefault((finding.code, finding.span, finding.message), (path, finding))
    for path, keys in missing.items():
        finding = _missing(doc, path, list(dict.fromkeys(keys)))
        found.setdefault((finding.code, finding.span, finding.message), (path, finding))
    return list(found.values())


_SECRET_PROBLEM = "must be one word of printable characters (the value is not shown)"
_SECRET_CODES = {"type": Code.TYPE, "minLength": Code.LENGTH}


def _findings(
    doc: ParsedDocument, err: ValidationError, path: Path, lenient: bool
) -> Iterable[Finding]:
    kw = str(err.validator)
    where = dotted(path)
    value = err.instance
    if kw == "additionalProperties" and err.validator_value is False:
        yield from _unknown_keys(doc, err, path, lenient)
        return
    span = value_span(doc, path)
    if err.schema.get("x-ospec-secret"):  # a token: say what is wrong, never echo it
        yield _f(_SECRET_CODES.get(kw, Code.PATTERN), f"{where}: {_SECRET_PROBLEM}", span)
        return
    if kw == "type":
        expected = (
            err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        )
        wanted = " or ".join(_type_word(t) for t in expected)
        yield _f(
            Code.TYPE, f"{where} must be {wanted}, not {_describe(value)}", span, expected=expected
        )
    elif kw == "enum":
        allowed = [str(v) for v in err.validator_value]
        hint = did_you_mean(str(value), allowed) if isinstance(value, str) else ""
        yield _f(
            Code.ENUM,
            f"{where} must be one of: {', '.join(allowed)} (got {_show(value)}){hint}",
            span,
            allowed=allowed,
            suggestion=nearest(str(value), allowed),
        )
    elif kw == "pattern":
        hint = err.schema.get("x-ospec-pattern-hint") or f"match the pattern {err.validator_value}"
        yield _f(
            Code.PATTERN,
            f"{where} must be {hint} (got {_show(value)})",
            span,
            pattern=err.validator_value,
        )
    elif kw in _LENGTH:
        bound, unit = _LENGTH[kw]
        count = err.validator_value
        size = len(value) if isinstance(value, (str, list, dict)) else 0
        extra = ""
        if kw == "minProperties" and isinstance(err.schema.get("properties"), dict):
            extra = f" ({', '.join(err.schema['properties'])})"
        yield _f(
            Code.LENGTH,
            f"{where} must have {bound} {count} {unit}{'' if count == 1 else 's'}"
            f"{extra}, it has {size}",
            span,
        )
    elif kw in _RANGE:
        yield _f(
            Code.RANGE, f"{where} must be {_RANGE[kw]} {err.validator_value} (got {value})", span
        )
    elif kw == "format":
        what = _FORMATS.get(str(err.validator_value), f"in {err.validator_value} format")
        yield _f(Code.FORMAT, f"{where} must be {what} (got {_show(value)})", span)
    elif kw in ("oneOf", "anyOf"):
        types = {b.get("type") for b in err.validator_value if isinstance(b, dict)}
        if (
            None not in types
            and _json_type(value) not in types
            and not ("number" in types and _json_type(value) == "integer")
        ):
            wanted = " or ".join(_type_word(str(t)) for t in sorted(types, key=str))
            yield _f(
                Code.TYPE,
                f"{where} must be {wanted}, not {_describe(value)}",
                span,
                expected=sorted(types, key=str),
            )
            return
        message = err.schema.get("x-ospec-message") or "does not match any of the allowed forms"
        yield _f(Code.NO_ALTERNATIVE, f"{where}: {message.rstrip('.')}", span)
    else:
        yield _f(Code.NO_ALTERNATIVE, f"{where}: {err.message}", span)


def _unknown_keys(
    doc: ParsedDocument, err: ValidationError, path: Path, lenient: bool
) -> Iterable[Finding]:
    known = list((err.schema.get("properties") or {}).keys())
    patterns = [re.compile(p) for p in (err.schema.get("patternProperties") or {})]
    node = doc.node_at(path)
    if not isinstance(node, Mapping) or not isinstance(err.instance, dict):
        return
    present = set(err.instance)
    free = [k for k in known if k not in present]
    where = dotted(path) or "the top level"
    for key in err.instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        pair = node.index.get(key)
        if pair is None:
            continue
        hit = nearest(key, free)
        hint = f"; did you mean '{hit}'?" if hit else ""
        allowed = f" (allowed: {', '.join(known)})" if known and not hit else ""
        severity = Code.UNKNOWN_KEY.severity
        if lenient:
            severity = severity.WARNING
        yield Finding(
            Code.UNKNOWN_KEY.code,
            f"unknown key '{key}' in {where}{hint}{allowed}",
            severity,
            pair.key.span,
            {"key": key, "suggestion": hit, "allowed": known},
        )


def _missing(doc: ParsedDocument, path: Path, keys: list[str]) -> Finding:
    where = dotted(path) or "the spec"
    if len(keys) == 1:
        message = f"{where} is missing the required key '{keys[0]}'"
    else:
        message = f"{where} is missing the required keys: {', '.join(keys)}"
    return _f(Code.MISSING_KEY, message, owner_span(doc, path), keys=keys)


def owner_span(doc: ParsedDocument, path: Path) -> Span:
    """Where to report something about a whole mapping: its key, or its first line."""
    pair = doc.pair_at(path)
    if pair is not None:
        return pair.key.span
    node = doc.node_at(path)
    line = node.span.start.line if node is not None else 0
    span = doc.line_span(line)
    return Span(node.span.start, span.end) if node is not None else span


def value_span(doc: ParsedDocument, path: Path) -> Span:
    """Where to report a value: the value itself, or its key when it is empty or multi-line."""
    node = doc.node_at(path)
    pair = doc.pair_at(path)
    if node is None:
        return owner_span(doc, path)
    multi_line = node.span.start.line != node.span.end.line and not isinstance(node, Scalar)
    empty = node.span.start == node.span.end
    if pair is not None and (empty or multi_line):
        return pair.key.span
    if multi_line or empty:
        return owner_span(doc, path)
    return node.span


def dotted(path: Path) -> str:
    """A readable data path: acceptance.http_endpoints[0].method."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _f(code: Code, message: str, span: Span, **data: Any) -> Finding:
    return Finding(code.code, message, code.severity, span, data)


def _type_word(name: str) -> str:
    return {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping",
        "null": "empty",
    }.get(name, name)


def _json_type(value: Any) -> str:
    for cls, name in _JSON_TYPES:
        if isinstance(value, cls):
            return {"list": "array", "mapping": "object"}.get(name, name)
    return "null"


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    for cls, name in _JSON_TYPES:
        if isinstance(value, cls):
            return {"string": "text", "list": "a list", "mapping": "a mapping"}.get(
                name, f"{name} {_show(value)}" if name != "boolean" else f"{_show(value)}"
            )
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}'"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)
