"""The public names others build on (the editor's Deploy action, users' scripts) stay put."""

from __future__ import annotations

import inspect
import subprocess
import sys

import ospec
import ospec.sdk


def test_both_clients_have_the_same_methods_with_the_same_parameters() -> None:
    def methods(cls: type) -> dict[str, list[str]]:
        return {
            name: list(inspect.signature(fn).parameters)
            for name, fn in vars(cls).items()
            if not name.startswith("_") and callable(fn)
        }

    sync, both = methods(ospec.Client), methods(ospec.AsyncClient)
    sync.pop("close")
    both.pop("aclose")
    assert sync == both
    for name in ("create_project", "get_project", "watch_project", "wait_for_completion",
                 "download_artifact", "register_webhook", "create_api_key"):  # fmt: skip
        assert name in both


def test_every_exported_name_resolves() -> None:
    for name in ospec.sdk.__all__:
        assert getattr(ospec.sdk, name) is not None
    assert ospec.SpecValidationError is ospec.sdk.SpecValidationError
    assert issubclass(ospec.PermissionDeniedError, ospec.APIError)
    assert issubclass(ospec.CircuitOpenError, ospec.OspecError)


def test_importing_ospec_does_not_load_httpx() -> None:
    code = "import sys, ospec, ospec.webhooks; print('httpx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
