// Settings mapping, token environment and status/deploy parsing (pure functions).
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConfigReader,
  TOKEN_ENV,
  configurationFor,
  launchSettings,
  needsRestart,
  needsSettingsPush,
  redact,
  serverEnv,
  serverSettings,
} from '../config';
import { commandErrorMessage, deployStateFrom, serverHasCommand, statusView } from '../status';

function reader(values: Record<string, unknown>): ConfigReader {
  return { get: <T>(k: string, d: T) => (k in values ? (values[k] as T) : d) };
}

function change(...keys: string[]) {
  return { affectsConfiguration: (s: string) => keys.some((k) => k === s || k.startsWith(s + '.')) };
}

describe('settings mapping', () => {
  test('defaults: profile default, no rules, deploy.confirm true, no apiUrl', () => {
    assert.deepEqual(serverSettings(reader({})), { profile: 'default', rules: {}, deploy: { confirm: true } });
  });

  test('passes profile, rules, apiUrl and deploy.confirm through in the server shape', () => {
    const s = serverSettings(
      reader({
        profile: 'strict',
        rules: { 'OSPEC-R004': 'off', 'OSPEC-S002': 'error', bad: 3 },
        apiUrl: ' https://api.example.test/v1 ',
        'deploy.confirm': false,
        'server.path': '/x',
        'trace.server': 'verbose',
      }),
    );
    assert.deepEqual(s, {
      profile: 'strict',
      rules: { 'OSPEC-R004': 'off', 'OSPEC-S002': 'error' },
      apiUrl: 'https://api.example.test/v1',
      deploy: { confirm: false },
    });
    assert.equal(JSON.stringify(s).includes('server'), false, 'client-only keys stay out');
  });

  test('workspace/configuration answers the section and dotted sub-sections', () => {
    const s = serverSettings(reader({ 'deploy.confirm': false, rules: { 'OSPEC-R004': 'off' } }));
    assert.equal(configurationFor('ospec', s), s);
    assert.equal(configurationFor(undefined, s), s);
    assert.deepEqual(configurationFor('ospec.deploy', s), { confirm: false });
    assert.equal(configurationFor('ospec.deploy.confirm', s), false);
    assert.equal(configurationFor('ospec.nothing', s), null);
    assert.equal(configurationFor('yaml', s), undefined);
  });

  test('launch settings tolerate junk', () => {
    assert.deepEqual(launchSettings(reader({ 'server.args': ['--log-level', 5, 'DEBUG'], 'server.path': '/p' })), {
      path: '/p',
      python: '',
      args: ['--log-level', 'DEBUG'],
    });
    assert.deepEqual(launchSettings(reader({ 'server.args': 'nope' })).args, []);
  });

  test('which changes restart the server and which are pushed', () => {
    assert.equal(needsRestart(change('ospec.server.path')), true);
    assert.equal(needsRestart(change('ospec.profile')), false);
    assert.equal(needsSettingsPush(change('ospec.rules')), true);
    assert.equal(needsSettingsPush(change('ospec.deploy.confirm')), true);
    assert.equal(needsSettingsPush(change('ospec.apiUrl')), true);
    assert.equal(needsSettingsPush(change('ospec.trace.server')), false);
    assert.equal(needsSettingsPush(change('editor.tabSize')), false);
  });
});

describe('API token handling', () => {
  test('the token goes into the server environment only, as OSPEC_API_TOKEN', () => {
    const base = { PATH: '/usr/bin', HOME: '/home/u' };
    const env = serverEnv(base, 's3cret');
    assert.equal(env[TOKEN_ENV], 's3cret');
    assert.equal(env.PATH, '/usr/bin');
    assert.equal((base as Record<string, string>)[TOKEN_ENV], undefined, 'the base environment is not modified');
  });

  test('without a stored token, an inherited OSPEC_API_TOKEN is left alone', () => {
    assert.equal(serverEnv({ OSPEC_API_TOKEN: 'from-shell' }, undefined)[TOKEN_ENV], 'from-shell');
    assert.equal(serverEnv({}, undefined)[TOKEN_ENV], undefined);
    assert.equal(serverEnv({}, '')[TOKEN_ENV], undefined);
  });

  test('redact hides every occurrence', () => {
    assert.equal(redact('Bearer abc failed; abc', 'abc'), 'Bearer ******** failed; ********');
    assert.equal(redact('nothing', undefined), 'nothing');
  });
});

