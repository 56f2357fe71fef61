package dev.ospec.intellij;

import com.intellij.openapi.project.Project;
import com.redhat.devtools.lsp4ij.LanguageServerFactory;
import com.redhat.devtools.lsp4ij.client.LanguageClientImpl;
import com.redhat.devtools.lsp4ij.server.StreamConnectionProvider;
import org.jetbrains.annotations.NotNull;

/** Registered in plugin.xml as LSP4IJ server "ospec". */
public final class OspecLanguageServerFactory implements LanguageServerFactory {
    /** The server id in plugin.xml; LanguageServerManager looks the server up by it. */
    public static final String SERVER_ID = "ospec";

    @Override
    public @NotNull StreamConnectionProvider createConnectionProvider(@NotNull Project project) {
        return new OspecConnectionProvider(project);
    }

    @Override
    public @NotNull LanguageClientImpl createLanguageClient(@NotNull Project project) {
        return new OspecLanguageClient(project);
    }
}
