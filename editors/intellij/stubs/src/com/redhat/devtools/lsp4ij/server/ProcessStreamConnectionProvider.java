// Compile-only stub of com.redhat.devtools.lsp4ij.server.ProcessStreamConnectionProvider (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.redhat.devtools.lsp4ij.server;

import java.io.*;
import java.lang.annotation.*;
import java.util.*;
import java.util.concurrent.*;
import javax.swing.*;
import org.jetbrains.annotations.*;
import com.intellij.openapi.project.*;
import com.intellij.openapi.vfs.*;
import com.intellij.openapi.actionSystem.*;
import com.intellij.notification.*;
import com.redhat.devtools.lsp4ij.*;
import com.redhat.devtools.lsp4ij.client.*;
import com.redhat.devtools.lsp4ij.server.*;
import org.eclipse.lsp4j.*;
import org.eclipse.lsp4j.jsonrpc.messages.*;
import org.eclipse.lsp4j.jsonrpc.validation.*;
import org.eclipse.lsp4j.services.*;

public abstract class ProcessStreamConnectionProvider implements StreamConnectionProvider {
    public ProcessStreamConnectionProvider() {}
    public ProcessStreamConnectionProvider(@Nullable List<String> commands, @Nullable String workingDir) {}
    @Override public void start() throws CannotStartProcessException { throw new UnsupportedOperationException("compile-only stub"); }
    @Override public InputStream getInputStream() { throw new UnsupportedOperationException("compile-only stub"); }
    @Override public OutputStream getOutputStream() { throw new UnsupportedOperationException("compile-only stub"); }
    @Override public void stop() { throw new UnsupportedOperationException("compile-only stub"); }
    public List<String> getCommands() { throw new UnsupportedOperationException("compile-only stub"); }
    public void setCommands(List<String> commands) { throw new UnsupportedOperationException("compile-only stub"); }
    public @Nullable String getWorkingDirectory() { throw new UnsupportedOperationException("compile-only stub"); }
    public void setWorkingDirectory(@Nullable String workingDir) { throw new UnsupportedOperationException("compile-only stub"); }
    public @NotNull Map<String, String> getUserEnvironmentVariables() { throw new UnsupportedOperationException("compile-only stub"); }
    public void setUserEnvironmentVariables(Map<String, String> userEnvironmentVariables) { throw new UnsupportedOperationException("compile-only stub"); }
}
