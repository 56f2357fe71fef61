// Compile-only stub of org.eclipse.lsp4j.jsonrpc.messages.Either (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package org.eclipse.lsp4j.jsonrpc.messages;

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

public class Either<L, R> {
    public L getLeft() { throw new UnsupportedOperationException("compile-only stub"); }
    public R getRight() { throw new UnsupportedOperationException("compile-only stub"); }
    public boolean isLeft() { throw new UnsupportedOperationException("compile-only stub"); }
    public boolean isRight() { throw new UnsupportedOperationException("compile-only stub"); }
}
