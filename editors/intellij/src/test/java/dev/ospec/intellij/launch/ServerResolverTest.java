package dev.ospec.intellij.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch order on real files: setting, then ospec-lsp on PATH, then python -m ospec lsp. */
class ServerResolverTest {
    @TempDir Path tmp;

    /** The interpreter that runs the test suite has ospec installed (set by the pytest wrapper). */
    static final Path PYTHON_WITH_OSPEC = Path.of(System.getProperty("ospec.test.python", "python3"));

    @Test
    void theSettingWinsOverPath() throws Exception {
        Path onPath = executable(tmp.resolve("bin/ospec-lsp"));
        Path configured = executable(tmp.resolve("custom/ospec-lsp"));
        ServerLaunch launch = resolver(pathOf(onPath.getParent())).resolve(configured.toString(), null);
        assertEquals(List.of(configured.toString()), launch.command());
        assertEquals(ServerLaunch.Source.SETTING, launch.source());
    }

    @Test
    void aSettingNamingAPythonInterpreterRunsTheModule() throws Exception {
        Path python = executable(tmp.resolve("venv/bin/python3.11"));
        ServerLaunch launch = resolver(Map.of()).resolve(python.toString(), null);
        assertEquals(List.of(python.toString(), "-m", "ospec", "lsp"), launch.command());
    }

    @Test
    void aRelativeSettingIsResolvedAgainstTheProject() throws Exception {
        Path server = executable(tmp.resolve("project/.venv/bin/ospec-lsp"));
        ServerLaunch launch = resolver(Map.of()).resolve(" .venv/bin/ospec-lsp ", tmp.resolve("project"));
        assertEquals(List.of(server.toString()), launch.command());
    }

    @Test
    void aTildeSettingIsResolvedAgainstTheHomeFolder() throws Exception {
        Path server = executable(tmp.resolve("home/.local/bin/ospec-lsp"));
        ServerResolver resolver = new ServerResolver(new TestHost(Map.of(), false, tmp.resolve("home")));
        assertEquals(List.of(server.toString()), resolver.resolve("~/.local/bin/ospec-lsp", null).command());
    }

    @Test
    void aSettingThatIsNotExecutableFailsAndNamesTheSetting() throws Exception {
        Path plain = Files.writeString(tmp.resolve("ospec-lsp"), "not a program");
        executable(tmp.resolve("bin/ospec-lsp"));
        ServerNotFoundException error = assertThrows(ServerNotFoundException.class,
                () -> resolver(pathOf(tmp.resolve("bin"))).resolve(plain.toString(), null));
        assertTrue(error.getMessage().contains(ServerResolver.SETTING_NAME), error.getMessage());
        assertTrue(error.getMessage().contains(plain.toString()), error.getMessage());
    }

    @Test
    void withoutASettingTheFirstOspecLspOnPathIsUsed() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path first = executable(tmp.resolve("a/ospec-lsp"));
        executable(tmp.resolve("b/ospec-lsp"));
        ServerLaunch launch = resolver(pathOf(empty, first.getParent(), tmp.resolve("b"))).resolve("  ", null);
        assertEquals(List.of(first.toString()), launch.command());
        assertEquals(ServerLaunch.Source.PATH, launch.source());
    }

    @Test
    void aNonExecutableOspecLspOnPathIsSkipped() throws Exception {
        Files.createDirectories(tmp.resolve("a"));
        Files.writeString(tmp.resolve("a/ospec-lsp"), "#!/bin/sh\n");
        Path real = executable(tmp.resolve("b/ospec-lsp"));
        ServerLaunch launch = resolver(pathOf(tmp.resolve("a"), real.getParent())).resolve(null, null);
        assertEquals(List.of(real.toString()), launch.command());
    }

    @Test
    void withoutOspecLspAPythonThatImportsOspecRunsTheModule() throws Exception {
        // A wrapper, not a symlink: a symlinked venv interpreter no longer finds its pyvenv.cfg.
        Path python = script(tmp.resolve("bin/python3"), "exec '" + PYTHON_WITH_OSPEC + "' \"$@\"");
        ServerLaunch launch = resolver(pathOf(python.getParent())).resolve("", null);
        assertEquals(List.of(python.toString(), "-m", "ospec", "lsp"), launch.command());
        assertEquals(ServerLaunch.Source.PYTHON_MODULE, launch.source());
    }

    @Test
    void aPythonWithoutOspecIsNotUsedAndTheErrorSaysHowToInstall() throws Exception {
        Path python = script(tmp.resolve("bin/python3"), "exit 1");
        ServerNotFoundException error = assertThrows(ServerNotFoundException.class,
                () -> resolver(pathOf(python.getParent())).resolve("", null));
        assertTrue(error.getMessage().contains("pip install ospec"), error.getMessage());
        assertTrue(error.getMessage().contains(ServerResolver.SETTING_NAME), error.getMessage());
        assertTrue(error.tried().contains(python + " (cannot import ospec)"), error.tried().toString());
    }

    @Test
    void anEmptyPathFindsNothing() {
        ServerNotFoundException error = assertThrows(ServerNotFoundException.class,
                () -> resolver(Map.of("PATH", "")).resolve(null, null));
        assertTrue(error.tried().contains("ospec-lsp (PATH is empty)"), error.tried().toString());
    }

    @Test
    void onWindowsPathIsMatchedIgnoringCaseAndExeIsTried() throws Exception {
        Path server = executable(tmp.resolve("Scripts/ospec-lsp.exe"));
        ServerResolver resolver = new ServerResolver(
                new TestHost(Map.of("Path", "C:\\nowhere;" + server.getParent()), true, tmp));
        assertEquals(List.of(server.toString()), resolver.resolve("", null).command());
    }

    @Test
    void pythonInterpretersAreRecognisedByName() {
        for (String name : List.of("python", "python3", "python3.12", "python.exe", "pythonw.exe", "py.exe")) {
            assertTrue(ServerResolver.isPython(Path.of("/x", name)), name);
        }
        for (String name : List.of("ospec-lsp", "ospec-lsp.exe", "python-lsp-server", "pyright")) {
            assertFalse(ServerResolver.isPython(Path.of("/x", name)), name);
        }
    }

    @Test
    void describeSaysWhereTheCommandCameFrom() {
        ServerLaunch launch = new ServerLaunch(List.of("/v/bin/python", "-m", "ospec", "lsp"),
                ServerLaunch.Source.PYTHON_MODULE);
        assertEquals("/v/bin/python -m ospec lsp (python -m ospec lsp)", launch.describe());
    }

    // -- helpers ---------------------------------------------------------------------------

    private static ServerResolver resolver(Map<String, String> env) {
        return new ServerResolver(new SystemHost(env));
    }

    private static Map<String, String> pathOf(Path... dirs) {
        return Map.of("PATH", String.join(":", java.util.Arrays.stream(dirs).map(Path::toString).toList()));
    }

    private static Path executable(Path file) throws IOException {
        return script(file, "exit 0");
    }

    private static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** The real file system with a chosen environment, OS flavour and home folder. */
    private record TestHost(Map<String, String> env, boolean isWindows, Path home)
            implements ServerResolver.Host {
        @Override
        public boolean isExecutable(Path file) {
            return new SystemHost(env).isExecutable(file);
        }

        @Override
        public boolean canImportOspec(Path python) {
            return new SystemHost(env).canImportOspec(python);
        }
    }
}
