package dev.ospec.intellij;

import com.intellij.openapi.application.ApplicationManager;
import com.intellij.openapi.options.Configurable;
import com.intellij.openapi.options.ConfigurationException;
import com.intellij.openapi.project.Project;
import com.intellij.openapi.project.ProjectManager;
import com.intellij.util.EnvironmentUtil;
import com.redhat.devtools.lsp4ij.LanguageServerManager;
import dev.ospec.intellij.launch.ServerNotFoundException;
import dev.ospec.intellij.launch.ServerResolver;
import dev.ospec.intellij.launch.ServerSettings;
import dev.ospec.intellij.launch.SystemHost;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.util.Objects;
import java.util.Optional;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JPasswordField;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import org.jetbrains.annotations.Nls;
import org.jetbrains.annotations.Nullable;

/** Settings | Tools | OSpec: server path, API URL, API token, and which command would run now. */
public final class OspecSettingsConfigurable implements Configurable {
    private JTextField serverPath;
    private JTextField apiUrl;
    private JPasswordField apiToken;
    private JLabel resolved;
    /** The token as loaded from the password safe; null until loaded. */
    private volatile String storedToken;

    @Override
    public @Nls String getDisplayName() {
        return "OSpec";
    }

    @Override
    public @Nullable JComponent createComponent() {
        serverPath = new JTextField(40);
        serverPath.setToolTipText("ospec-lsp, or a Python interpreter with ospec installed. Blank: search PATH.");
        apiUrl = new JTextField(40);
        apiUrl.setToolTipText("Blank: OSPEC_API_URL or the SDK's config files.");
        apiToken = new JPasswordField(40);
        apiToken.setToolTipText("Kept in the IDE's password safe and given to the server as"
                + " OSPEC_API_TOKEN. Blank: OSPEC_API_TOKEN from the IDE's environment.");
        resolved = new JLabel(" ");
        JPanel panel = new JPanel(new GridBagLayout());
        row(panel, 0, "Server path:", serverPath);
        row(panel, 1, "API URL:", apiUrl);
        row(panel, 2, "API token:", apiToken);
        row(panel, 3, "Will run:", resolved);
        GridBagConstraints filler = new GridBagConstraints();
        filler.gridy = 4;
        filler.weighty = 1;
        panel.add(new JPanel(), filler);
        return panel;
    }

    @Override
    public boolean isModified() {
        OspecSettings.State state = OspecSettings.getInstance().getState();
        return !Objects.equals(serverPath.getText().trim(), state.serverPath)
                || !Objects.equals(apiUrl.getText().trim(), state.apiUrl)
                || tokenChanged();
    }

    @Override
    public void apply() throws ConfigurationException {
        Optional<String> problem = ServerSettings.apiUrlProblem(apiUrl.getText());
        if (problem.isPresent()) {
            throw new ConfigurationException(problem.get());
        }
        OspecSettings.State state = OspecSettings.getInstance().getState();
        state.serverPath = serverPath.getText().trim();
        state.apiUrl = apiUrl.getText().trim();
        boolean tokenChanged = tokenChanged();
        String token = new String(apiToken.getPassword()).trim();
        // The password safe blocks; store off the UI thread, then restart with the new values.
        ApplicationManager.getApplication().executeOnPooledThread(() -> {
            if (tokenChanged) {
                OspecToken.set(token);
                storedToken = token;
            }
            // All three are read at server start: restart running servers (others start on demand).
            for (Project project : ProjectManager.getInstance().getOpenProjects()) {
                LanguageServerManager.getInstance(project).start(OspecLanguageServerFactory.SERVER_ID);
            }
        });
        showResolved();
    }

    @Override
    public void reset() {
        OspecSettings.State state = OspecSettings.getInstance().getState();
        serverPath.setText(state.serverPath);
        apiUrl.setText(state.apiUrl);
        JPasswordField field = apiToken;
        ApplicationManager.getApplication().executeOnPooledThread(() -> {
            String token = Objects.requireNonNullElse(OspecToken.get(), "");
            storedToken = token;
            SwingUtilities.invokeLater(() -> field.setText(token));
        });
        showResolved();
    }

    @Override
    public void disposeUIResources() {
        serverPath = null;
        apiUrl = null;
        apiToken = null;
        resolved = null;
    }

    private boolean tokenChanged() {
        String loaded = storedToken;
        return loaded != null && !loaded.equals(new String(apiToken.getPassword()).trim());
    }

    /** Resolving may run Python (the import check), so never on the UI thread. */
    private void showResolved() {
        String configured = serverPath.getText();
        JLabel label = resolved;
        label.setText("…");
        ApplicationManager.getApplication().executeOnPooledThread(() -> {
            String text;
            try {
                text = new ServerResolver(new SystemHost(EnvironmentUtil.getEnvironmentMap()))
                        .resolve(configured, null)
                        .describe();
            } catch (ServerNotFoundException e) {
                text = e.getMessage();
            }
            String shown = text;
            SwingUtilities.invokeLater(() -> label.setText(shown));
        });
    }

    private static void row(JPanel panel, int y, String label, JComponent field) {
        GridBagConstraints left = new GridBagConstraints();
        left.gridx = 0;
        left.gridy = y;
        left.anchor = GridBagConstraints.WEST;
        left.insets = new Insets(4, 0, 4, 8);
        panel.add(new JLabel(label), left);
        GridBagConstraints right = new GridBagConstraints();
        right.gridx = 1;
        right.gridy = y;
        right.weightx = 1;
        right.fill = GridBagConstraints.HORIZONTAL;
        right.insets = new Insets(4, 0, 4, 0);
        panel.add(field, right);
    }
}
