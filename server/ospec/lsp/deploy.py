"""Deploy from the editor: the Deploy code action and the handlers of the lens, `ospec.deploy`
and `ospec.status`; deployments.py does the work (edge)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .deployments import Deployments
from .documents import OpenDocument
from .lenses import DEPLOY, STATUS, errors_reason
from .server import OspecServer

KIND = "source.deploy.ospec"
TITLE = "Deploy OSpec project"
INVALID_PARAMS = -32602


def register(server: OspecServer) -> None:
    """Attach the deploy commands and the lens; the code action joins the quick fixes."""
    deployments = Deployments(server)
    server.diagnostic_extras.append(deployments.diagnostics)

    @server.command(DEPLOY)
    async def deploy(ls: OspecServer, *args: Any) -> dict[str, Any]:
        uri, version = _arguments(args, with_version=True)
        return await deployments.deploy(uri, version)

    @server.command(STATUS)
    async def status(ls: OspecServer, *args: Any) -> dict[str, Any]:
        uri, _ = _arguments(args, with_version=False)
        return await deployments.status(uri)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: OspecServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        doc = ls.documents.get(params.text_document.uri)
        return await deployments.lenses(doc) if doc else []


async def code_actions(
    ls: OspecServer, doc: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """The Deploy action anywhere in a spec; disabled, with the reason, while it has errors."""
    only = params.context.only
    if only and not any(kind == KIND or KIND.startswith(f"{kind}.") for kind in only):
        return []
    errors = (await ls.analysis(doc)).error_count
    if errors and ls.client.disabled_actions:
        reason = types.CodeActionDisabled(reason=errors_reason(errors))
        return [types.CodeAction(title=TITLE, kind=KIND, disabled=reason)]
    # Clients that cannot show a disabled action get it enabled; the command says why it refuses.
    command = types.Command(title=TITLE, command=DEPLOY, arguments=[doc.uri, doc.version])
    return [types.CodeAction(title=TITLE, kind=KIND, command=command)]


def _arguments(args: tuple[Any, ...], *, with_version: bool) -> tuple[str, int]:
    """[uri, version] (or [uri]); also {"uri":..., "version":...} from hand-written bindings."""
    first = args[0] if args else None
    if isinstance(first, dict):
        uri, version = first.get("uri"), first.get("version")
    else:
        uri, version = first, args[1] if len(args) > 1 else None
    if not isinstance(uri, str) or (with_version and not isinstance(version, int)):
        expected = "[uri, version]" if with_version else "[uri]"
        raise JsonRpcException(f"expected the arguments {expected}", code=INVALID_PARAMS)
    return uri, version if isinstance(version, int) else -1
