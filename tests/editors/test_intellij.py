"""The IntelliJ plugin (LSP4IJ): everything about it that can be checked without JetBrains' repos.

- The launch logic (pure Java) is compiled with javac alone (no IDE class can sneak in) and its
  JUnit 5 tests run: the resolver on real files and a real Python, and LSP sessions with the
  real ospec-lsp started the way the plugin starts it, including the Deploy action's requests
  deploying a spec to a real sandbox process on loopback.
- The IDE classes are compiled against compile-only stubs of the LSP4IJ/IntelliJ APIs they use.
- plugin.xml is checked against LSP4IJ's extension points (attribute names from its beans) and
  every class it names is compiled and has the expected supertype.
- The zero-code LSP4IJ template is checked against LSP4IJ's template reader, and its command
  serves LSP.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from ..conftest import ROOT
from ..sandbox.conftest import FAST_ARGS, SandboxProcess

PLUGIN = ROOT / "editors" / "intellij"
PLUGIN_XML = PLUGIN / "src" / "main" / "resources" / "META-INF" / "plugin.xml"
TEMPLATE = PLUGIN / "template"
JARS = Path("/usr/share/java")
JUNIT_CONSOLE = JARS / "junit-platform-console-standalone.jar"
JUNIT_API = [JARS / n for n in ("junit-jupiter-api.jar", "apiguardian-api.jar", "opentest4j.jar")]
ANNOTATIONS = JARS / "org.jetbrains.annotations-java8.jar"
JAVAC = shutil.which("javac")
JAVA = shutil.which("java")
JAVAP = shutil.which("javap")
# Short JVM runs on a shared 2-core machine: skip the optimising JIT and the parallel GC.
QUICK_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]

LSP4IJ = "com.redhat.devtools.lsp4ij"
# LSP4IJ's extension points: attributes from its *ExtensionPointBean classes (@Attribute,
# @RequiredElement) and the interface each class attribute must implement (its plugin.xml <with>).
LSP4IJ_EPS: dict[str, dict[str, set[str] | dict[str, str]]] = {
    "server": {
        "required": {"id", "factoryClass"},
        "allowed": {
            "id",
            "name",
            "bundle",
            "nameKey",
            "descriptionKey",
            "icon",
            "factoryClass",
            "singleton",
            "supportsLightEdit",
            "lastDocumentDisconnectedTimeout",
        },
        "classes": {"factoryClass": f"{LSP4IJ}.LanguageServerFactory"},
    },
    "languageMapping": {
        "required": {"language", "serverId"},
        "allowed": {"language", "serverId", "languageId", "documentMatcher"},
        "classes": {"documentMatcher": f"{LSP4IJ}.DocumentMatcher"},
    },
    "fileTypeMapping": {
        "required": {"fileType", "serverId"},
        "allowed": {"fileType", "serverId", "languageId", "documentMatcher"},
        "classes": {"documentMatcher": f"{LSP4IJ}.DocumentMatcher"},
    },
    "fileNamePatternMapping": {
        "required": {"patterns", "serverId"},
        "allowed": {"patterns", "serverId", "languageId", "documentMatcher"},
        "classes": {"documentMatcher": f"{LSP4IJ}.DocumentMatcher"},
    },
}
# The few platform extension points the plugin uses (IntelliJ SDK docs).
PLATFORM_EPS: dict[str, dict[str, set[str] | dict[str, str]]] = {
    "applicationService": {
        "required": {"serviceImplementation"},
        "allowed": {"serviceImplementation", "serviceInterface"},
        "classes": {
            "serviceImplementation": "com.intellij.openapi.components.PersistentStateComponent"
        },
    },
    "applicationConfigurable": {
        "required": {"instance", "displayName"},
        "allowed": {"instance", "displayName", "id", "parentId"},
        "classes": {"instance": "com.intellij.openapi.options.Configurable"},
    },
    "notificationGroup": {
        "required": {"id", "displayType"},
        "allowed": {"id", "displayType", "key", "bundle"},
        "classes": {},
    },
}
# Modules every IntelliJ-based IDE has, Community editions included, plus LSP4IJ.
COMMUNITY_DEPENDS = {"com.intellij.modules.platform", LSP4IJ}
ACTION_GROUPS = {"ToolsMenu", "EditorPopupMenu"}


def missing_tools() -> str | None:
    if not (JAVAC and JAVA and JAVAP):
        return "javac/java/javap not installed (apt-get install openjdk-17-jdk-headless)"
    if not JUNIT_CONSOLE.exists() or not all(p.exists() for p in JUNIT_API):
        return f"JUnit 5 not found in {JARS} (apt-get install junit5)"
    if not ANNOTATIONS.exists():
        return f"{ANNOTATIONS.name} not found (apt-get install libjetbrains-annotations-java)"
    return None


needs_java = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))


def javac(out: Path, classpath: list[Path], sources: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(JAVAC),
        *(f"-J{flag}" for flag in QUICK_JVM),
        "--release",
        "17",
        "-Xlint:all",
        "-Werror",
        "-d",
        str(out),
    ]
    cmd += ["-cp", os.pathsep.join(map(str, classpath))] if classpath else []
    proc = subprocess.run(cmd + [str(s) for s in sources], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def java_sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.java"))


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Compile the launch logic alone, the IDE classes against the API stubs, and the tests."""
    if reason := missing_tools():
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("intellij-build")
    launch, ide, tests = out / "launch", out / "ide", out / "test"
    main = PLUGIN / "src" / "main" / "java" / "dev" / "ospec" / "intellij"
    # No classpath at all: the launch logic cannot lean on an IDE class, so JUnit can test it.
    javac(launch, [], java_sources(main / "launch"))
    ide_sources = java_sources(PLUGIN / "stubs" / "src") + sorted(main.glob("*.java"))
    javac(ide, [launch, ANNOTATIONS], ide_sources)
    javac(tests, [launch, *JUNIT_API], java_sources(PLUGIN / "src" / "test" / "java"))
    return {"launch": launch, "ide": ide, "test": tests, "out": out}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """The OSpec platform API the Deploy test deploys to: a real sandbox process on loopback."""
    root = tmp_path_factory.mktemp("intellij-sandbox")
    key = "ospec_sk_" + secrets.token_urlsafe(32)
    with SandboxProcess(root / "data", FAST_ARGS, admin_key=key, log=root / "log") as proc:
        yield proc


