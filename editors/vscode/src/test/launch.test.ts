// Server discovery: settings → PATH → Python extension → python on PATH, and the errors.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LaunchDeps,
  ServerNotFoundError,
  describeLaunch,
  expandPath,
  findOnPath,
  installCommandLine,
  resolveServer,
} from '../launch';

function deps(over: Partial<LaunchDeps> & { files?: string[]; withOspec?: string[] } = {}): LaunchDeps {
  const files = new Set(over.files ?? []);
  const withOspec = new Set(over.withOspec ?? []);
  return {
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    homedir: '/home/u',
    workspaceFolder: '/work/project',
    isExecutable: (f) => files.has(f),
    pythonFromExtension: async () => undefined,
    hasOspec: async (p) => withOspec.has(p),
    ...over,
  };
}

const NO_SETTINGS = { path: '', args: [], python: '' };

describe('findOnPath', () => {
  test('returns the first executable match in PATH order', () => {
    const found = findOnPath('ospec-lsp', { PATH: '/a:/b:/c' }, 'linux', (f) => f === '/b/ospec-lsp' || f === '/c/ospec-lsp');
    assert.equal(found, '/b/ospec-lsp');
  });

  test('skips empty PATH entries and returns undefined when absent', () => {
    assert.equal(findOnPath('ospec-lsp', { PATH: '::/x:' }, 'linux', () => false), undefined);
    assert.equal(findOnPath('ospec-lsp', {}, 'linux', () => true), undefined);
  });

  test('on Windows, reads Path case-insensitively and tries PATHEXT', () => {
    const seen: string[] = [];
    const found = findOnPath('ospec-lsp', { Path: 'C:\\Py\\Scripts;"C:\\Other"', PATHEXT: '.COM;.EXE' }, 'win32', (f) => {
      seen.push(f);
      return f === 'C:\\Other\\ospec-lsp.exe';
    });
    assert.equal(found, 'C:\\Other\\ospec-lsp.exe');
    assert.deepEqual(seen, ['C:\\Py\\Scripts\\ospec-lsp.com', 'C:\\Py\\Scripts\\ospec-lsp.exe', 'C:\\Other\\ospec-lsp.com', 'C:\\Other\\ospec-lsp.exe']);
  });
});

describe('expandPath', () => {
  const d = { homedir: '/home/u', workspaceFolder: '/work/project', platform: 'linux' as const };
  test('expands ~, ${userHome} and ${workspaceFolder}, and resolves relative paths against the workspace', () => {
    assert.equal(expandPath('~/venv/bin/ospec-lsp', d), '/home/u/venv/bin/ospec-lsp');
    assert.equal(expandPath('${userHome}/x', d), '/home/u/x');
    assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', d), '/work/project/.venv/bin/python');
    assert.equal(expandPath('.venv/bin/python', d), '/work/project/.venv/bin/python');
    assert.equal(expandPath('python3', d), 'python3');
  });
});

