package dev.ospec.intellij.launch;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin's settings as the server reads them: the {@code ospec} section (initializationOptions
 * and workspace/configuration) and the server process environment.
 */
public final class ServerSettings {
    /** The configuration section the server asks for. */
    public static final String SECTION = "ospec";
    /** The SDK inside the server reads the API URL from this variable too. */
    public static final String API_URL_ENV = "OSPEC_API_URL";
    /** The server reads the API token only from its environment (never from plugin settings). */
    public static final String API_TOKEN_ENV = "OSPEC_API_TOKEN";

    private ServerSettings() {}

    /** The {@code ospec} section: {@code {"apiUrl": ...}} when an API URL is set, else empty. */
    public static Map<String, Object> section(String apiUrl) {
        Map<String, Object> section = new LinkedHashMap<>();
        clean(apiUrl).ifPresent(url -> section.put("apiUrl", url));
        return section;
    }

    /** What workspace/configuration answers from: {@code {"ospec": section}}. */
    public static Map<String, Object> workspaceSettings(String apiUrl) {
        return Map.of(SECTION, section(apiUrl));
    }

    /**
     * Extra environment for the server process, added to the IDE's own: the API URL setting and
     * the token from the IDE's password safe. Without a stored token, an OSPEC_API_TOKEN already
     * in the IDE's environment is left as it is.
     */
    public static Map<String, String> environment(String apiUrl, String storedToken) {
        Map<String, String> env = new LinkedHashMap<>();
        clean(apiUrl).ifPresent(url -> env.put(API_URL_ENV, url));
        clean(storedToken).ifPresent(token -> env.put(API_TOKEN_ENV, token));
        return env;
    }

    /** Why an API URL cannot be used, or empty when it is fine (blank means "SDK default"). */
    public static Optional<String> apiUrlProblem(String apiUrl) {
        Optional<String> url = clean(apiUrl);
        if (url.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url.get());
            String scheme = uri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
                return Optional.of("The API URL must be an http:// or https:// URL, e.g. https://api.ospec.dev");
            }
        } catch (URISyntaxException e) {
            return Optional.of("The API URL is not a valid URL: " + e.getReason());
        }
        return Optional.empty();
    }

    private static Optional<String> clean(String apiUrl) {
        if (apiUrl == null || apiUrl.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(apiUrl.trim());
    }
}
