// The VS Code side of OSpec: find and start ospec-lsp, pass settings and the API token through,
// and expose the server's deploy/status commands. All decisions live in launch.ts, config.ts and
// status.ts (pure, unit-tested); this file only wires them to the VS Code API.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import {
  SECTION,
  SERVER_COMMANDS,
  TOKEN_SECRET_KEY,
  configurationFor,
  launchSettings,
  needsRestart,
  needsSettingsPush,
  redact,
  serverEnv,
  serverSettings,
} from './config';
import {
  ServerLaunch,
  ServerNotFoundError,
  describeLaunch,
  installCommandLine,
  nodeLaunchDeps,
  resolveServer,
} from './launch';
import {
  DeployState,
  ServerState,
  commandErrorMessage,
  deployStateFrom,
  serverHasCommand,
  statusView,
} from './status';

export const LANGUAGE_ID = 'ospec';
/** The extension's own commands (distinct from the server's `ospec.deploy`/`ospec.status`). */
export const COMMANDS = {
  deploy: 'ospec.vscode.deploy',
  showStatus: 'ospec.vscode.showStatus',
  restartServer: 'ospec.restartServer',
  showOutput: 'ospec.showOutput',
  setApiToken: 'ospec.setApiToken',
  clearApiToken: 'ospec.clearApiToken',
} as const;

const PYTHON_EXTENSION_ID = 'ms-python.python';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

function ospecConfig() {
  return vscode.workspace.getConfiguration(SECTION);
}

function firstWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export class OspecExtension implements vscode.Disposable {
  client: LanguageClient | undefined;
  launch: ServerLaunch | undefined;
  serverState: ServerState = 'stopped';
  deployState: DeployState | undefined;
  /** The token the current server was (or is being) started with; undefined = none. */
  token: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private pythonListener: vscode.Disposable | undefined;

  readonly output: vscode.LogOutputChannel;
  readonly statusItem: vscode.StatusBarItem;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('OSpec', { log: true });
    this.statusItem = vscode.window.createStatusBarItem('ospec.status', vscode.StatusBarAlignment.Left, 0);
    this.statusItem.name = 'OSpec';
    this.statusItem.command = COMMANDS.showStatus;
    this.disposables.push(this.output, this.statusItem);
    this.render();
    this.statusItem.show();
  }

  async activate(): Promise<void> {
    const c = vscode.commands;
    this.disposables.push(
      c.registerCommand(COMMANDS.deploy, () => this.deploy()),
      c.registerCommand(COMMANDS.showStatus, () => this.showStatus()),
      c.registerCommand(COMMANDS.restartServer, () => this.restart()),
      c.registerCommand(COMMANDS.showOutput, () => this.output.show(true)),
      c.registerCommand(COMMANDS.setApiToken, () => this.setApiToken()),
      c.registerCommand(COMMANDS.clearApiToken, () => this.clearApiToken()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
      this.context.secrets.onDidChange((e) => this.onSecretChanged(e.key)),
    );
    this.token = (await this.context.secrets.get(TOKEN_SECRET_KEY)) || undefined;
    await this.restart();
  }

  // -- server lifecycle ------------------------------------------------------------------------

  /** Stop the running server (if any) and start a new one; calls are serialised. */
  restart(): Promise<void> {
    this.queue = this.queue.then(
      () => this.doRestart(),
      () => this.doRestart(),
    );
    return this.queue;
  }

  private async doRestart(): Promise<void> {
    await this.stopClient();
    this.setServerState('starting');
    let launch: ServerLaunch;
    try {
      launch = await resolveServer(launchSettings(ospecConfig()), nodeLaunchDeps(firstWorkspaceFolder(), () => this.pythonFromExtension()));
    } catch (err) {
      this.launch = undefined;
      this.setServerState('not-found');
      await this.reportLaunchProblem(err);
      return;
    }
    this.launch = launch;
    this.output.info(`Starting ${describeLaunch(launch)}${this.token ? ' with OSPEC_API_TOKEN set' : ''}`);
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      options: { env: serverEnv(process.env, this.token), cwd: firstWorkspaceFolder() },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: LANGUAGE_ID },
        { scheme: 'untitled', language: LANGUAGE_ID },
      ],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => serverSettings(ospecConfig()),
      middleware: {
        // The server's code action and code lens run ospec.deploy through this too.
        executeCommand: (command, args, next) =>
          command === SERVER_COMMANDS.deploy ? this.trackDeploy(() => Promise.resolve(next(command, args))) : next(command, args),
        workspace: {
          configuration: (params, token, next) => {
            const settings = serverSettings(ospecConfig());
            const answers = params.items.map((item) =>
              item.section === SECTION || item.section?.startsWith(SECTION + '.') ? configurationFor(item.section, settings) : undefined,
            );
            if (answers.every((a) => a !== undefined)) return answers;
            return Promise.resolve(next(params, token)).then((fallback) =>
              Array.isArray(fallback) ? answers.map((a, i) => (a === undefined ? fallback[i] : a)) : fallback,
            );
          },
        },
      },
    };
    const client = new LanguageClient('ospec', 'OSpec', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Running) {
        this.setServerState('running');
        void this.refreshStatus(false);
      } else if (e.newState === State.Starting) this.setServerState('starting');
      else if (e.newState === State.Stopped && this.serverState !== 'failed') this.setServerState('stopped');
    });
    try {
      await client.start();
      if (this.client === client) this.setServerState('running');
    } catch (err) {
      if (this.client !== client) return;
      this.setServerState('failed');
      const message = err instanceof Error ? err.message : String(err);
      this.output.error(`Could not start ${describeLaunch(launch)}: ${redact(message, this.token)}`);
      const choice = await vscode.window.showErrorMessage(
        `OSpec: could not start the language server (${launch.command}): ${redact(message, this.token)}`,
        'Show Output',
        'Open Settings',
      );
      if (choice === 'Show Output') this.output.show(true);
      else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'ospec.server');
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.stop();
    } catch (err) {
      this.output.warn(`Stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async reportLaunchProblem(err: unknown): Promise<void> {
    if (!(err instanceof ServerNotFoundError)) {
      const message = err instanceof Error ? err.message : String(err);
      this.output.error(message);
      void vscode.window.showErrorMessage(`OSpec: ${message}`);
      return;
    }
    this.output.error(err.message);
    for (const t of err.tried) this.output.info(`  tried: ${t}`);
    const actions = [err.install ? 'Install' : undefined, 'Open Settings', 'Show Output'].filter(
      (a): a is string => a !== undefined,
    );
    const choice = await vscode.window.showErrorMessage(`OSpec: ${err.message}`, ...actions);
    if (choice === 'Install' && err.install) {
      const terminal = vscode.window.createTerminal({ name: 'OSpec: install ospec-lsp' });
      terminal.show();
      terminal.sendText(installCommandLine(err.install, process.platform));
      const next = await vscode.window.showInformationMessage(
        'OSpec: installing ospec in the terminal. Restart the server when it has finished.',
        'Restart Server',
      );
      if (next === 'Restart Server') await this.restart();
    } else if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', err.setting ?? 'ospec.server');
    } else if (choice === 'Show Output') {
      this.output.show(true);
    }
  }

  /** The interpreter selected in the Python extension (optional dependency). */
  async pythonFromExtension(): Promise<string | undefined> {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
    if (!ext) return undefined;
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const envs = api?.environments;
      if (!envs) return undefined;
      if (!this.pythonListener && envs.onDidChangeActiveEnvironmentPath) {
        this.pythonListener = envs.onDidChangeActiveEnvironmentPath(() => {
          if (!this.launch || this.launch.source === 'python-extension') void this.restart();
        });
        this.disposables.push(this.pythonListener);
      }
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const env = await envs.resolveEnvironment(envs.getActiveEnvironmentPath(folder));
      return env?.executable.uri?.fsPath || undefined;
    } catch (err) {
      this.output.warn(`Python extension: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  // -- settings and token ------------------------------------------------------------------------

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (needsRestart(e)) {
      void this.restart();
    } else if (needsSettingsPush(e) && this.client && this.serverState === 'running') {
      void this.client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: serverSettings(ospecConfig()) },
      });
    }
  }

  private async onSecretChanged(key: string): Promise<void> {
    if (key !== TOKEN_SECRET_KEY) return;
    const value = (await this.context.secrets.get(TOKEN_SECRET_KEY)) || undefined;
    if (value === this.token) return; // our own change, already applied
    this.token = value;
    this.output.info('The API token changed (in another window); restarting the server.');
    await this.restart();
  }

  async setApiToken(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: 'OSpec: Set API Token',
      prompt: 'Kept in VS Code SecretStorage (never in settings) and given to ospec-lsp as OSPEC_API_TOKEN.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a token, or press Escape to cancel.'),
    });
    if (value === undefined) return;
    const token = value.trim();
    this.token = token;
    await this.context.secrets.store(TOKEN_SECRET_KEY, token);
    await this.restart();
    void vscode.window.showInformationMessage('OSpec: API token saved; the language server was restarted with it.');
  }

  async clearApiToken(): Promise<void> {
    this.token = undefined;
    await this.context.secrets.delete(TOKEN_SECRET_KEY);
    await this.restart();
    void vscode.window.showInformationMessage('OSpec: API token removed; the language server was restarted without it.');
  }

  // -- deploy and status -------------------------------------------------------------------------

  private runningClient(): LanguageClient | undefined {
    return this.client && this.serverState === 'running' ? this.client : undefined;
  }

  private supports(command: string): boolean {
    return serverHasCommand(this.client?.initializeResult?.capabilities, command);
  }

  /**
   * Run the server's deploy and keep the status bar in step. Used for our Deploy command and, via
   * middleware, for the server's own code action and code lens. The server reports progress and
   * the outcome itself ($/progress, window/showMessage); errors of the request are ours to show.
   */
  private async trackDeploy(run: () => Promise<unknown>): Promise<unknown> {
    this.setDeployState({ phase: 'deploying' });
    try {
      const result = await run();
      this.setDeployState(deployStateFrom(result) ?? { phase: 'succeeded' });
      this.output.info(redact(`ospec.deploy: ${JSON.stringify(result ?? null)}`, this.token));
      return result;
    } catch (err) {
      const message = redact(commandErrorMessage(err, SERVER_COMMANDS.deploy), this.token);
      this.setDeployState({ phase: 'failed', message });
      this.output.error(`ospec.deploy failed: ${message}`);
      throw Object.assign(new Error(message), { cause: err });
    }
  }

  async deploy(): Promise<unknown> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== LANGUAGE_ID) {
      void vscode.window.showWarningMessage('OSpec: open a spec (*.ospec.yaml) in the editor to deploy it.');
      return undefined;
    }
    const client = this.runningClient();
    if (!client) {
      const choice = await vscode.window.showErrorMessage('OSpec: the language server is not running.', 'Restart Server', 'Show Output');
      if (choice === 'Restart Server') await this.restart();
      else if (choice === 'Show Output') this.output.show(true);
      return undefined;
    }
    if (!this.supports(SERVER_COMMANDS.deploy)) {
      void vscode.window.showErrorMessage(`OSpec: ${commandErrorMessage({ code: -32601 }, SERVER_COMMANDS.deploy)}`);
      return undefined;
    }
    const doc = editor.document;
    const fileName = path.basename(doc.uri.fsPath || doc.uri.path);
    // Unsaved edits are fine: the server deploys the version it has, and refuses a stale one.
    const params = { command: SERVER_COMMANDS.deploy, arguments: [client.code2ProtocolConverter.asUri(doc.uri), doc.version] };
    try {
      // Window progress only: the server shows its own cancellable progress notification.
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `OSpec: deploying ${fileName}` }, () =>
        this.trackDeploy(() => client.sendRequest(ExecuteCommandRequest.type, params)),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const choice = await vscode.window.showErrorMessage(`OSpec: deploy of ${fileName} failed: ${message}`, 'Show Output');
      if (choice === 'Show Output') this.output.show(true);
      return undefined;
    }
  }

  /** Ask the server for `ospec.status` (if it offers it) and update the deploy part of the status bar. */
  async refreshStatus(loud: boolean): Promise<unknown> {
    const client = this.runningClient();
    if (!client || !this.supports(SERVER_COMMANDS.status)) return undefined;
    const editor = vscode.window.activeTextEditor;
    const args = editor?.document.languageId === LANGUAGE_ID ? [client.code2ProtocolConverter.asUri(editor.document.uri)] : [];
    try {
      const result = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.status, arguments: args });
      const state = deployStateFrom(result);
      if (state) this.setDeployState(state);
      return result;
    } catch (err) {
      const message = redact(commandErrorMessage(err, SERVER_COMMANDS.status), this.token);
      this.output.warn(`ospec.status: ${message}`);
      if (loud) void vscode.window.showWarningMessage(`OSpec: ${message}`);
      return undefined;
    }
  }

  async showStatus(): Promise<void> {
    const result = await this.refreshStatus(true);
    const info = this.client?.initializeResult?.serverInfo;
    const settings = serverSettings(ospecConfig());
    const lines = [
      `Server: ${this.serverState}${info ? ` (${info.name}${info.version ? ' ' + info.version : ''})` : ''}`,
      `Command: ${this.launch ? describeLaunch(this.launch) : 'none'}`,
      `Profile: ${settings.profile}; API URL: ${settings.apiUrl ?? "server's default"}; API token: ${this.token ? 'set' : 'not set'}`,
      `Last deploy: ${this.deployState ? this.deployState.raw ?? this.deployState.phase : 'none in this session'}`,
    ];
    for (const l of lines) this.output.info(l);
    if (result !== undefined) this.output.info(`ospec.status: ${redact(JSON.stringify(result), this.token)}`);
    const choice = await vscode.window.showInformationMessage(`OSpec — ${lines.join(' · ')}`, 'Show Output', 'Restart Server');
    if (choice === 'Show Output') this.output.show(true);
    else if (choice === 'Restart Server') await this.restart();
  }

  // -- status bar ------------------------------------------------------------------------------

  setServerState(state: ServerState): void {
    this.serverState = state;
    this.render();
  }

  setDeployState(state: DeployState | undefined): void {
    this.deployState = state;
    this.render();
  }

  private render(): void {
    const view = statusView(this.serverState, this.deployState, this.launch ? describeLaunch(this.launch) : undefined);
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.backgroundColor =
      view.severity === 'ok' ? undefined : new vscode.ThemeColor(`statusBarItem.${view.severity}Background`);
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.stopClient();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

let current: OspecExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<OspecExtension> {
  const ext = new OspecExtension(context);
  current = ext;
  context.subscriptions.push({ dispose: () => void ext.dispose() });
  await ext.activate();
  return ext;
}

export async function deactivate(): Promise<void> {
  const ext = current;
  current = undefined;
  await ext?.dispose();
}
