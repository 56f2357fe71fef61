// package.json contributions agree with the code: commands, settings, language, grammar.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SERVER_COMMANDS } from '../config';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const extensionSource = fs.readFileSync(path.join(ROOT, 'src', 'extension.ts'), 'utf8');

test('every contributed command is registered by the extension, and none shadows a server command', () => {
  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  const titles = pkg.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
  for (const t of ['OSpec: Deploy', 'OSpec: Show Status', 'OSpec: Restart Server', 'OSpec: Show Output', 'OSpec: Set API Token']) {
    assert.ok(titles.includes(t), t);
  }
  for (const id of contributed) assert.ok(extensionSource.includes(`'${id}'`), `${id} appears in extension.ts`);
  // vscode-languageclient registers a VS Code command for each server command it is told about:
  // the extension's own ids must not collide with them.
  for (const id of Object.values(SERVER_COMMANDS)) assert.ok(!contributed.includes(id), `${id} is the server's`);
});

test('the ospec language covers the three file patterns and reuses the YAML grammar', () => {
  const [lang] = pkg.contributes.languages;
  assert.equal(lang.id, 'ospec');
  assert.deepEqual(lang.extensions, ['.ospec.yaml', '.ospec.yml', '.ospec']);
  const langConf = JSON.parse(fs.readFileSync(path.join(ROOT, lang.configuration), 'utf8'));
  assert.equal(langConf.comments.lineComment, '#');
  const [grammar] = pkg.contributes.grammars;
  assert.equal(grammar.language, 'ospec');
  const tm = JSON.parse(fs.readFileSync(path.join(ROOT, grammar.path), 'utf8'));
  assert.equal(tm.scopeName, grammar.scopeName);
  assert.deepEqual(tm.patterns, [{ include: 'source.yaml' }]);
  assert.ok(pkg.activationEvents.includes('onLanguage:ospec'));
});

test('the settings the code reads are all contributed', () => {
  const props = Object.keys(pkg.contributes.configuration.properties).sort();
  assert.deepEqual(props, [
    'ospec.apiUrl',
    'ospec.deploy.confirm',
    'ospec.profile',
    'ospec.rules',
    'ospec.server.args',
    'ospec.server.path',
    'ospec.server.python',
    'ospec.trace.server',
  ]);
  assert.equal(props.some((p) => /token/i.test(p)), false, 'the API token is never a setting');
  const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.deepEqual(restricted.sort(), ['ospec.server.args', 'ospec.server.path', 'ospec.server.python']);
});

test('engines and @types/vscode agree (vsce refuses otherwise)', () => {
  assert.equal(pkg.engines.vscode, '^1.82.0');
  assert.equal(pkg.devDependencies['@types/vscode'], '1.82.0');
  assert.equal(pkg.dependencies['vscode-languageclient'], '9.0.1');
});
