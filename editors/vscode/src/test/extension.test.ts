// activate() and the commands, against a stubbed 'vscode' module and a fake LanguageClient.
// Server discovery runs for real (PATH lookup, `python -c "import ospec.lsp"` probe) on small
// executable scripts in a temporary folder, with PATH pointed at that folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { FakeLanguageClient, FakeUri, changeSettings, installStubs, makeContext, reset, settle, world } from '../testing/fakes';

installStubs();
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ext: typeof import('../extension') = require('../extension');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ospec-vscode-test-'));
const emptyDir = path.join(tmp, 'empty');
fs.mkdirSync(emptyDir);

function script(name: string, exitCode: number): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, `#!/bin/sh\nexit ${exitCode}\n`, { mode: 0o755 });
  return p;
}

const serverBin = script('ospec-lsp', 0);
const goodPython = script('python-with-ospec', 0);
const barePython = script('python-without-ospec', 1);

const saved = { PATH: process.env.PATH, OSPEC_API_TOKEN: process.env.OSPEC_API_TOKEN };
const TOKEN = 'tok-1234567890';

beforeEach(() => {
  reset();
  process.env.PATH = emptyDir;
  delete process.env.OSPEC_API_TOKEN;
});
afterEach(async () => {
  await ext.deactivate();
});
after(() => {
  process.env.PATH = saved.PATH;
  if (saved.OSPEC_API_TOKEN === undefined) delete process.env.OSPEC_API_TOKEN;
  else process.env.OSPEC_API_TOKEN = saved.OSPEC_API_TOKEN;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const skipOnWindows = process.platform === 'win32' ? 'uses POSIX shell scripts as fake executables' : false;

function lastClient(): FakeLanguageClient {
  const c = FakeLanguageClient.instances.at(-1);
  assert.ok(c, 'a LanguageClient was created');
  return c;
}

function specEditor(version = 7) {
  world.activeTextEditor = { document: { uri: FakeUri.file('/work/project/shop.ospec.yaml'), languageId: 'ospec', version } };
}

describe('activation', { skip: skipOnWindows }, () => {
  test('starts the server from ospec.server.path for ospec documents and shows the status bar', async () => {
    world.settings = { 'ospec.server.path': serverBin, 'ospec.server.args': ['--log-level', 'DEBUG'], 'ospec.profile': 'strict' };
    await ext.activate(makeContext() as never);
    const c = lastClient();
    assert.equal(c.id, 'ospec', 'vscode-languageclient reads the ospec.trace.server setting by this id');
    assert.equal(c.serverOptions.command, serverBin);
    assert.deepEqual(c.serverOptions.args, ['--log-level', 'DEBUG']);
    assert.equal(c.serverOptions.options.cwd, '/work/project');
    assert.deepEqual(c.clientOptions.documentSelector, [
      { scheme: 'file', language: 'ospec' },
      { scheme: 'untitled', language: 'ospec' },
    ]);
    assert.deepEqual(c.clientOptions.initializationOptions(), { profile: 'strict', rules: {}, deploy: { confirm: true } });
    assert.equal(c.started, 1);
    assert.equal(world.statusItem?.text, '$(check) OSpec');
    assert.equal(world.statusItem?.shown, true);
    for (const id of Object.values(ext.COMMANDS)) assert.ok(world.commands[id], `${id} registered`);
    assert.equal(world.messages.length, 0);
    await ext.deactivate();
    assert.equal(c.stopped, 1);
    assert.deepEqual(Object.keys(world.commands), [], 'commands are disposed on deactivate');
  });

  test('finds ospec-lsp on PATH when no setting is given', async () => {
    process.env.PATH = `${emptyDir}${path.delimiter}${tmp}`;
    await ext.activate(makeContext() as never);
    assert.equal(lastClient().serverOptions.command, serverBin);
    assert.deepEqual(lastClient().serverOptions.args, []);
  });

  test("uses the Python extension's interpreter when ospec-lsp is not on PATH", async () => {
    world.pythonExtension = {
      isActive: true,
      exports: {
        environments: {
          getActiveEnvironmentPath: () => ({ path: goodPython }),
          resolveEnvironment: async (p: { path: string }) => ({ executable: { uri: { fsPath: p.path } } }),
        },
      },
    };
    await ext.activate(makeContext() as never);
    assert.equal(lastClient().serverOptions.command, goodPython);
    assert.deepEqual(lastClient().serverOptions.args, ['-m', 'ospec', 'lsp']);
  });

  test('ospec.server.python is probed and used as <python> -m ospec lsp', async () => {
    world.settings = { 'ospec.server.python': goodPython };
    await ext.activate(makeContext() as never);
    assert.equal(lastClient().serverOptions.command, goodPython);
    assert.deepEqual(lastClient().serverOptions.args, ['-m', 'ospec', 'lsp']);
  });

  test('no server anywhere: an error with Install that runs pip in a terminal, and no client', async () => {
    world.settings = { 'ospec.server.python': barePython };
    world.answer = (m) => (m.items.includes('Install') ? 'Install' : undefined);
    await ext.activate(makeContext() as never);
    await settle();
    assert.equal(FakeLanguageClient.instances.length, 0);
    const err = world.messages.find((m) => m.kind === 'error');
    assert.ok(err);
    assert.match(err.text, /cannot import ospec/);
    assert.deepEqual(err.items, ['Install', 'Open Settings', 'Show Output']);
    assert.equal(world.terminals.length, 1);
    assert.deepEqual(world.terminals[0].sent, [`${barePython} -m pip install ospec`]);
    assert.equal(world.statusItem?.text, '$(error) OSpec');
  });

  test('nothing configured and nothing found: the message says how to install and what to set', async () => {
    world.answer = (m) => (m.items.includes('Open Settings') ? 'Open Settings' : undefined);
    await ext.activate(makeContext() as never);
    await settle();
    const err = world.messages.find((m) => m.kind === 'error');
    assert.ok(err);
    assert.match(err.text, /ospec-lsp\) was not found/);
    assert.match(err.text, /pip install ospec/);
    assert.match(err.text, /ospec\.server\.path or ospec\.server\.python/);
    assert.deepEqual(world.executed.at(-1), { id: 'workbench.action.openSettings', args: ['ospec.server'] });
    assert.ok(world.logs.some((l) => l.includes('tried: ospec-lsp on PATH (not found)')));
  });

  test('a server that fails to start is reported, with the status bar in error', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    FakeLanguageClient.startError = new Error('spawn EACCES');
    await ext.activate(makeContext() as never);
    assert.match(world.messages[0].text, /could not start the language server .*spawn EACCES/);
    assert.equal(world.statusItem?.text, '$(error) OSpec');
    assert.equal(world.statusItem?.backgroundColor?.id, 'statusBarItem.errorBackground');
  });
});