describe('deploy state and status bar', () => {
  test('reads the deploy state from several result shapes', () => {
    assert.deepEqual(deployStateFrom({ state: 'succeeded', url: 'https://x.test/d/1' }), {
      phase: 'succeeded',
      raw: 'succeeded',
      message: undefined,
      url: 'https://x.test/d/1',
      at: undefined,
      projectId: undefined,
    });
    assert.equal(deployStateFrom({ lastDeploy: { status: 'FAILED', message: 'quota' } })?.phase, 'failed');
    assert.equal(deployStateFrom({ lastDeploy: { status: 'FAILED', message: 'quota' } })?.message, 'quota');
    assert.equal(deployStateFrom({ server: 'ok', deployment: { state: 'in_progress' } })?.phase, 'deploying');
    assert.equal(deployStateFrom({ state: 'weird' })?.phase, 'unknown');
    // the platform's lifecycle: every phase before `deployed` counts as on the way
    assert.deepEqual(
      ['specification', 'implementation', 'deployed', 'failed'].map((status) => deployStateFrom({ project: 'x', status })?.phase),
      ['deploying', 'deploying', 'succeeded', 'failed'],
    );
    assert.equal(deployStateFrom({ lastDeploy: { projectId: 'proj_7', status: 'deployed' } })?.projectId, 'proj_7');
    assert.equal(deployStateFrom({ version: '0.1.0' }), undefined);
    assert.equal(deployStateFrom(null), undefined);
    assert.equal(deployStateFrom('deployed'), undefined);
  });

  test('status bar text shows the server state and the last deploy', () => {
    assert.equal(statusView('running', undefined).text, '$(check) OSpec');
    assert.equal(statusView('starting', undefined).text, '$(sync~spin) OSpec');
    const failed = statusView('running', { phase: 'failed', raw: 'failed', message: 'quota exceeded' }, 'ospec-lsp (found on PATH)');
    assert.equal(failed.text, '$(check) OSpec · $(warning) deploy failed');
    assert.equal(failed.severity, 'warning');
    assert.match(failed.tooltip, /Command: ospec-lsp \(found on PATH\)/);
    assert.match(failed.tooltip, /quota exceeded/);
    assert.equal(statusView('not-found', undefined).severity, 'error');
    assert.equal(statusView('running', { phase: 'succeeded' }).text, '$(check) OSpec · $(cloud-upload) deployed');
    assert.match(statusView('running', { phase: 'succeeded', raw: 'deployed', projectId: 'proj_7' }).tooltip, /Last deploy: deployed \(proj_7\)/);
  });

  test('a server without the command gets an upgrade hint; other errors pass through', () => {
    assert.match(commandErrorMessage({ code: -32601, message: 'Method not found' }, 'ospec.deploy'), /no "ospec.deploy" command yet/);
    const pygls = { code: -32602, message: "Invalid Params: Command name 'ospec.deploy' is not defined" };
    assert.match(commandErrorMessage(pygls, 'ospec.deploy'), /Upgrade the server \(pip install -U ospec\)/);
    assert.equal(commandErrorMessage(new Error('401 Unauthorized'), 'ospec.deploy'), '401 Unauthorized');
    assert.equal(commandErrorMessage(new Error('project proj_1 not found'), 'ospec.status'), 'project proj_1 not found');
    assert.equal(serverHasCommand({ executeCommandProvider: { commands: ['ospec.deploy'] } }, 'ospec.deploy'), true);
    assert.equal(serverHasCommand({}, 'ospec.deploy'), false);
    assert.equal(serverHasCommand(undefined, 'ospec.status'), false);
  });
});
