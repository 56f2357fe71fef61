package dev.ospec.intellij.launch;

import java.util.List;
import java.util.Locale;

/** Which files the OSpec server serves. Mirrors the fileNamePatternMapping in plugin.xml. */
public final class SpecFiles {
    /** Glob patterns as LSP4IJ's fileNamePatternMapping and the user template spell them. */
    public static final List<String> PATTERNS = List.of("*.ospec.yaml", "*.ospec.yml");

    private SpecFiles() {}

    public static boolean isSpec(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return name.endsWith(".ospec.yaml") || name.endsWith(".ospec.yml");
    }
}