describe('settings pass-through', { skip: skipOnWindows }, () => {
  test('workspace/configuration is answered with the server-shaped ospec section', async () => {
    world.settings = { 'ospec.server.path': serverBin, 'ospec.rules': { 'OSPEC-R004': 'off' }, 'ospec.apiUrl': 'https://api.test' };
    await ext.activate(makeContext() as never);
    const mw = lastClient().clientOptions.middleware.workspace.configuration;
    const answer = await mw({ items: [{ section: 'ospec' }, { section: 'ospec.deploy' }] }, undefined, async () => assert.fail('not delegated'));
    assert.deepEqual(answer, [
      { profile: 'default', rules: { 'OSPEC-R004': 'off' }, apiUrl: 'https://api.test', deploy: { confirm: true } },
      { confirm: true },
    ]);
    const mixed = await mw({ items: [{ section: 'yaml' }, { section: 'ospec' }] }, undefined, async () => ['from-vscode', 'ignored']);
    assert.equal(mixed[0], 'from-vscode');
    assert.equal(mixed[1].profile, 'default');
  });

  test('profile/rules/apiUrl/deploy changes are pushed; server.* changes restart', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    await ext.activate(makeContext() as never);
    const first = lastClient();
    changeSettings({ 'ospec.profile': 'strict', 'ospec.deploy.confirm': false });
    await settle();
    assert.deepEqual(first.notifications, [
      { method: 'workspace/didChangeConfiguration', params: { settings: { ospec: { profile: 'strict', rules: {}, deploy: { confirm: false } } } } },
    ]);
    assert.equal(FakeLanguageClient.instances.length, 1);
    changeSettings({ 'ospec.server.args': ['--log-level', 'INFO'] });
    await settle();
    assert.equal(FakeLanguageClient.instances.length, 2);
    assert.equal(first.stopped, 1);
    assert.deepEqual(lastClient().serverOptions.args, ['--log-level', 'INFO']);
  });
});