describe('resolveServer', () => {
  test('1. ospec.server.path wins, with ospec.server.args', async () => {
    const l = await resolveServer(
      { path: '~/bin/ospec-lsp', args: ['--log-level', 'DEBUG'], python: '/usr/bin/python3' },
      deps({ files: ['/home/u/bin/ospec-lsp', '/usr/bin/ospec-lsp'] }),
    );
    assert.deepEqual(l, { command: '/home/u/bin/ospec-lsp', args: ['--log-level', 'DEBUG'], source: 'setting:ospec.server.path' });
  });

  test('ospec.server.path may be a bare name looked up on PATH', async () => {
    const l = await resolveServer({ ...NO_SETTINGS, path: 'ospec' , args: ['lsp'] }, deps({ files: ['/usr/bin/ospec'] }));
    assert.deepEqual(l, { command: '/usr/bin/ospec', args: ['lsp'], source: 'setting:ospec.server.path' });
  });

  test('a wrong ospec.server.path is an error naming the setting, not a silent fallback', async () => {
    await assert.rejects(
      resolveServer({ ...NO_SETTINGS, path: '/nope/ospec-lsp' }, deps({ files: ['/usr/bin/ospec-lsp'] })),
      (e: unknown) => e instanceof ServerNotFoundError && e.setting === 'ospec.server.path' && /\/nope\/ospec-lsp/.test(e.message),
    );
  });

  test('2. ospec.server.python → <python> -m ospec lsp, even when ospec-lsp is on PATH', async () => {
    const l = await resolveServer(
      { ...NO_SETTINGS, python: '${workspaceFolder}/.venv/bin/python' },
      deps({ files: ['/work/project/.venv/bin/python', '/usr/bin/ospec-lsp'], withOspec: ['/work/project/.venv/bin/python'] }),
    );
    assert.deepEqual(l, { command: '/work/project/.venv/bin/python', args: ['-m', 'ospec', 'lsp'], source: 'setting:ospec.server.python' });
  });

  test('an ospec.server.python without ospec gives an install hint for that interpreter', async () => {
    await assert.rejects(
      resolveServer({ ...NO_SETTINGS, python: '/opt/py/bin/python' }, deps({ files: ['/opt/py/bin/python'] })),
      (e: unknown) =>
        e instanceof ServerNotFoundError &&
        e.setting === 'ospec.server.python' &&
        e.install?.python === '/opt/py/bin/python' &&
        e.message.includes('/opt/py/bin/python -m pip install ospec'),
    );
  });

  test('3. ospec-lsp on PATH when no setting is given', async () => {
    const l = await resolveServer(NO_SETTINGS, deps({ files: ['/usr/bin/ospec-lsp', '/usr/local/bin/python3'], withOspec: ['/usr/local/bin/python3'] }));
    assert.deepEqual(l, { command: '/usr/bin/ospec-lsp', args: [], source: 'PATH' });
  });

  test("4. the Python extension's interpreter when ospec-lsp is not on PATH", async () => {
    const l = await resolveServer(
      NO_SETTINGS,
      deps({ pythonFromExtension: async () => '/venv/bin/python', withOspec: ['/venv/bin/python'], files: ['/usr/bin/python3'] }),
    );
    assert.deepEqual(l, { command: '/venv/bin/python', args: ['-m', 'ospec', 'lsp'], source: 'python-extension' });
  });

  test("5. python3 on PATH when the Python extension's interpreter lacks ospec", async () => {
    const l = await resolveServer(
      NO_SETTINGS,
      deps({ pythonFromExtension: async () => '/venv/bin/python', files: ['/usr/bin/python3'], withOspec: ['/usr/bin/python3'] }),
    );
    assert.deepEqual(l, { command: '/usr/bin/python3', args: ['-m', 'ospec', 'lsp'], source: 'python-on-PATH' });
  });

  test('nothing found: one actionable error listing what was tried, install into the selected interpreter', async () => {
    const err = await resolveServer(NO_SETTINGS, deps({ pythonFromExtension: async () => '/venv/bin/python', files: ['/usr/bin/python3'] })).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerNotFoundError);
    assert.match(err.message, /ospec-lsp\) was not found/);
    assert.match(err.message, /\/venv\/bin\/python -m pip install ospec/);
    assert.match(err.message, /ospec\.server\.path or ospec\.server\.python/);
    assert.deepEqual(err.install, { python: '/venv/bin/python', args: ['-m', 'pip', 'install', 'ospec'] });
    assert.equal(err.tried.length, 3);
    assert.match(err.tried.join('\n'), /ospec-lsp on PATH \(not found\)/);
  });

  test('nothing at all: the hint falls back to python3', async () => {
    const err = (await resolveServer(NO_SETTINGS, deps()).catch((e) => e)) as ServerNotFoundError;
    assert.equal(err.install?.python, 'python3');
  });
});

describe('install and describe helpers', () => {
  test('installCommandLine quotes for sh and PowerShell', () => {
    assert.equal(installCommandLine({ python: '/usr/bin/python3', args: ['-m', 'pip', 'install', 'ospec'] }, 'linux'), '/usr/bin/python3 -m pip install ospec');
    assert.equal(installCommandLine({ python: "/my py/it's/python", args: ['-m', 'pip'] }, 'darwin'), `'/my py/it'\\''s/python' -m pip`);
    assert.equal(installCommandLine({ python: 'C:\\Py 3\\python.exe', args: ['-m', 'pip'] }, 'win32'), '& "C:\\Py 3\\python.exe" -m pip');
  });

  test('describeLaunch says where the command came from', () => {
    assert.equal(describeLaunch({ command: '/venv/bin/python', args: ['-m', 'ospec', 'lsp'], source: 'python-extension' }), "/venv/bin/python -m ospec lsp (with the Python extension's interpreter)");
  });
});
