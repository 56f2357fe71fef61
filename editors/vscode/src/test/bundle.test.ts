// The esbuild bundle (what the .vsix ships) loads with the real vscode-languageclient inside it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const BUNDLE = path.resolve(__dirname, '..', '..', 'dist', 'extension.js');

test('dist/extension.js loads against a minimal vscode and exports activate/deactivate', { skip: !fs.existsSync(BUNDLE) && 'run `npm run bundle` first' }, () => {
  // vscode-languageclient subclasses these at import time; everything else is looked up lazily.
  const classes = ['CompletionItem', 'CodeLens', 'DocumentLink', 'CodeAction', 'Diagnostic', 'CallHierarchyItem',
    'TypeHierarchyItem', 'SymbolInformation', 'InlayHint', 'CancellationError', 'Disposable', 'EventEmitter'];
  const vscode: Record<string, unknown> = {};
  for (const c of classes) vscode[c] = class {};
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('node:module');
  const origLoad = Module._load;
  Module._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? vscode : origLoad.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[BUNDLE];
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const bundle = require(BUNDLE);
    assert.equal(typeof bundle.activate, 'function');
    assert.equal(typeof bundle.deactivate, 'function');
  } finally {
    Module._load = origLoad;
  }
});
