package dev.ospec.intellij;

import com.intellij.credentialStore.CredentialAttributes;
import com.intellij.credentialStore.CredentialAttributesKt;
import com.intellij.ide.passwordSafe.PasswordSafe;
import org.jetbrains.annotations.Nullable;

/**
 * The OSpec API token in the IDE's password safe (OS keychain or KeePass), never in ospec.xml.
 * Blocking calls: use from background threads (server start, the settings page's loader).
 */
final class OspecToken {
    private static final CredentialAttributes ATTRIBUTES =
            new CredentialAttributes(CredentialAttributesKt.generateServiceName("OSpec", "apiToken"));

    private OspecToken() {}

    static @Nullable String get() {
        return PasswordSafe.getInstance().getPassword(ATTRIBUTES);
    }

    /** A blank token removes the stored one. */
    static void set(@Nullable String token) {
        PasswordSafe.getInstance().setPassword(ATTRIBUTES, token == null || token.isBlank() ? null : token.trim());
    }
}
