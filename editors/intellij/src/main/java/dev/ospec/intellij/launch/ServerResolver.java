package dev.ospec.intellij.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the ospec-lsp command: the server path setting, then {@code ospec-lsp} on PATH, then
 * {@code python -m ospec lsp} with the first Python on PATH that can import ospec.
 *
 * <p>No IntelliJ classes here, so the whole order is unit-tested with plain JUnit.
 */
public final class ServerResolver {
    public static final String EXECUTABLE = "ospec-lsp";
    /** {@code <python> -m ospec lsp} is the same server as {@code ospec-lsp}. */
    public static final List<String> MODULE_ARGS = List.of("-m", "ospec", "lsp");
    public static final String SETTING_NAME = "Settings | Tools | OSpec | Server path";
    public static final String INSTALL_HINT = "pip install ospec";

    private static final Pattern PYTHON_NAME =
            Pattern.compile("(?i)python(w)?[0-9.]*(\\.exe)?|py(\\.exe)?");
    private static final List<String> WINDOWS_EXTENSIONS = List.of(".exe", ".cmd", ".bat", "");

    /** What the resolver may look at: the environment and the file system. */
    public interface Host {
        Map<String, String> env();

        boolean isWindows();

        Path home();

        boolean isExecutable(Path file);

        /** Whether {@code python -c "import ospec.lsp"} succeeds. */
        boolean canImportOspec(Path python);
    }

    private final Host host;

    public ServerResolver(Host host) {
        this.host = host;
    }

    /**
     * @param configured the server path setting (blank for "find it"): either the ospec-lsp
     *     executable or a Python interpreter that has ospec installed
     * @param projectDir where relative setting paths are resolved from; may be null
     */
    public ServerLaunch resolve(String configured, Path projectDir) throws ServerNotFoundException {
        if (configured != null && !configured.isBlank()) {
            return fromSetting(configured.trim(), projectDir);
        }
        List<String> tried = new ArrayList<>();
        Optional<Path> onPath = which(EXECUTABLE, tried);
        if (onPath.isPresent()) {
            return new ServerLaunch(List.of(onPath.get().toString()), ServerLaunch.Source.PATH);
        }
        for (String name : host.isWindows() ? List.of("python", "py") : List.of("python3", "python")) {
            Optional<Path> python = which(name, tried);
            if (python.isPresent()) {
                if (host.canImportOspec(python.get())) {
                    return moduleLaunch(python.get().toString(), ServerLaunch.Source.PYTHON_MODULE);
                }
                tried.add(python.get() + " (cannot import ospec)");
            }
        }
        throw new ServerNotFoundException(
                "The OSpec language server was not found: no '" + EXECUTABLE + "' on PATH and no"
                        + " Python on PATH can import 'ospec'. Install it with '" + INSTALL_HINT
                        + "', or set " + SETTING_NAME + ".",
                tried);
    }

    /** Whether a configured path names a Python interpreter rather than the server itself. */
    public static boolean isPython(Path file) {
        Path name = file.getFileName();
        return name != null && PYTHON_NAME.matcher(name.toString()).matches();
    }

    private ServerLaunch fromSetting(String configured, Path projectDir)
            throws ServerNotFoundException {
        Path path = expand(configured, projectDir);
        if (!host.isExecutable(path)) {
            throw new ServerNotFoundException(
                    "The OSpec server path '" + configured + "' (" + SETTING_NAME + ") is not an"
                            + " executable file. Point it at ospec-lsp or at a Python interpreter"
                            + " with ospec installed, or clear it to search PATH.",
                    List.of(path.toString()));
        }
        if (isPython(path)) {
            return moduleLaunch(path.toString(), ServerLaunch.Source.SETTING);
        }
        return new ServerLaunch(List.of(path.toString()), ServerLaunch.Source.SETTING);
    }

    private Path expand(String configured, Path projectDir) {
        String text = configured;
        if (text.equals("~") || text.startsWith("~/") || text.startsWith("~\\")) {
            text = host.home() + text.substring(1);
        }
        Path path = Path.of(text);
        if (!path.isAbsolute() && projectDir != null) {
            path = projectDir.resolve(path);
        }
        return path.normalize();
    }

    private static ServerLaunch moduleLaunch(String python, ServerLaunch.Source source) {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.addAll(MODULE_ARGS);
        return new ServerLaunch(command, source);
    }

    /** Like {@code which}: the first executable {@code name} on PATH (with PATHEXT-style suffixes on Windows). */
    private Optional<Path> which(String name, List<String> tried) {
        String path = envValue("PATH");
        if (path == null || path.isEmpty()) {
            tried.add(name + " (PATH is empty)");
            return Optional.empty();
        }
        String separator = host.isWindows() ? ";" : ":";
        List<String> suffixes = host.isWindows() ? WINDOWS_EXTENSIONS : List.of("");
        for (String dir : path.split(Pattern.quote(separator))) {
            if (dir.isBlank()) {
                continue;
            }
            for (String suffix : suffixes) {
                Path candidate = Path.of(dir.trim(), name + suffix);
                if (host.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        tried.add(name + " on PATH");
        return Optional.empty();
    }

    /** Environment lookup that ignores case on Windows ({@code Path} vs {@code PATH}). */
    private String envValue(String name) {
        Map<String, String> env = host.env();
        if (!host.isWindows()) {
            return env.get(name);
        }
        for (Map.Entry<String, String> entry : env.entrySet()) {
            if (entry.getKey().toUpperCase(Locale.ROOT).equals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
