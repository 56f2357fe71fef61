package dev.ospec.intellij.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real machine, for {@link ServerResolver}. The IDE passes its own shell environment. */
public final class SystemHost implements ServerResolver.Host {
    /** A cold Python start plus the ospec import can take a few seconds on a busy machine. */
    private static final long IMPORT_CHECK_SECONDS = 20;

    private final Map<String, String> env;

    public SystemHost(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static SystemHost current() {
        return new SystemHost(System.getenv());
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    @Override
    public Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    @Override
    public boolean isExecutable(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }

    @Override
    public boolean canImportOspec(Path python) {
        ProcessBuilder builder =
                new ProcessBuilder(List.of(python.toString(), "-c", "import ospec.lsp"))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            Process process = builder.start();
            if (!process.waitFor(IMPORT_CHECK_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
