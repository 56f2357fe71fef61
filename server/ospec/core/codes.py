"""Stable finding codes: the one table the README, SARIF rules and severities come from (core)."""

from __future__ import annotations

import enum

from .model import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


class Code(enum.Enum):
    """Each member: (code, default severity, short description)."""

    # OSPEC-Y: the text is not a usable YAML mapping.
    SYNTAX = ("OSPEC-Y001", E, "YAML syntax error")
    DUPLICATE_KEY = ("OSPEC-Y002", E, "Duplicate key in a mapping")
    TAB = ("OSPEC-Y003", E, "Tab character used for indentation")
    MULTIPLE_DOCUMENTS = ("OSPEC-Y004", E, "More than one YAML document in the file")
    EMPTY_DOCUMENT = ("OSPEC-Y005", E, "Empty document")
    ROOT_NOT_MAPPING = ("OSPEC-Y006", E, "Document root is not a mapping")
    ALIAS_LIMIT = ("OSPEC-Y007", E, "Aliases expand beyond the safety limit")
    TOO_DEEP = ("OSPEC-Y008", E, "Nesting beyond the safety limit")
    COMPLEX_KEY = ("OSPEC-Y009", E, "Mapping or list used as a key")
    UNKNOWN_TAG = ("OSPEC-Y010", W, "Unknown YAML tag")
    DIRECTIVE = ("OSPEC-Y011", W, "Unknown setting in an '# ospec:' modeline")
    TOO_LARGE = ("OSPEC-Y012", E, "Document too large to analyse")

    # OSPEC-S: the data does not match the schema.
    TYPE = ("OSPEC-S001", E, "Value has the wrong type")
    UNKNOWN_KEY = (
        "OSPEC-S002",
        E,
        "Key not defined by the schema (a warning in the default profile)",
    )
    MISSING_KEY = ("OSPEC-S003", E, "Required key is missing")
    ENUM = ("OSPEC-S004", E, "Value is not one of the allowed values")
    PATTERN = ("OSPEC-S005", E, "Text does not have the required form")
    RANGE = ("OSPEC-S006", E, "Number out of range")
    LENGTH = ("OSPEC-S007", E, "Too short, too long, too few or too many items")
    FORMAT = ("OSPEC-S008", E, "Not a valid email, URI or date-time")
    NO_ALTERNATIVE = ("OSPEC-S009", E, "Value matches none of the allowed forms")

    # OSPEC-R: semantic rules beyond the schema.
    UNKNOWN_DEPENDENCY = ("OSPEC-R001", E, "Task depends on a task id that does not exist")
    DUPLICATE_TASK = ("OSPEC-R002", E, "Two tasks share an id")
    DEPENDENCY_CYCLE = ("OSPEC-R003", E, "Task dependencies form a cycle")
    ID_FILENAME = ("OSPEC-R004", W, "id differs from the file name")
    NO_ACCEPTANCE = ("OSPEC-R005", W, "acceptance names no acceptance method")
    MISSING_FILE = ("OSPEC-R006", W, "Referenced prompt or script file does not exist")
    VERSION_MAJOR = ("OSPEC-R007", W, "ospec_version and metadata.version majors differ")
    UNDECLARED_SECRET = ("OSPEC-R008", W, "{{secrets.X}} used but X is not declared in secrets")
    UNSUPPORTED_VERSION = ("OSPEC-R009", E, "ospec_version major version is not supported")

    # OSPEC-C: the SDK and CLI configuration file (schema findings there use OSPEC-S codes).
    TOKEN_IN_PROJECT_CONFIG = (
        "OSPEC-C001",
        W,
        "API token written in a project's .ospec/config.yaml",
    )

    def __init__(self, code: str, severity: Severity, title: str) -> None:
        self.code = code
        self.severity = severity
        self.title = title

    @property
    def family(self) -> str:
        return self.code[6]


BY_CODE: dict[str, Code] = {c.code: c for c in Code}
