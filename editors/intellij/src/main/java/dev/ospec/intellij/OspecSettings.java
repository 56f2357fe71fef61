package dev.ospec.intellij;

import com.intellij.openapi.application.ApplicationManager;
import com.intellij.openapi.components.PersistentStateComponent;
import com.intellij.openapi.components.State;
import com.intellij.openapi.components.Storage;
import org.jetbrains.annotations.NotNull;

/** Application-wide settings (Settings | Tools | OSpec), stored in ospec.xml. No secrets here. */
@State(name = "OspecSettings", storages = @Storage("ospec.xml"))
public final class OspecSettings implements PersistentStateComponent<OspecSettings.State> {
    /** Serialized by IntelliJ's XML binding: public fields with defaults. */
    public static final class State {
        /** ospec-lsp, or a Python interpreter with ospec installed; blank searches PATH. */
        public String serverPath = "";
        /** The OSpec platform API; blank keeps the SDK's default (OSPEC_API_URL, config files). */
        public String apiUrl = "";
    }

    private State state = new State();

    public static OspecSettings getInstance() {
        return ApplicationManager.getApplication().getService(OspecSettings.class);
    }

    @Override
    public @NotNull State getState() {
        return state;
    }

    @Override
    public void loadState(@NotNull State loaded) {
        state = loaded;
    }
}
