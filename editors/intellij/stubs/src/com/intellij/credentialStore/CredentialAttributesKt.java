// Compile-only stub of com.intellij.credentialStore.CredentialAttributesKt (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.intellij.credentialStore;

import org.jetbrains.annotations.NotNull;

public final class CredentialAttributesKt {
    public static @NotNull String generateServiceName(@NotNull String subsystem, @NotNull String key) { throw new UnsupportedOperationException("compile-only stub"); }
}
