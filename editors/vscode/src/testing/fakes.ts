// A stand-in for the 'vscode' module and for vscode-languageclient's LanguageClient, installed
// through Node's module loader so extension.ts can be exercised without VS Code.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('node:module');

type Listener<T> = (e: T) => unknown;

export class Emitter<T> {
  private listeners: Listener<T>[] = [];
  event = (l: Listener<T>) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T): unknown[] {
    return this.listeners.map((l) => l(e));
  }
}

export class FakeUri {
  constructor(public readonly scheme: string, public readonly path: string) {}
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
  static file(p: string): FakeUri {
    return new FakeUri('file', p);
  }
  static parse(s: string): FakeUri {
    const m = /^(\w+):\/\/(.*)$/.exec(s);
    return m ? new FakeUri(m[1], m[2]) : new FakeUri('file', s);
  }
}

export interface Message {
  kind: 'error' | 'warning' | 'info';
  text: string;
  items: string[];
}

/** Everything a test may look at or steer. Reset between tests with `reset()`. */
export const world = {
  settings: {} as Record<string, unknown>,
  secrets: new Map<string, string>(),
  secretEmitter: new Emitter<{ key: string }>(),
  configEmitter: new Emitter<{ affectsConfiguration(s: string): boolean }>(),
  commands: {} as Record<string, (...args: unknown[]) => unknown>,
  executed: [] as { id: string; args: unknown[] }[],
  messages: [] as Message[],
  /** Answer a notification: the label of the button to "click", or undefined. */
  answer: (_m: Message): string | undefined => undefined,
  inputBoxValue: undefined as string | undefined,
  inputBoxOptions: undefined as Record<string, unknown> | undefined,
  terminals: [] as { name: string; sent: string[]; shown: boolean }[],
  logs: [] as string[],
  statusItem: undefined as undefined | { text: string; tooltip: string; shown: boolean; backgroundColor?: { id: string } },
  activeTextEditor: undefined as undefined | { document: { uri: FakeUri; languageId: string; version: number } },
  workspaceFolders: [{ uri: FakeUri.file('/work/project') }] as { uri: FakeUri }[] | undefined,
  pythonExtension: undefined as unknown,
  opened: [] as string[],
};

export function reset(): void {
  world.settings = {};
  world.secrets = new Map();
  world.secretEmitter = new Emitter();
  world.configEmitter = new Emitter();
  world.commands = {};
  world.executed = [];
  world.messages = [];
  world.answer = () => undefined;
  world.inputBoxValue = undefined;
  world.inputBoxOptions = undefined;
  world.terminals = [];
  world.logs = [];
  world.statusItem = undefined;
  world.activeTextEditor = undefined;
  world.workspaceFolders = [{ uri: FakeUri.file('/work/project') }];
  world.pythonExtension = undefined;
  world.opened = [];
  FakeLanguageClient.instances = [];
  FakeLanguageClient.startError = undefined;
  FakeLanguageClient.capabilities = {};
  FakeLanguageClient.onRequest = async () => null;
}

function message(kind: Message['kind']) {
  return async (text: string, ...items: unknown[]) => {
    const labels = items.filter((i): i is string => typeof i === 'string');
    const m = { kind, text, items: labels };
    world.messages.push(m);
    return world.answer(m);
  };
}

function logChannel() {
  const log = (level: string) => (m: string) => world.logs.push(`${level} ${m}`);
  return {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
    trace: log('trace'),
    appendLine: log('line'),
    append: log('append'),
    show: () => world.logs.push('show'),
    dispose: () => undefined,
  };
}

export const vscodeStub = {
  Uri: FakeUri,
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ThemeColor: class {
    constructor(public id: string) {}
  },
  EventEmitter: Emitter,
  window: {
    createOutputChannel: () => logChannel(),
    createStatusBarItem: () => {
      const item = { text: '', tooltip: '', shown: false, name: '', command: '', backgroundColor: undefined, show() { item.shown = true; }, hide() { item.shown = false; }, dispose() {} };
      world.statusItem = item;
      return item;
    },
    showErrorMessage: message('error'),
    showWarningMessage: message('warning'),
    showInformationMessage: message('info'),
    showInputBox: async (options: Record<string, unknown>) => {
      world.inputBoxOptions = options;
      return world.inputBoxValue;
    },
    createTerminal: (opts: { name: string }) => {
      const t = { name: opts.name, sent: [] as string[], shown: false, show() { t.shown = true; }, sendText(s: string) { t.sent.push(s); }, dispose() {} };
      world.terminals.push(t);
      return t;
    },
    withProgress: async (_opts: unknown, task: (p: unknown, token: unknown) => Promise<unknown>) =>
      task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) }),
    get activeTextEditor() {
      return world.activeTextEditor;
    },
  },
  workspace: {
    getConfiguration: (section: string) => ({
      get: <T>(key: string, def: T): T => {
        const full = `${section}.${key}`;
        return (full in world.settings ? world.settings[full] : def) as T;
      },
    }),
    onDidChangeConfiguration: (l: Listener<{ affectsConfiguration(s: string): boolean }>) => world.configEmitter.event(l),
    get workspaceFolders() {
      return world.workspaceFolders;
    },
  },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
      if (world.commands[id]) throw new Error(`command '${id}' already exists`);
      world.commands[id] = fn;
      return { dispose: () => delete world.commands[id] };
    },
    executeCommand: async (id: string, ...args: unknown[]) => {
      world.executed.push({ id, args });
      return world.commands[id]?.(...args);
    },
  },
  extensions: {
    getExtension: (id: string) => (id === 'ms-python.python' ? world.pythonExtension : undefined),
  },
  env: {
    openExternal: async (uri: FakeUri) => {
      world.opened.push(uri.toString());
      return true;
    },
  },
};

