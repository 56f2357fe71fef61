"""The SDK and CLI configuration file: which paths are one, and its rules beyond the schema (core).

The user's file is `~/.config/ospec/config.yaml`; a project's is `.ospec/config.yaml`. For these
documents the analyzer's `filename` is the folder and the name (`.ospec/config.yaml`), so a rule
can tell the two apart.
"""

from __future__ import annotations

from collections.abc import Iterator

from .codes import Code
from .model import Finding
from .rules import RuleContext, RuleFn
from .yamldoc import Mapping

CONFIG_FOLDERS = (".ospec", "ospec")
CONFIG_NAMES = ("config.yaml",)  # the names the SDK reads
PROJECT_CONFIG = ".ospec/config.yaml"


def config_name(parts: tuple[str, ...]) -> str | None:
    """`folder/name` when a path's last two parts name a configuration file, else None."""
    if len(parts) >= 2 and parts[-2] in CONFIG_FOLDERS and parts[-1] in CONFIG_NAMES:
        return f"{parts[-2]}/{parts[-1]}"
    return None


def token_in_project_config(ctx: RuleContext) -> Iterator[Finding]:
    # A project's file is meant to be committed; the user's own file is not.
    if not (ctx.filename or "").startswith(".ospec/") or not isinstance(ctx.doc.root, Mapping):
        return
    pair = ctx.doc.root.index.get("api_token")
    if pair is not None:
        code = Code.TOKEN_IN_PROJECT_CONFIG
        yield Finding(
            code.code,
            "api_token in a project's .ospec/config.yaml is easily committed and shared; set "
            "OSPEC_API_TOKEN in the environment (or use ~/.config/ospec/config.yaml) instead",
            code.severity,
            pair.key.span,
        )


CONFIG_RULES: list[tuple[Code, RuleFn]] = [(Code.TOKEN_IN_PROJECT_CONFIG, token_in_project_config)]
