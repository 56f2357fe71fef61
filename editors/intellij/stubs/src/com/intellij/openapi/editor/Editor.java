// Compile-only stub of com.intellij.openapi.editor.Editor (signature copied from the real API). Never shipped: see editors/intellij/README.md.
package com.intellij.openapi.editor;

public interface Editor {}
