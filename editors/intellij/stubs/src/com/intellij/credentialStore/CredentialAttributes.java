// Compile-only stub of com.intellij.credentialStore.CredentialAttributes (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.intellij.credentialStore;

import org.jetbrains.annotations.NotNull;

public final class CredentialAttributes {
    public CredentialAttributes(@NotNull String serviceName) {}
}
