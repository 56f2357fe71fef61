package dev.ospec.intellij.launch;

import java.util.List;

/** The command that starts ospec-lsp over stdio, and where it was found (shown in the settings page). */
public record ServerLaunch(List<String> command, Source source) {
    public enum Source {
        SETTING("the server path setting"),
        PATH("ospec-lsp on PATH"),
        PYTHON_MODULE("python -m ospec lsp");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public ServerLaunch {
        command = List.copyOf(command);
    }

    /** One line for the settings page and logs, e.g. "/usr/bin/ospec-lsp (ospec-lsp on PATH)". */
    public String describe() {
        return String.join(" ", command) + " (" + source.label() + ")";
    }
}