/** Change settings and fire onDidChangeConfiguration the way VS Code does. */
export function changeSettings(changes: Record<string, unknown>): unknown[] {
  Object.assign(world.settings, changes);
  const keys = Object.keys(changes);
  return world.configEmitter.fire({
    affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(s + '.') || s.startsWith(k + '.')),
  });
}

export function makeContext() {
  const subscriptions: { dispose(): unknown }[] = [];
  return {
    subscriptions,
    secrets: {
      get: async (k: string) => world.secrets.get(k),
      store: async (k: string, v: string) => {
        world.secrets.set(k, v);
        world.secretEmitter.fire({ key: k });
      },
      delete: async (k: string) => {
        world.secrets.delete(k);
        world.secretEmitter.fire({ key: k });
      },
      onDidChange: (l: Listener<{ key: string }>) => world.secretEmitter.event(l),
    },
  };
}

export const State = { Stopped: 1, Running: 2, Starting: 3 };

export class FakeLanguageClient {
  static instances: FakeLanguageClient[] = [];
  static startError: Error | undefined;
  static capabilities: Record<string, unknown> = {};
  static onRequest: (method: string, params: unknown) => Promise<unknown> = async () => null;

  started = 0;
  stopped = 0;
  requests: { method: string; params: unknown }[] = [];
  notifications: { method: string; params: unknown }[] = [];
  initializeResult: { capabilities: Record<string, unknown>; serverInfo?: { name: string; version?: string } } | undefined;
  private stateEmitter = new Emitter<{ oldState: number; newState: number }>();
  onDidChangeState = this.stateEmitter.event;
  code2ProtocolConverter = { asUri: (u: FakeUri) => u.toString() };

  constructor(
    public id: string,
    public name: string,
    public serverOptions: { command: string; args: string[]; options: { env: NodeJS.ProcessEnv; cwd?: string } },
    public clientOptions: Record<string, any>,
  ) {
    FakeLanguageClient.instances.push(this);
  }

  async start(): Promise<void> {
    this.started++;
    this.stateEmitter.fire({ oldState: State.Stopped, newState: State.Starting });
    if (FakeLanguageClient.startError) {
      this.stateEmitter.fire({ oldState: State.Starting, newState: State.Stopped });
      throw FakeLanguageClient.startError;
    }
    this.initializeResult = { capabilities: FakeLanguageClient.capabilities, serverInfo: { name: 'ospec-lsp', version: '0.1.0' } };
    this.stateEmitter.fire({ oldState: State.Starting, newState: State.Running });
  }

  async stop(): Promise<void> {
    this.stopped++;
    this.stateEmitter.fire({ oldState: State.Running, newState: State.Stopped });
  }

  async sendRequest(type: { method: string }, params: unknown): Promise<unknown> {
    this.requests.push({ method: type.method, params });
    return FakeLanguageClient.onRequest(type.method, params);
  }

  async sendNotification(type: { method: string }, params: unknown): Promise<void> {
    this.notifications.push({ method: type.method, params });
  }
}

export const languageClientStub = {
  LanguageClient: FakeLanguageClient,
  State,
  RevealOutputChannelOn: { Info: 1, Warn: 2, Error: 3, Never: 4 },
  ExecuteCommandRequest: { type: { method: 'workspace/executeCommand' } },
  DidChangeConfigurationNotification: { type: { method: 'workspace/didChangeConfiguration' } },
};

let installed = false;
/** Route require('vscode') and require('vscode-languageclient/node') to the stand-ins. */
export function installStubs(): void {
  if (installed) return;
  installed = true;
  const origLoad = Module._load;
  Module._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscodeStub;
    if (request === 'vscode-languageclient/node') return languageClientStub;
    return origLoad.call(this, request, parent, isMain);
  };
}

/** Wait until queued promise callbacks have run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}
