package dev.ospec.intellij.launch;

import java.util.List;

/** No way to start the server was found; the message says what was tried and what to do. */
public final class ServerNotFoundException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> tried;

    public ServerNotFoundException(String message, List<String> tried) {
        super(message);
        this.tried = List.copyOf(tried);
    }

    /** The candidates that were checked, in order (for the LSP console and bug reports). */
    public List<String> tried() {
        return tried;
    }
}
