"""The pure analysis core: no editor protocol, no network, no file system of its own."""

from .analyze import LEVELS, OFF, Analysis, Analyzer, Options
from .codes import BY_CODE, Code
from .model import Finding, Pos, Severity, Span
from .schema import PROFILES, SpecSchema
from .yamldoc import ParsedDocument, parse

__all__ = [
    "BY_CODE",
    "LEVELS",
    "OFF",
    "PROFILES",
    "Analysis",
    "Analyzer",
    "Code",
    "Finding",
    "Options",
    "ParsedDocument",
    "Pos",
    "Severity",
    "Span",
    "SpecSchema",
    "parse",
]
