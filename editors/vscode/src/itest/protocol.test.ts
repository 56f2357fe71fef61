// The real ospec-lsp, found the way the extension finds it, driven over stdio with
// vscode-languageserver-protocol (the library vscode-languageclient is built on). No VS Code.
//
// Which server: OSPEC_LSP_PATH (a server executable) or OSPEC_PYTHON (an interpreter with ospec
// installed) if set; otherwise the extension's own discovery (ospec-lsp on PATH, then python3).
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as rpc from 'vscode-languageserver-protocol/node';
import { ConfigReader, TOKEN_ENV, configurationFor, serverEnv, serverSettings } from '../config';
import { describeLaunch, nodeLaunchDeps, resolveServer } from '../launch';
import { commandErrorMessage, deployStateFrom, serverHasCommand } from '../status';

const SPEC = [
  'ospec_version: "1.0.0"',
  'id: shop',
  'name: Shop front',
  'description: An online shop with a catalogue and a cart.',
  'outcome_type: web-ap',
  'acceptance:',
  '  http_endpoints:',
  '    - { path: /health, status: 200 }',
  '',
].join('\n');

const TIMEOUT_MS = 20000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`)), TIMEOUT_MS);
    }),
  ]);
}

function reader(values: Record<string, unknown>): ConfigReader {
  return { get: <T>(k: string, d: T) => (k in values ? (values[k] as T) : d) };
}

test('real ospec-lsp: initialize, diagnostics (OSPEC-S004), hover, completion, settings, deploy command, shutdown', async () => {
  const launch = await resolveServer(
    { path: process.env.OSPEC_LSP_PATH ?? '', python: process.env.OSPEC_PYTHON ?? '', args: [] },
    nodeLaunchDeps(process.cwd(), async () => undefined),
  );
  // eslint-disable-next-line no-console
  console.log(`# server: ${describeLaunch(launch)}`);
  const proc = cp.spawn(launch.command, launch.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: serverEnv(process.env, 'protocol-test-token'),
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));

  // What the VS Code client would answer: the extension's settings mapping.
  let config = reader({ 'deploy.confirm': true });
  const configRequests: unknown[] = [];
  conn.onRequest(rpc.ConfigurationRequest.type, (params) => {
    configRequests.push(params);
    return params.items.map((i) => configurationFor(i.section, serverSettings(config)) ?? null);
  });
  conn.onRequest(rpc.RegistrationRequest.type, () => undefined);
  conn.onRequest(rpc.WorkDoneProgressCreateRequest.type, () => undefined);
  const shown: rpc.ShowMessageParams[] = [];
  conn.onNotification(rpc.ShowMessageNotification.type, (p) => shown.push(p));
  const published: rpc.PublishDiagnosticsParams[] = [];
  const waiters: { pred: (p: rpc.PublishDiagnosticsParams) => boolean; resolve: (p: rpc.PublishDiagnosticsParams) => void }[] = [];
  conn.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of waiters.splice(0)) (w.pred(p) ? w.resolve(p) : waiters.push(w));
  });
  const nextDiagnostics = (pred: (p: rpc.PublishDiagnosticsParams) => boolean) =>
    within(
      new Promise<rpc.PublishDiagnosticsParams>((resolve) => {
        const hit = published.find(pred);
        if (hit) resolve(hit);
        else waiters.push({ pred, resolve });
      }),
      'publishDiagnostics',
    );
  conn.listen();

  try {
    const init = await within(
      conn.sendRequest(rpc.InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: null,
        initializationOptions: serverSettings(config),
        capabilities: {
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
          textDocument: {
            hover: { contentFormat: ['markdown', 'plaintext'] },
            completion: { completionItem: { snippetSupport: false } },
            publishDiagnostics: { versionSupport: true },
          },
        },
      }),
      'initialize',
    );
    assert.equal(init.serverInfo?.name, 'ospec-lsp');
    assert.ok(init.capabilities.hoverProvider, 'hover');
    assert.ok(init.capabilities.completionProvider, 'completion');
    await conn.sendNotification(rpc.InitializedNotification.type, {});

    const uri = pathToFileURL(path.join(process.cwd(), 'shop.ospec.yaml')).href;
    await conn.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'ospec', version: 1, text: SPEC },
    });
    const first = await nextDiagnostics((p) => p.uri === uri && p.diagnostics.length > 0);
    assert.equal(first.version, 1);
    const [diag] = first.diagnostics;
    assert.equal(first.diagnostics.length, 1, JSON.stringify(first.diagnostics));
    assert.equal(diag.code, 'OSPEC-S004');
    assert.equal(diag.severity, rpc.DiagnosticSeverity.Error);
    assert.deepEqual(diag.range, { start: { line: 4, character: 14 }, end: { line: 4, character: 20 } });

    const hover = await within(conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 3 } }), 'hover');
    const hoverText = JSON.stringify(hover?.contents);
    assert.match(hoverText, /Outcome type/);

    const completion = await within(
      conn.sendRequest(rpc.CompletionRequest.type, { textDocument: { uri }, position: { line: 4, character: 14 } }),
      'completion',
    );
    const items = Array.isArray(completion) ? completion : completion?.items ?? [];
    const labels = items.map((i) => i.label);
    for (const v of ['web-app', 'api', 'cli']) assert.ok(labels.includes(v), `${v} in ${labels.join(', ')}`);

    // Settings as the extension sends them: the server pulls the `ospec` section and re-checks.
    config = reader({ rules: { 'OSPEC-S004': 'warning' }, apiUrl: 'http://127.0.0.1:9/api', 'deploy.confirm': false });
    await conn.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: { ospec: serverSettings(config) } });
    const second = await nextDiagnostics((p) => p.uri === uri && p.diagnostics[0]?.severity === rpc.DiagnosticSeverity.Warning);
    assert.equal(second.diagnostics[0].code, 'OSPEC-S004');
    assert.ok(configRequests.length >= 1, 'the server asked for workspace/configuration');
    assert.deepEqual(
      shown.filter((m) => /Invalid ospec settings/.test(m.message)),
      [],
      'the server accepts the settings shape the extension sends (apiUrl, deploy.confirm included)',
    );

    // Deploy exactly as the Deploy command sends it: [uri, version], the token in the environment
    // and an API URL where nothing listens. A server without the command must be recognised as such
    // (the extension then tells the user to upgrade); one with it must fail cleanly and stay up.
    const deploy = await within(
      conn.sendRequest(rpc.ExecuteCommandRequest.type, { command: 'ospec.deploy', arguments: [uri, 1] }).then(
        (result) => ({ result, error: undefined as unknown }),
        (error: unknown) => ({ result: undefined, error }),
      ),
      'ospec.deploy',
    );
    if (serverHasCommand(init.capabilities, 'ospec.deploy')) {
      // The outcome may be the response itself or a later window/showMessage.
      const failedVisibly = () =>
        deploy.error !== undefined ||
        deployStateFrom(deploy.result)?.phase === 'failed' ||
        shown.some((m) => m.type === rpc.MessageType.Error);
      const deadline = Date.now() + TIMEOUT_MS;
      while (!failedVisibly() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(failedVisibly(), `a deploy to an API where nothing listens fails visibly: ${JSON.stringify([deploy, shown])}`);
      assert.equal(JSON.stringify([deploy, shown]).includes('protocol-test-token'), false, 'the token is never echoed');
    } else {
      assert.ok(deploy.error, 'an unadvertised command is refused');
      assert.match(commandErrorMessage(deploy.error, 'ospec.deploy'), /no "ospec.deploy" command yet.*Upgrade the server/);
    }
    const after = await within(conn.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 3 } }), 'hover after deploy');
    assert.match(JSON.stringify(after?.contents), /Outcome type/, 'the server keeps answering after a deploy attempt');

    await within(conn.sendRequest(rpc.ShutdownRequest.type), 'shutdown');
    await conn.sendNotification(rpc.ExitNotification.type);
    assert.equal(await within(exited, 'process exit'), 0, stderr);
    assert.equal(stderr.includes('protocol-test-token'), false, `the token ${TOKEN_ENV} never reaches the log`);
  } catch (err) {
    proc.kill();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server stderr ---\n${stderr}`);
  } finally {
    conn.dispose();
  }
});
