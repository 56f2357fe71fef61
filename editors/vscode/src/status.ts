// Status-bar text and deploy-result parsing. No 'vscode' import: unit-tested with plain node.

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed' | 'not-found';

export type DeployPhase = 'deploying' | 'succeeded' | 'failed' | 'unknown';

export interface DeployState {
  phase: DeployPhase;
  /** The server's own word for the state, when it gave one. */
  raw?: string;
  message?: string;
  url?: string;
  at?: string;
  projectId?: string;
}

const PHASES: Record<string, DeployPhase> = {
  succeeded: 'succeeded',
  success: 'succeeded',
  successful: 'succeeded',
  ok: 'succeeded',
  deployed: 'succeeded',
  done: 'succeeded',
  completed: 'succeeded',
  live: 'succeeded',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  errored: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
  rejected: 'failed',
  deploying: 'deploying',
  running: 'deploying',
  pending: 'deploying',
  queued: 'deploying',
  in_progress: 'deploying',
  'in-progress': 'deploying',
  building: 'deploying',
  started: 'deploying',
  // the platform's lifecycle phases (see the SDK): still on the way to `deployed`
  specification: 'deploying',
  planning: 'deploying',
  implementation: 'deploying',
  validation: 'deploying',
  deployment: 'deploying',
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/**
 * The deploy state in a result of `ospec.deploy` or `ospec.status`, if it has one. Tolerant of
 * shape: `{lastDeploy: {...}}`, `{deploy: {...}}`, `{deployment: {...}}` or the object itself,
 * with the state under `state` or `status`.
 */
export function deployStateFrom(result: unknown): DeployState | undefined {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return undefined;
  const r = result as Record<string, unknown>;
  for (const key of ['lastDeploy', 'last_deploy', 'deploy', 'deployment']) {
    const inner = r[key];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const found = deployStateFrom(inner);
      if (found) return found;
    }
  }
  const raw = str(r.state) ?? str(r.status);
  if (!raw) return undefined;
  return {
    phase: PHASES[raw.toLowerCase()] ?? 'unknown',
    raw,
    message: str(r.message) ?? str(r.detail) ?? str(r.error),
    url: str(r.url) ?? str(r.deploymentUrl) ?? str(r.deployment_url),
    at: str(r.finishedAt) ?? str(r.finished_at) ?? str(r.updatedAt) ?? str(r.updated_at) ?? str(r.at),
    projectId: str(r.projectId) ?? str(r.project_id) ?? str(r.id),
  };
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'error' and 'warning' map to the status bar's error/warning background. */
  severity: 'ok' | 'warning' | 'error';
}

const SERVER_ICON: Record<ServerState, string> = {
  starting: '$(sync~spin)',
  running: '$(check)',
  stopped: '$(circle-slash)',
  failed: '$(error)',
  'not-found': '$(error)',
};

const SERVER_WORD: Record<ServerState, string> = {
  starting: 'starting',
  running: 'running',
  stopped: 'stopped',
  failed: 'failed to start',
  'not-found': 'not found (run "OSpec: Show Output")',
};

const DEPLOY_TEXT: Record<DeployPhase, string> = {
  deploying: '$(sync~spin) deploying',
  succeeded: '$(cloud-upload) deployed',
  failed: '$(warning) deploy failed',
  unknown: '$(question) deploy',
};

export function statusView(server: ServerState, deploy: DeployState | undefined, launch?: string): StatusView {
  let text = `${SERVER_ICON[server]} OSpec`;
  const lines = [`OSpec language server: ${SERVER_WORD[server]}`];
  if (launch) lines.push(`Command: ${launch}`);
  if (deploy) {
    text += ` · ${DEPLOY_TEXT[deploy.phase]}`;
    const project = deploy.projectId ? ` (${deploy.projectId})` : '';
    lines.push(`Last deploy: ${deploy.raw ?? deploy.phase}${project}${deploy.at ? ` at ${deploy.at}` : ''}`);
    if (deploy.message) lines.push(deploy.message);
    if (deploy.url) lines.push(deploy.url);
  }
  lines.push('Click for details.');
  const severity = server === 'failed' || server === 'not-found' ? 'error' : deploy?.phase === 'failed' ? 'warning' : 'ok';
  return { text, tooltip: lines.join('\n'), severity };
}

/** Does the server advertise this workspace/executeCommand command? */
export function serverHasCommand(capabilities: unknown, command: string): boolean {
  const cmds = (capabilities as { executeCommandProvider?: { commands?: unknown } } | undefined)?.executeCommandProvider
    ?.commands;
  return Array.isArray(cmds) && cmds.includes(command);
}

/** A user-facing message for a failed workspace/executeCommand. */
export function commandErrorMessage(err: unknown, command: string): string {
  const e = err as { code?: number; message?: string } | undefined;
  const message = e?.message ?? String(err);
  // pygls answers an unregistered command with -32602 "Command name '…' is not defined".
  const unknown = /unknown command|command name .* is not defined|no such command/i.test(message);
  if (e?.code === -32601 || unknown) {
    return `This ospec-lsp has no "${command}" command yet. Upgrade the server (pip install -U ospec) and restart it.`;
  }
  return message;
}
