// Compile-only stub of com.intellij.ide.passwordSafe.PasswordSafe (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.intellij.ide.passwordSafe;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import com.intellij.credentialStore.CredentialAttributes;

public abstract class PasswordSafe {
    public static @NotNull PasswordSafe getInstance() { throw new UnsupportedOperationException("compile-only stub"); }
    public @Nullable String getPassword(@NotNull CredentialAttributes attributes) { throw new UnsupportedOperationException("compile-only stub"); }
    public void setPassword(@NotNull CredentialAttributes attributes, @Nullable String value) { throw new UnsupportedOperationException("compile-only stub"); }
}
