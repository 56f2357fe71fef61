// How to start ospec-lsp. No 'vscode' import: everything here is unit-tested with plain node.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SERVER_EXECUTABLE = 'ospec-lsp';
/** `<python> -m ospec lsp` is the same server as `ospec-lsp`. */
export const SERVER_MODULE_ARGS = ['-m', 'ospec', 'lsp'];
/** The pip distribution that provides `ospec-lsp`. */
export const PIP_PACKAGE = 'ospec';

/** The launch-related settings (`ospec.server.*`). */
export interface LaunchSettings {
  path: string;
  args: string[];
  python: string;
}

export type ServerSource =
  | 'setting:ospec.server.path'
  | 'setting:ospec.server.python'
  | 'PATH'
  | 'python-extension'
  | 'python-on-PATH';

export interface ServerLaunch {
  command: string;
  args: string[];
  source: ServerSource;
}

export interface InstallHint {
  /** The interpreter to install into. */
  python: string;
  args: string[];
}

/** Why no server could be started, phrased for the user, with what to do about it. */
export class ServerNotFoundError extends Error {
  constructor(
    message: string,
    public readonly tried: string[],
    public readonly install?: InstallHint,
    public readonly setting?: string,
  ) {
    super(message);
    this.name = 'ServerNotFoundError';
  }
}

export interface LaunchDeps {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  /** First workspace folder, for relative paths and `${workspaceFolder}`. */
  workspaceFolder?: string;
  isExecutable(file: string): boolean;
  /** The interpreter selected in the Python extension, if that extension is installed. */
  pythonFromExtension(): Promise<string | undefined>;
  /** Whether `python` can import the server (`python -c "import ospec.lsp"`). */
  hasOspec(python: string): Promise<boolean>;
}