describe('API token', { skip: skipOnWindows }, () => {
  test('a stored token is given to the server as OSPEC_API_TOKEN', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    const ctx = makeContext();
    world.secrets.set('ospec.apiToken', TOKEN);
    await ext.activate(ctx as never);
    assert.equal(lastClient().serverOptions.options.env.OSPEC_API_TOKEN, TOKEN);
    assert.equal(lastClient().serverOptions.options.env.PATH, process.env.PATH, 'the rest of the environment is kept');
  });

  test('Set API Token: password input → SecretStorage → server restarted with it; never in settings or logs', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    await ext.activate(makeContext() as never);
    assert.equal(lastClient().serverOptions.options.env.OSPEC_API_TOKEN, undefined);
    world.inputBoxValue = `  ${TOKEN} `;
    await world.commands[ext.COMMANDS.setApiToken]();
    await settle();
    assert.equal(world.inputBoxOptions?.password, true);
    assert.equal(world.secrets.get('ospec.apiToken'), TOKEN);
    assert.equal(FakeLanguageClient.instances.length, 2, 'exactly one restart');
    assert.equal(FakeLanguageClient.instances[0].stopped, 1);
    assert.equal(lastClient().serverOptions.options.env.OSPEC_API_TOKEN, TOKEN);
    assert.equal(JSON.stringify(world.settings).includes(TOKEN), false);
    assert.equal(world.logs.join('\n').includes(TOKEN), false);
    assert.equal(JSON.stringify(world.messages).includes(TOKEN), false);
  });

  test('cancelling the input changes nothing', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    await ext.activate(makeContext() as never);
    world.inputBoxValue = undefined;
    await world.commands[ext.COMMANDS.setApiToken]();
    assert.equal(world.secrets.size, 0);
    assert.equal(FakeLanguageClient.instances.length, 1);
  });

  test('Clear API Token removes it and restarts without it; a change from another window restarts too', async () => {
    world.settings = { 'ospec.server.path': serverBin };
    const ctx = makeContext();
    world.secrets.set('ospec.apiToken', TOKEN);
    await ext.activate(ctx as never);
    await world.commands[ext.COMMANDS.clearApiToken]();
    await settle();
    assert.equal(world.secrets.has('ospec.apiToken'), false);
    assert.equal(FakeLanguageClient.instances.length, 2);
    assert.equal(lastClient().serverOptions.options.env.OSPEC_API_TOKEN, undefined);
    // another window stores a token: the secret-change event alone restarts the server
    await ctx.secrets.store('ospec.apiToken', 'other-window');
    await settle();
    assert.equal(FakeLanguageClient.instances.length, 3);
    assert.equal(lastClient().serverOptions.options.env.OSPEC_API_TOKEN, 'other-window');
  });
});

