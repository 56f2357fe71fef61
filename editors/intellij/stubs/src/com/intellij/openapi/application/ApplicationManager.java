// Compile-only stub of com.intellij.openapi.application.ApplicationManager (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.intellij.openapi.application;

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

public class ApplicationManager {
    public static Application getApplication() { throw new UnsupportedOperationException("compile-only stub"); }
}
