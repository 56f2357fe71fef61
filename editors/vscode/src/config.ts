// Settings mapping and the API-token environment. No 'vscode' import: unit-tested with plain node.
import type { LaunchSettings } from './launch';

/** The configuration section the server reads (initializationOptions and workspace/configuration). */
export const SECTION = 'ospec';
/** Where "OSpec: Set API Token" keeps the token (VS Code SecretStorage, never settings.json). */
export const TOKEN_SECRET_KEY = 'ospec.apiToken';
/** The server reads the API token from this variable of its own process environment. */
export const TOKEN_ENV = 'OSPEC_API_TOKEN';
/** Server commands (workspace/executeCommand). The extension's own command ids must differ. */
export const SERVER_COMMANDS = { deploy: 'ospec.deploy', status: 'ospec.status' } as const;

/** What `vscode.workspace.getConfiguration('ospec')` offers (keys relative to the section). */
export interface ConfigReader {
  get<T>(key: string, defaultValue: T): T;
}

/** The `ospec` section as the server expects it. Client-only keys (server.*, trace) stay out. */
export interface ServerSettings {
  profile: string;
  rules: Record<string, string>;
  apiUrl?: string;
  deploy: { confirm: boolean };
}

export function serverSettings(cfg: ConfigReader): ServerSettings {
  const rulesRaw = cfg.get<unknown>('rules', {});
  const rules: Record<string, string> = {};
  if (rulesRaw && typeof rulesRaw === 'object' && !Array.isArray(rulesRaw)) {
    for (const [code, level] of Object.entries(rulesRaw as Record<string, unknown>)) {
      if (typeof level === 'string') rules[code] = level;
    }
  }
  const out: ServerSettings = {
    profile: cfg.get<string>('profile', 'default') || 'default',
    rules,
    deploy: { confirm: cfg.get<boolean>('deploy.confirm', true) !== false },
  };
  const apiUrl = (cfg.get<string>('apiUrl', '') ?? '').trim();
  if (apiUrl) out.apiUrl = apiUrl;
  return out;
}

export function launchSettings(cfg: ConfigReader): LaunchSettings {
  const args = cfg.get<unknown>('server.args', []);
  return {
    path: cfg.get<string>('server.path', '') ?? '',
    python: cfg.get<string>('server.python', '') ?? '',
    args: Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string') : [],
  };
}

/**
 * Answer one workspace/configuration item. The server asks for section `ospec`; a client that
 * is asked for a sub-key (e.g. `ospec.deploy`) answers with that part.
 */
export function configurationFor(section: string | undefined, settings: ServerSettings): unknown {
  if (section === undefined || section === SECTION) return settings;
  if (!section.startsWith(SECTION + '.')) return undefined;
  let cur: unknown = settings;
  for (const part of section.slice(SECTION.length + 1).split('.')) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur ?? null;
}

/** The server process environment: ours, plus the token from SecretStorage when one is set. */
export function serverEnv(base: NodeJS.ProcessEnv, token: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (token) env[TOKEN_ENV] = token;
  return env;
}

/** Replace the token wherever it appears (for anything that is logged or shown). */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('********') : text;
}

export interface ConfigChange {
  affectsConfiguration(section: string): boolean;
}

/** A change that needs a new server process (its command line). */
export function needsRestart(e: ConfigChange): boolean {
  return e.affectsConfiguration('ospec.server');
}

/** A change the running server should hear about (workspace/didChangeConfiguration). */
export function needsSettingsPush(e: ConfigChange): boolean {
  return ['ospec.profile', 'ospec.rules', 'ospec.apiUrl', 'ospec.deploy'].some((s) => e.affectsConfiguration(s));
}
