package dev.ospec.intellij.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {
    @Test
    void theApiUrlGoesIntoTheOspecSectionTrimmed() {
        assertEquals(Map.of("apiUrl", "https://api.example.test/v1"),
                ServerSettings.section(" https://api.example.test/v1 "));
        assertEquals(Map.of("ospec", Map.of("apiUrl", "http://127.0.0.1:8700")),
                ServerSettings.workspaceSettings("http://127.0.0.1:8700"));
    }

    @Test
    void aBlankApiUrlLeavesTheServerDefault() {
        assertEquals(Map.of(), ServerSettings.section("  "));
        assertEquals(Map.of(), ServerSettings.environment(null, null));
    }

    @Test
    void theApiUrlAlsoReachesTheServerEnvironment() {
        assertEquals(Map.of("OSPEC_API_URL", "https://api.example.test"),
                ServerSettings.environment("https://api.example.test", ""));
    }

    @Test
    void aStoredTokenReachesTheServerEnvironmentOnly() {
        assertEquals(Map.of("OSPEC_API_TOKEN", "ospec_sk_abc"), ServerSettings.environment("", " ospec_sk_abc "));
        assertEquals(Map.of(), ServerSettings.section(""));
        assertEquals(Map.of(ServerSettings.SECTION, Map.of()), ServerSettings.workspaceSettings(null));
    }

    @Test
    void onlyHttpAndHttpsUrlsAreAccepted() {
        assertEquals(Optional.empty(), ServerSettings.apiUrlProblem(""));
        assertEquals(Optional.empty(), ServerSettings.apiUrlProblem("https://api.ospec.dev"));
        assertTrue(ServerSettings.apiUrlProblem("ftp://api.ospec.dev").isPresent());
        assertTrue(ServerSettings.apiUrlProblem("api.ospec.dev").isPresent());
        assertTrue(ServerSettings.apiUrlProblem("https://exa mple").isPresent());
    }
}