describe('deploy and status', { skip: skipOnWindows }, () => {
  async function start(capabilities: Record<string, unknown>) {
    world.settings = { 'ospec.server.path': serverBin };
    FakeLanguageClient.capabilities = capabilities;
    await ext.activate(makeContext() as never);
    await settle();
    return lastClient();
  }

  test('Deploy sends workspace/executeCommand ospec.deploy with [uri, version] of the active spec', async () => {
    const c = await start({ executeCommandProvider: { commands: ['ospec.deploy'] } });
    FakeLanguageClient.onRequest = async () => ({ projectId: 'proj_42', status: 'deployed', url: 'https://app.test/p/proj_42' });
    specEditor(7);
    const result = await world.commands[ext.COMMANDS.deploy]();
    assert.deepEqual(c.requests, [
      { method: 'workspace/executeCommand', params: { command: 'ospec.deploy', arguments: ['file:///work/project/shop.ospec.yaml', 7] } },
    ]);
    assert.deepEqual(result, { projectId: 'proj_42', status: 'deployed', url: 'https://app.test/p/proj_42' });
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(cloud-upload) deployed');
    assert.match(world.statusItem!.tooltip, /Last deploy: deployed \(proj_42\)/);
    // the server reports progress and the outcome itself; the extension adds no second notification
    assert.deepEqual(world.messages, []);
  });

  test('while the deploy runs the status bar says deploying', async () => {
    await start({ executeCommandProvider: { commands: ['ospec.deploy'] } });
    let finish!: (v: unknown) => void;
    FakeLanguageClient.onRequest = () => new Promise((resolve) => (finish = resolve));
    specEditor();
    const running = world.commands[ext.COMMANDS.deploy]();
    await settle();
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(sync~spin) deploying');
    finish({ status: 'failed', message: 'validation phase failed' });
    await running;
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(warning) deploy failed');
    assert.match(world.statusItem!.tooltip, /validation phase failed/);
  });

  test('a failing deploy shows the error and marks the status bar', async () => {
    await start({ executeCommandProvider: { commands: ['ospec.deploy'] } });
    FakeLanguageClient.onRequest = async () => {
      throw Object.assign(new Error('401 Unauthorized: set OSPEC_API_TOKEN'), { code: -32603 });
    };
    specEditor();
    await world.commands[ext.COMMANDS.deploy]();
    assert.equal(world.messages.at(-1)!.text, 'OSpec: deploy of shop.ospec.yaml failed: 401 Unauthorized: set OSPEC_API_TOKEN');
    assert.deepEqual(world.messages.at(-1)!.items, ['Show Output']);
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(warning) deploy failed');
  });

  test("the server's own code action and code lens update the status bar too (executeCommand middleware)", async () => {
    const c = await start({ executeCommandProvider: { commands: ['ospec.deploy', 'ospec.status'] } });
    const mw = c.clientOptions.middleware.executeCommand;
    const result = await mw('ospec.deploy', ['file:///work/project/shop.ospec.yaml', 3], async () => ({ status: 'deployed' }));
    assert.deepEqual(result, { status: 'deployed' });
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(cloud-upload) deployed');
    await assert.rejects(mw('ospec.deploy', [], async () => Promise.reject(new Error('503 Service Unavailable'))), /503/);
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(warning) deploy failed');
    // other server commands pass straight through
    assert.equal(await mw('ospec.status', [], async () => 'untouched'), 'untouched');
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(warning) deploy failed');
  });

  test('Deploy without an OSpec editor, or against a server without ospec.deploy, explains itself', async () => {
    const c = await start({});
    await world.commands[ext.COMMANDS.deploy]();
    assert.match(world.messages.at(-1)!.text, /open a spec/);
    specEditor();
    await world.commands[ext.COMMANDS.deploy]();
    assert.match(world.messages.at(-1)!.text, /no "ospec.deploy" command yet/);
    assert.deepEqual(c.requests, []);
  });

  test('the deploy part of the status bar follows ospec.status (at start and on Show Status)', async () => {
    FakeLanguageClient.onRequest = async (_m, params) =>
      (params as { command: string }).command === 'ospec.status' ? { server: 'ok', lastDeploy: { status: 'failed', message: 'quota' } } : null;
    const c = await start({ executeCommandProvider: { commands: ['ospec.status', 'ospec.deploy'] } });
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(warning) deploy failed');
    FakeLanguageClient.onRequest = async () => ({ lastDeploy: { state: 'succeeded' } });
    specEditor();
    await world.commands[ext.COMMANDS.showStatus]();
    assert.deepEqual(c.requests.at(-1), {
      method: 'workspace/executeCommand',
      params: { command: 'ospec.status', arguments: ['file:///work/project/shop.ospec.yaml'] },
    });
    assert.equal(world.statusItem?.text, '$(check) OSpec · $(cloud-upload) deployed');
    assert.match(world.messages.at(-1)!.text, /Server: running \(ospec-lsp 0\.1\.0\)/);
    assert.match(world.messages.at(-1)!.text, /API token: not set/);
  });

  test('Restart Server and Show Output', async () => {
    const c = await start({});
    await world.commands[ext.COMMANDS.restartServer]();
    assert.equal(c.stopped, 1);
    assert.equal(FakeLanguageClient.instances.length, 2);
    await world.commands[ext.COMMANDS.showOutput]();
    assert.ok(world.logs.includes('show'));
  });
});