@pytest.fixture(scope="module")
def junit(build: dict[str, Path], sandbox: SandboxProcess) -> dict[str, dict[str, str]]:
    """Run the JUnit suite once; {class: {test: passed|failed|skipped}} from its XML report."""
    reports = build["out"] / "reports"
    # The IDE's environment as a user would have it: ospec-lsp on PATH, no OSPEC_* variables,
    # no user config file. The API URL and the stored token come in as the plugin's settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSPEC_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["XDG_CONFIG_HOME"] = str(build["out"])
    proc = subprocess.run(
        [
            str(JAVA),
            *QUICK_JVM,
            f"-Dospec.test.python={sys.executable}",
            f"-Dospec.test.apiUrl={sandbox.base_url}",
            f"-Dospec.test.apiToken={sandbox.admin_key}",
            "-jar",
            str(JUNIT_CONSOLE),
            "-cp",
            os.pathsep.join([str(build["launch"]), str(build["test"])]),
            "--select-package",
            "dev.ospec.intellij",
            "--disable-banner",
            "--details=summary",
            "--reports-dir",
            str(reports),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    results: dict[str, dict[str, str]] = {}
    for report in reports.glob("*.xml"):
        for case in ET.parse(report).getroot().iter("testcase"):
            status = "passed"
            if case.find("failure") is not None or case.find("error") is not None:
                status = "failed: " + ET.tostring(case, encoding="unicode")[:2000]
            elif case.find("skipped") is not None:
                status = "skipped"
            cls = case.get("classname", "").rsplit(".", 1)[-1]
            results.setdefault(cls, {})[case.get("name", "")] = status
    assert results, proc.stdout + proc.stderr
    return results


# -- the launch logic, with JUnit ---------------------------------------------------------


JUNIT_CLASSES = sorted(p.stem for p in (PLUGIN / "src" / "test" / "java").rglob("*Test.java"))


@needs_java
@pytest.mark.parametrize("test_class", JUNIT_CLASSES)
def test_junit_class_passes(junit: dict[str, dict[str, str]], test_class: str) -> None:
    cases = junit.get(test_class, {})
    assert cases, f"{test_class} ran no tests"
    failed = {name: status for name, status in cases.items() if status.startswith("failed")}
    assert not failed, failed


@needs_java
def test_the_resolved_command_completed_initialize_with_the_real_server(
    junit: dict[str, dict[str, str]],
) -> None:
    smoke = junit["ServerSmokeTest"]
    assert smoke["theResolvedCommandServesLspAndReportsDiagnostics()"] == "passed"


@needs_java
def test_the_deploy_action_logic_deploys_to_the_sandbox_through_the_real_server(
    junit: dict[str, dict[str, str]],
) -> None:
    smoke = junit["ServerSmokeTest"]
    test = "theDeployActionRunsOspecDeployWithUriAndVersionAndTheProjectIsDeployed()"
    assert smoke[test] == "passed"
    assert smoke["aSpecWithErrorsGetsTheDeployActionDisabledWithTheReason()"] == "passed"


@needs_java
def test_the_resolver_covers_each_step_of_the_launch_order(
    junit: dict[str, dict[str, str]],
) -> None:
    passed = {n for n, s in junit["ServerResolverTest"].items() if s == "passed"}
    assert {
        "theSettingWinsOverPath()",
        "withoutASettingTheFirstOspecLspOnPathIsUsed()",
        "withoutOspecLspAPythonThatImportsOspecRunsTheModule()",
        "aPythonWithoutOspecIsNotUsedAndTheErrorSaysHowToInstall()",
    } <= passed


# -- plugin.xml ---------------------------------------------------------------------------


def supertypes(classpath: str, names: set[str]) -> dict[str, set[str]]:
    """Direct superclass and interfaces of each compiled class (one javap); absent if missing."""
    proc = subprocess.run(
        [str(JAVAP), *(f"-J{flag}" for flag in QUICK_JVM), "-cp", classpath, *sorted(names)],
        capture_output=True,
        text=True,
    )
    found: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        while (plain := re.sub(r"<[^<>]*>", "", line)) != line:  # drop generics, nested too
            line = plain
        header = re.fullmatch(
            r"(?:public |final |abstract )*(?:class|interface) (\S+)(.*)\{", line.strip()
        )
        if header:
            words = header.group(2).replace(",", " ").split()
            found[header.group(1)] = {w for w in words if w not in ("extends", "implements")}
    return found


def plugin_problems(xml_text: str, classpath: str) -> list[str]:
    """Structural check of plugin.xml; JetBrains publishes no XSD, so this is the ceiling."""
    problems: list[str] = []
    root = ET.fromstring(xml_text)
    if root.tag != "idea-plugin":
        problems.append("root element is not <idea-plugin>")
    for tag in ("id", "name", "vendor", "description"):
        if not (root.findtext(tag) or "").strip():
            problems.append(f"missing <{tag}>")
    depends = {d.text for d in root.findall("depends") if d.get("optional") != "true"}
    if depends != COMMUNITY_DEPENDS:
        problems.append(f"<depends> {sorted(depends)} is not exactly {sorted(COMMUNITY_DEPENDS)}")
    # (where, class, required supertype), checked with one javap at the end
    class_refs: list[tuple[str, str, str]] = []
    server_ids: set[str] = set()
    for ext in root.findall("extensions"):
        ns = ext.get("defaultExtensionNs", "")
        known = {LSP4IJ: LSP4IJ_EPS, "com.intellij": PLATFORM_EPS}.get(ns)
        if known is None:
            problems.append(f"unknown extension namespace {ns}")
            continue
        for el in ext:
            ep = known.get(el.tag)
            if ep is None:
                problems.append(f"{el.tag} is not an extension point of {ns}")
                continue
            attrs = set(el.attrib)
            if missing := ep["required"] - attrs:  # type: ignore[operator]
                problems.append(f"<{el.tag}> lacks {sorted(missing)}")
            if unknown := attrs - ep["allowed"]:  # type: ignore[operator]
                problems.append(f"<{el.tag}> has unknown attributes {sorted(unknown)}")
            for attr, interface in ep["classes"].items():  # type: ignore[union-attr]
                if attr in el.attrib:
                    class_refs.append((f"<{el.tag} {attr}>", el.attrib[attr], interface))
            if el.tag == "server":
                server_ids.add(el.attrib.get("id", ""))
            if "serverId" in el.attrib and el.attrib["serverId"] not in server_ids:
                problems.append(
                    f"<{el.tag}> serverId {el.attrib['serverId']} is not declared above"
                )
    for action in root.iter("action"):
        class_refs.append(
            ("<action>", action.get("class", ""), "com.intellij.openapi.actionSystem.AnAction")
        )
        for group in action.findall("add-to-group"):
            if group.get("group-id") not in ACTION_GROUPS:
                problems.append(f"unexpected action group {group.get('group-id')}")
    compiled = supertypes(classpath, {name for _, name, _ in class_refs})
    for where, name, interface in class_refs:
        if name not in compiled:
            problems.append(f"{where}: class {name} not compiled")
        elif interface not in compiled[name]:
            problems.append(f"{where}: {name} is not a {interface}")
    return problems


def compiled(build: dict[str, Path]) -> str:
    return os.pathsep.join(str(build[k]) for k in ("ide", "launch"))


def java_constant(source: str, name: str) -> str:
    match = re.search(rf"{name}\s*=\s*(.+?);", source, re.S)
    assert match, name
    return match.group(1)


@needs_java
def test_plugin_xml_uses_only_lsp4ij_and_platform_extension_points(build: dict[str, Path]) -> None:
    assert plugin_problems(PLUGIN_XML.read_text(), compiled(build)) == []


@needs_java
def test_the_plugin_check_catches_a_misspelt_class_and_an_unknown_extension(
    build: dict[str, Path],
) -> None:
    broken = (
        PLUGIN_XML.read_text()
        .replace("OspecLanguageServerFactory", "OspecLanguageServerFactoryX")
        .replace("<fileNamePatternMapping", "<filenamePatternMapping")
    )
    problems = plugin_problems(broken, compiled(build))
    assert any("OspecLanguageServerFactoryX not compiled" in p for p in problems), problems
    assert any("filenamePatternMapping is not an extension point" in p for p in problems)


def test_plugin_xml_maps_spec_files_and_only_them() -> None:
    root = ET.parse(PLUGIN_XML).getroot()
    [mapping] = root.iter("fileNamePatternMapping")
    assert mapping.get("patterns", "").split(";") == ["*.ospec.yaml", "*.ospec.yml"]
    # languageId yaml: the YAML file type (and its highlighting) stays; the server sees yaml.
    assert mapping.get("languageId") == "yaml"
    spec_files = (PLUGIN / "src/main/java/dev/ospec/intellij/launch/SpecFiles.java").read_text()
    assert java_constant(spec_files, "PATTERNS") == 'List.of("*.ospec.yaml", "*.ospec.yml")'


def test_the_server_id_in_plugin_xml_is_the_one_the_code_looks_up() -> None:
    [server] = ET.parse(PLUGIN_XML).getroot().iter("server")
    factory = (
        PLUGIN / "src/main/java/dev/ospec/intellij/OspecLanguageServerFactory.java"
    ).read_text()
    assert java_constant(factory, "SERVER_ID") == f'"{server.get("id")}"'


def test_the_deploy_action_is_named_as_users_will_look_for_it() -> None:
    [action] = ET.parse(PLUGIN_XML).getroot().iter("action")
    assert action.get("text") == "Deploy OSpec Project"
    offers = (PLUGIN / "src/main/java/dev/ospec/intellij/launch/DeployOffers.java").read_text()
    assert java_constant(offers, "COMMAND") == '"ospec.deploy"'


def test_notifications_use_the_declared_group() -> None:
    root = ET.parse(PLUGIN_XML).getroot()
    groups = {g.get("id") for g in root.iter("notificationGroup")}
    source = (PLUGIN / "src/main/java/dev/ospec/intellij/OspecNotifications.java").read_text()
    assert java_constant(source, "GROUP").strip('"') in groups


def test_the_plugin_icon_is_the_40px_svg_the_marketplace_expects() -> None:
    svg = ET.parse(PLUGIN_XML.parent / "pluginIcon.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert (svg.get("width"), svg.get("height")) == ("40", "40")


# -- the zero-code LSP4IJ template -----------------------------------------------------------


def load(name: str) -> dict[str, object]:
    return json.loads((TEMPLATE / name).read_text())


def test_template_json_has_what_lsp4ij_template_reader_requires() -> None:
    template = load("template.json")
    # LanguageServerTemplateDeserializer: name and programArgs.default are read unconditionally.
    assert isinstance(template["name"], str) and template["name"]
    assert isinstance(template["id"], str) and template["id"]
    program_args = template["programArgs"]
    assert isinstance(program_args, dict)
    assert set(program_args) <= {"default", "windows", "mac", "unix"}
    assert isinstance(program_args["default"], str)
    # A mapping is kept only with both patterns and a languageId.
    [mapping] = template["fileTypeMappings"]  # type: ignore[misc]
    assert mapping == {
        "fileType": {"patterns": ["*.ospec.yaml", "*.ospec.yml"]},
        "languageId": "yaml",
    }


def test_template_folder_holds_only_files_lsp4ij_reads() -> None:
    known = {
        "template.json",
        "settings.json",
        "settings.schema.json",
        "initializationOptions.json",
        "clientSettings.json",
        "README.md",
    }
    assert {p.name for p in TEMPLATE.iterdir()} <= known


def test_template_settings_match_their_schema() -> None:
    jsonschema.validate(load("settings.json"), load("settings.schema.json"))
    jsonschema.validate({"ospec": load("initializationOptions.json")}, load("settings.schema.json"))


def lsp_session(command: list[str], init_options: object) -> list[dict[str, object]]:
    """initialize/initialized/shutdown/exit with Content-Length framing; every message back."""

    def frame(message: dict[str, object]) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)

    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": None,
                "capabilities": {},
                "initializationOptions": init_options,
            },
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc = subprocess.run(
        command,
        input=b"".join(frame(r) for r in requests),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    messages, data = [], proc.stdout
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
        messages.append(json.loads(rest[:length]))
        data = rest[length:]
    return messages


def test_the_template_command_serves_lsp_with_the_template_options() -> None:
    program = load("template.json")["programArgs"]["default"]  # type: ignore[index]
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    executable = shutil.which(str(program), path=path)
    assert executable, f"{program} is not on PATH (pip install -e .)"
    messages = lsp_session([executable], load("initializationOptions.json"))
    [init] = [m for m in messages if m.get("id") == 1]
    assert "capabilities" in init["result"]  # type: ignore[operator]
    # The template's options are valid settings: no "Invalid ospec settings" message.
    assert [m for m in messages if m.get("method") == "window/showMessage"] == []
