package dev.ospec.intellij;

import com.intellij.openapi.project.Project;
import com.intellij.openapi.vfs.VirtualFile;
import com.intellij.util.EnvironmentUtil;
import com.redhat.devtools.lsp4ij.server.CannotStartProcessException;
import com.redhat.devtools.lsp4ij.server.ProcessStreamConnectionProvider;
import dev.ospec.intellij.launch.ServerLaunch;
import dev.ospec.intellij.launch.ServerNotFoundException;
import dev.ospec.intellij.launch.ServerResolver;
import dev.ospec.intellij.launch.ServerSettings;
import dev.ospec.intellij.launch.SystemHost;
import java.nio.file.Path;
import org.jetbrains.annotations.NotNull;

/**
 * Starts ospec-lsp over stdio. The command is resolved at each start (not at construction) so a
 * changed setting or a fresh {@code pip install} is picked up by "Restart" in the LSP console.
 */
public final class OspecConnectionProvider extends ProcessStreamConnectionProvider {
    private final Project project;

    public OspecConnectionProvider(@NotNull Project project) {
        this.project = project;
    }

    @Override
    public void start() throws CannotStartProcessException {
        OspecSettings.State settings = OspecSettings.getInstance().getState();
        String base = project.getBasePath();
        try {
            // The IDE's shell environment, so PATH matches a terminal even when launched from a dock.
            ServerLaunch launch = new ServerResolver(new SystemHost(EnvironmentUtil.getEnvironmentMap()))
                    .resolve(settings.serverPath, base == null ? null : Path.of(base));
            setCommands(launch.command());
        } catch (ServerNotFoundException e) {
            OspecNotifications.serverNotFound(project, e.getMessage());
            throw new CannotStartProcessException(e.getMessage());
        }
        setWorkingDirectory(base);
        setUserEnvironmentVariables(ServerSettings.environment(settings.apiUrl, OspecToken.get()));
        super.start();
    }

    @Override
    public Object getInitializationOptions(VirtualFile rootUri) {
        return ServerSettings.section(OspecSettings.getInstance().getState().apiUrl);
    }
}