/** Environment variable lookup that ignores case on Windows (`Path` vs `PATH`). */
export function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** Like `which`: the first executable `name` in PATH (trying PATHEXT on Windows), or undefined. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const dirs = (envValue(env, 'PATH', platform) ?? '').split(platform === 'win32' ? ';' : ':');
  let names = [name];
  if (platform === 'win32') {
    const exts = (envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
    const hasExt = exts.some((e) => name.toLowerCase().endsWith(e.toLowerCase()));
    names = hasExt ? [name] : exts.map((e) => name + e.toLowerCase());
  }
  for (const raw of dirs) {
    const dir = raw.replace(/^"(.*)"$/, '$1');
    if (!dir) continue;
    for (const n of names) {
      const candidate = p.join(dir, n);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Expand `~`, `${userHome}` and `${workspaceFolder}`; make relative paths absolute against the workspace. */
export function expandPath(value: string, deps: Pick<LaunchDeps, 'homedir' | 'workspaceFolder' | 'platform'>): string {
  const p = deps.platform === 'win32' ? path.win32 : path.posix;
  let v = value.trim();
  v = v.replace(/\$\{userHome\}/g, deps.homedir);
  if (deps.workspaceFolder) v = v.replace(/\$\{workspaceFolder\}/g, deps.workspaceFolder);
  if (v === '~') v = deps.homedir;
  else if (v.startsWith('~/') || v.startsWith('~\\')) v = p.join(deps.homedir, v.slice(2));
  if (looksLikePath(v, deps.platform) && !p.isAbsolute(v) && deps.workspaceFolder) {
    v = p.resolve(deps.workspaceFolder, v);
  }
  return v;
}

/** A bare name (`python3`) is looked up on PATH; anything with a separator is a path. */
export function looksLikePath(value: string, platform: NodeJS.Platform): boolean {
  return value.includes('/') || (platform === 'win32' && value.includes('\\'));
}

function locate(value: string, deps: LaunchDeps): string | undefined {
  const expanded = expandPath(value, deps);
  if (looksLikePath(expanded, deps.platform)) return deps.isExecutable(expanded) ? expanded : undefined;
  return findOnPath(expanded, deps.env, deps.platform, deps.isExecutable);
}

/** The pip command that installs the server into `python`. */
export function installHint(python: string): InstallHint {
  return { python, args: ['-m', 'pip', 'install', PIP_PACKAGE] };
}

/** The install hint as one shell line (PowerShell on Windows, POSIX sh elsewhere). */
export function installCommandLine(hint: InstallHint, platform: NodeJS.Platform): string {
  if (platform === 'win32') return `& "${hint.python}" ${hint.args.join(' ')}`;
  const q = /^[\w@%+=:,./-]+$/.test(hint.python) ? hint.python : `'${hint.python.replace(/'/g, `'\\''`)}'`;
  return `${q} ${hint.args.join(' ')}`;
}

/**
 * Decide how to start the server:
 *   1. `ospec.server.path` (with `ospec.server.args`),
 *   2. `ospec.server.python` → `<python> -m ospec lsp` (an explicit setting wins over PATH),
 *   3. `ospec-lsp` on PATH,
 *   4. the Python extension's interpreter → `<python> -m ospec lsp`, if it has `ospec`,
 *   5. `python3`/`python` on PATH → `<python> -m ospec lsp`, if it has `ospec`.
 * Throws ServerNotFoundError, saying what was tried and how to install, when none works.
 */
export async function resolveServer(s: LaunchSettings, deps: LaunchDeps): Promise<ServerLaunch> {
  const extraArgs = s.args ?? [];
  const tried: string[] = [];

  if (s.path && s.path.trim()) {
    const found = locate(s.path, deps);
    if (!found) {
      throw new ServerNotFoundError(
        `ospec.server.path is "${s.path}", but no executable file is there. Fix the setting or clear it to search PATH.`,
        [`ospec.server.path = ${s.path}`],
        undefined,
        'ospec.server.path',
      );
    }
    return { command: found, args: [...extraArgs], source: 'setting:ospec.server.path' };
  }

  if (s.python && s.python.trim()) {
    const python = locate(s.python, deps);
    if (!python) {
      throw new ServerNotFoundError(
        `ospec.server.python is "${s.python}", but no executable interpreter is there. Fix the setting or clear it.`,
        [`ospec.server.python = ${s.python}`],
        undefined,
        'ospec.server.python',
      );
    }
    if (!(await deps.hasOspec(python))) {
      throw new ServerNotFoundError(
        `The interpreter in ospec.server.python (${python}) cannot import ospec. Install it there: ${installCommandLine(installHint(python), deps.platform)}`,
        [`${python} -m ospec lsp (ospec not installed)`],
        installHint(python),
        'ospec.server.python',
      );
    }
    return { command: python, args: [...SERVER_MODULE_ARGS, ...extraArgs], source: 'setting:ospec.server.python' };
  }

  const onPath = findOnPath(SERVER_EXECUTABLE, deps.env, deps.platform, deps.isExecutable);
  if (onPath) return { command: onPath, args: [...extraArgs], source: 'PATH' };
  tried.push(`${SERVER_EXECUTABLE} on PATH (not found)`);

  let installInto: string | undefined;
  const fromExtension = await deps.pythonFromExtension();
  if (fromExtension) {
    if (await deps.hasOspec(fromExtension)) {
      return { command: fromExtension, args: [...SERVER_MODULE_ARGS, ...extraArgs], source: 'python-extension' };
    }
    tried.push(`${fromExtension} -m ospec lsp, the Python extension's interpreter (ospec not installed)`);
    installInto = fromExtension;
  } else {
    tried.push("the Python extension's interpreter (none selected or extension not installed)");
  }

  for (const name of deps.platform === 'win32' ? ['python', 'py'] : ['python3', 'python']) {
    const python = findOnPath(name, deps.env, deps.platform, deps.isExecutable);
    if (!python || python === fromExtension) continue;
    if (await deps.hasOspec(python)) {
      return { command: python, args: [...SERVER_MODULE_ARGS, ...extraArgs], source: 'python-on-PATH' };
    }
    tried.push(`${python} -m ospec lsp (ospec not installed)`);
    installInto ??= python;
  }

  const hint = installHint(installInto ?? (deps.platform === 'win32' ? 'python' : 'python3'));
  throw new ServerNotFoundError(
    `The OSpec language server (ospec-lsp) was not found. Install it with "${installCommandLine(hint, deps.platform)}", or set ospec.server.path or ospec.server.python.`,
    tried,
    hint,
  );
}

// --- real implementations of the dependencies ----------------------------------------------

export function isExecutableFile(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Run `python -c "import ospec.lsp"`; true when it exits 0 within the timeout. */
export function probeOspec(python: string, timeoutMs = 20000): Promise<boolean> {
  return new Promise((resolve) => {
    childProcess.execFile(python, ['-c', 'import ospec.lsp'], { timeout: timeoutMs, windowsHide: true }, (err) =>
      resolve(!err),
    );
  });
}

export function nodeLaunchDeps(
  workspaceFolder: string | undefined,
  pythonFromExtension: () => Promise<string | undefined>,
): LaunchDeps {
  return {
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    workspaceFolder,
    isExecutable: isExecutableFile,
    pythonFromExtension,
    hasOspec: (python) => probeOspec(python),
  };
}

/** Human-readable one-liner for logs and the status tooltip. */
export function describeLaunch(l: ServerLaunch): string {
  const where: Record<ServerSource, string> = {
    'setting:ospec.server.path': 'from ospec.server.path',
    'setting:ospec.server.python': 'with the interpreter in ospec.server.python',
    PATH: 'found on PATH',
    'python-extension': "with the Python extension's interpreter",
    'python-on-PATH': 'with the Python found on PATH',
  };
  return `${[l.command, ...l.args].join(' ')} (${where[l.source]})`;
}
