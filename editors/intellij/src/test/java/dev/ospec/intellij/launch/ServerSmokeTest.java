package dev.ospec.intellij.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the command the plugin would start (resolved from this machine's PATH, as the IDE does)
 * and talks LSP to it the way LSP4IJ does: initialize with the plugin's initializationOptions,
 * didOpen, diagnostics, the Deploy action's code-action + workspace/executeCommand, shutdown.
 */
class ServerSmokeTest {
    static final String SPEC = "ospec_version: \"1.0.0\"\nname: Shop\noutcome_type: web-app\n";

    @TempDir Path tmp;

    @Test
    void theResolvedCommandServesLspAndReportsDiagnostics() throws Exception {
        Path file = Files.writeString(tmp.resolve("shop.ospec.yaml"), SPEC);
        String uri = file.toUri().toString();
        try (LspProcess server = start(ServerSettings.environment("http://127.0.0.1:9", null))) {
            Map<String, Object> caps = initialize(server, "http://127.0.0.1:9");
            assertTrue(caps.containsKey("textDocumentSync"), caps.toString());
            open(server, uri, 1, SPEC);
            Map<String, Object> published = server.awaitNotification("textDocument/publishDiagnostics",
                    p -> uri.equals(p.get("uri")) && !((List<?>) p.get("diagnostics")).isEmpty());
            List<?> diagnostics = (List<?>) LspProcess.asMap(published.get("params")).get("diagnostics");
            assertTrue(diagnostics.stream().anyMatch(d -> "OSPEC-S003".equals(LspProcess.asMap(d).get("code"))),
                    diagnostics.toString());
            // The plugin's initializationOptions ({"apiUrl": ...}) must not be rejected as invalid.
            assertEquals(List.of(), server.seen("window/showMessage"));
            assertEquals(0, server.shutdown());
        }
    }

    @Test
    void aSpecWithErrorsGetsTheDeployActionDisabledWithTheReason() throws Exception {
        Path file = Files.writeString(tmp.resolve("shop.ospec.yaml"), SPEC);
        String uri = file.toUri().toString();
        try (LspProcess server = start(Map.of())) {
            Map<String, Object> caps = initialize(server, null);
            List<?> commands = (List<?>) LspProcess.asMap(caps.get("executeCommandProvider")).get("commands");
            assertTrue(commands.contains(DeployOffers.COMMAND), String.valueOf(commands));
            open(server, uri, 4, SPEC);
            DeployOffers.Choice choice = DeployOffers.choose(offers(codeActions(server, uri)));
            DeployOffers.Disabled disabled = assertInstanceOf(DeployOffers.Disabled.class, choice);
            assertTrue(disabled.reason().contains("error"), disabled.reason());
            assertEquals(0, server.shutdown());
        }
    }

    /** What DeployAction does, against a real sandbox API on loopback (started by the pytest wrapper). */
    @Test
    void theDeployActionRunsOspecDeployWithUriAndVersionAndTheProjectIsDeployed() throws Exception {
        String apiUrl = System.getProperty("ospec.test.apiUrl");
        String token = System.getProperty("ospec.test.apiToken"); // as if stored in the password safe
        assumeTrue(apiUrl != null && token != null, "no sandbox: run through tests/editors/test_intellij.py");
        String id = "intellij-" + Long.toHexString(System.nanoTime());
        String spec = "ospec_version: \"1.0.0\"\nid: " + id + "\nname: IntelliJ deploy " + id
                + "\ndescription: Deployed by the IntelliJ plugin's launch tests.\noutcome_type: api\n"
                + "acceptance:\n  http_endpoints:\n    - { path: /health, status: 200 }\n";
        Path file = Files.writeString(tmp.resolve(id + ".ospec.yaml"), spec);
        String uri = file.toUri().toString();
        try (LspProcess server = start(ServerSettings.environment(apiUrl, token))) {
            initialize(server, apiUrl);
            open(server, uri, 1, spec);
            DeployOffers.Choice choice = DeployOffers.choose(offers(codeActions(server, uri)));
            DeployOffers.Run run = assertInstanceOf(DeployOffers.Run.class, choice);
            assertEquals(List.of(uri, 1L), run.arguments());
            Map<String, Object> result = LspProcess.asMap(server.request("workspace/executeCommand",
                    Map.of("command", run.command(), "arguments", run.arguments())));
            String projectId = String.valueOf(result.get("projectId"));
            Map<String, Object> said = server.awaitNotification("window/showMessage",
                    p -> String.valueOf(p.get("message")).contains("is deployed"));
            assertTrue(String.valueOf(LspProcess.asMap(said.get("params")).get("message")).contains(projectId),
                    said.toString());
            assertEquals(0, server.shutdown());
        }
    }

    // -- helpers ---------------------------------------------------------------------------

    /** The IDE's environment plus what the plugin adds (OSPEC_API_URL when the setting is set). */
    private static LspProcess start(Map<String, String> pluginEnv) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(pluginEnv);
        ServerLaunch launch = new ServerResolver(new SystemHost(env)).resolve("", null);
        return new LspProcess(launch, env, ServerSettings.section(pluginEnv.get(ServerSettings.API_URL_ENV)));
    }

    private static Map<String, Object> initialize(LspProcess server, String apiUrl) throws Exception {
        Map<String, Object> params = new HashMap<>();
        params.put("processId", ProcessHandle.current().pid());
        params.put("rootUri", null);
        params.put("initializationOptions", ServerSettings.section(apiUrl));
        params.put("capabilities", Map.of(
                "workspace", Map.of("configuration", true),
                "textDocument", Map.of(
                        "publishDiagnostics", Map.of("relatedInformation", true),
                        "codeAction", Map.of("disabledSupport", true))));
        Map<String, Object> result = LspProcess.asMap(server.request("initialize", params));
        server.notify("initialized", Map.of());
        return LspProcess.asMap(result.get("capabilities"));
    }

    private static void open(LspProcess server, String uri, int version, String text) throws Exception {
        server.notify("textDocument/didOpen", Map.of("textDocument",
                Map.of("uri", uri, "languageId", "yaml", "version", version, "text", text)));
    }

    /** The request DeployAction sends: code actions at the top of the document. */
    private static Object codeActions(LspProcess server, String uri) throws Exception {
        return server.request("textDocument/codeAction", Map.of(
                "textDocument", Map.of("uri", uri),
                "range", Map.of("start", position(0, 0), "end", position(0, 0)),
                "context", Map.of("diagnostics", List.of())));
    }

    private static Map<String, Object> position(int line, int character) {
        return Map.of("line", line, "character", character);
    }

    /** Command | CodeAction, as LSP4IJ's Either<Command, CodeAction> sees them. */
    @SuppressWarnings("unchecked")
    private static List<DeployOffers.Offer> offers(Object result) {
        List<DeployOffers.Offer> offers = new ArrayList<>();
        for (Object item : result instanceof List<?> list ? list : List.of()) {
            Map<String, Object> action = LspProcess.asMap(item);
            Object command = action.get("command");
            Map<String, Object> cmd = command instanceof Map<?, ?> ? LspProcess.asMap(command) : action;
            Object disabled = LspProcess.asMap(action.get("disabled")).get("reason");
            offers.add(new DeployOffers.Offer((String) action.get("title"), (String) action.get("kind"),
                    (String) cmd.get("command"),
                    (List<Object>) cmd.get("arguments"), (String) disabled));
        }
        return offers;
    }
}
