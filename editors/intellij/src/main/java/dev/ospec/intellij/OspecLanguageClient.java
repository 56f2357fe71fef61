package dev.ospec.intellij;

import com.intellij.openapi.project.Project;
import com.redhat.devtools.lsp4ij.client.LanguageClientImpl;
import dev.ospec.intellij.launch.ServerSettings;
import org.jetbrains.annotations.NotNull;

/** Answers the server's workspace/configuration for section "ospec" from the plugin settings. */
public final class OspecLanguageClient extends LanguageClientImpl {
    public OspecLanguageClient(@NotNull Project project) {
        super(project);
    }

    @Override
    protected Object createSettings() {
        return ServerSettings.workspaceSettings(OspecSettings.getInstance().getState().apiUrl);
    }
}
