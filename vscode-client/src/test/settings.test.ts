import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
    DEFAULTS,
    needsRestart,
    readSettings,
    resolveVariables,
    shouldNotify,
    toServerSettings,
} from '../common/settings';

const getter = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readSettings', () => {
    it('returns the defaults when nothing is set', () => {
        const { settings, warnings, explicit } = readSettings(getter({}));
        assert.deepEqual(settings, DEFAULTS);
        assert.deepEqual(warnings, []);
        assert.equal(explicit.size, 0);
    });

    it('records which settings the user set', () => {
        const { explicit } = readSettings(getter({ unsafeFixes: false, 'validation.gpu': true, select: 5 }));
        assert.deepEqual([...explicit].sort(), ['unsafeFixes', 'validation.gpu']);
    });

    it('joins a command given as a list', () => {
        const { settings } = readSettings(getter({ 'validation.command': ['pytest', '-x', 'tests'] }));
        assert.equal(settings.validation.command, 'pytest -x tests');
    });

    it('reads every setting, upper-cases codes and resolves variables', () => {
        const { settings, warnings } = readSettings(
            getter({
                interpreter: ['${workspaceFolder}/.venv/bin/python'],
                path: ['~/bin/tfmend'],
                importStrategy: 'useBundled',
                args: ['--log-level', 'debug'],
                select: ['tfm4', ' TFM1 '],
                ignore: ['tfm401'],
                unsafeFixes: true,
                target: 'tf-keras',
                showNotifications: 'always',
                'validation.enable': false,
                'validation.timeout': 30,
                'validation.command': '${env:HOME_PY} -m pytest -x',
                'validation.importCheck': true,
                'validation.gpu': true,
                'validation.memoryMb': 0,
                extendRules: ['rules/extra.yaml'],
                logLevel: 'debug',
            }),
            { workspaceFolder: '/ws', userHome: '/home/me', env: { HOME_PY: '/opt/py' } },
        );
        assert.deepEqual(warnings, []);
        assert.deepEqual(settings, {
            interpreter: ['/ws/.venv/bin/python'],
            path: ['/home/me/bin/tfmend'],
            importStrategy: 'useBundled',
            args: ['--log-level', 'debug'],
            select: ['TFM4', 'TFM1'],
            ignore: ['TFM401'],
            extendRules: ['rules/extra.yaml'],
            unsafeFixes: true,
            target: 'tf-keras',
            showNotifications: 'always',
            logLevel: 'debug',
            validation: { enable: false, timeout: 30, command: '/opt/py -m pytest -x', importCheck: true, gpu: true, memoryMb: 0 },
        });
    });

    it('accepts a single string where a command list is expected', () => {
        const { settings } = readSettings(getter({ interpreter: '/usr/bin/python3.12' }));
        assert.deepEqual(settings.interpreter, ['/usr/bin/python3.12']);
    });

    it('drops empty entries', () => {
        const { settings } = readSettings(getter({ interpreter: ['', '  '] }));
        assert.deepEqual(settings.interpreter, []);
    });

    it('warns about bad values and falls back to the defaults', () => {
        const { settings, warnings } = readSettings(
            getter({
                importStrategy: 'fromPATH',
                unsafeFixes: 'yes',
                'validation.timeout': -5,
                select: [4, 1],
                showNotifications: 7,
                target: 'jax',
            }),
        );
        assert.equal(settings.importStrategy, 'fromEnvironment');
        assert.equal(settings.unsafeFixes, false);
        assert.equal(settings.validation.timeout, 60);
        assert.deepEqual(settings.select, []);
        assert.equal(settings.showNotifications, 'onError');
        assert.equal(settings.target, 'tensorflow');
        assert.equal(warnings.length, 6);
        assert.equal(readSettings(getter({ unsafeFixes: 'yes' })).explicit.has('unsafeFixes'), false);
        assert.match(warnings[0], /^tfmend\.importStrategy: expected one of fromEnvironment, useBundled, got "fromPATH"; using the default$/);
        assert.ok(warnings.some((w) => w.startsWith('tfmend.validation.timeout: expected a positive number')));
    });
});

describe('resolveVariables', () => {
    const vars = {
        workspaceFolder: '/ws/a',
        workspaceFolders: { b: '/ws/b' },
        userHome: '/home/me',
        cwd: '/cwd',
        env: { VENV: '/venvs/tf' },
    };
    it('substitutes the known placeholders', () => {
        assert.equal(resolveVariables('${workspaceFolder}/x', vars), '/ws/a/x');
        assert.equal(resolveVariables('${workspaceFolder:b}/y', vars), '/ws/b/y');
        assert.equal(resolveVariables('${userHome}/z', vars), '/home/me/z');
        assert.equal(resolveVariables('~/z', vars), '/home/me/z');
        assert.equal(resolveVariables('${cwd}', vars), '/cwd');
        assert.equal(resolveVariables('${env:VENV}/bin/python', vars), '/venvs/tf/bin/python');
    });
    it('leaves unknown placeholders and a ~ inside a path alone', () => {
        assert.equal(resolveVariables('${workspaceFolder:nope}/y', vars), '${workspaceFolder:nope}/y');
        assert.equal(resolveVariables('${fileDirname}', vars), '${fileDirname}');
        assert.equal(resolveVariables('/a/~/b', vars), '/a/~/b');
        assert.equal(resolveVariables('${env:UNSET}x', vars), 'x');
    });
});

describe('toServerSettings', () => {
    it('sends the resolved interpreter and only what the user set', () => {
        const read = readSettings(getter({ path: ['/x/tfmend'], unsafeFixes: false, 'validation.timeout': 30 }));
        assert.deepEqual(toServerSettings(read, ['/venv/bin/python'], true), {
            interpreter: ['/venv/bin/python'],
            unsafeFixes: false,
            validation: { timeout: 30 },
        });
    });
    it('sends every server setting when all are set', () => {
        const read = readSettings(
            getter({
                select: ['TFM4'],
                ignore: ['TFM401'],
                extendRules: ['r.yaml'],
                unsafeFixes: true,
                target: 'keras',
                logLevel: 'debug',
                showNotifications: 'always',
                'validation.enable': true,
                'validation.timeout': 5,
                'validation.command': 'pytest',
                'validation.importCheck': true,
                'validation.gpu': false,
                'validation.memoryMb': 100,
            }),
        );
        assert.deepEqual(toServerSettings(read, ['python3'], true), {
            interpreter: ['python3'],
            select: ['TFM4'],
            ignore: ['TFM401'],
            extendRules: ['r.yaml'],
            unsafeFixes: true,
            target: 'keras',
            logLevel: 'debug',
            validation: { enable: true, timeout: 5, command: 'pytest', importCheck: true, gpu: false, memoryMb: 100 },
        });
    });
    it('switches validation off in an untrusted workspace', () => {
        const read = readSettings(getter({ 'validation.enable': true }));
        assert.equal(toServerSettings(read, ['python3'], false).validation.enable, false);
    });
});

describe('needsRestart', () => {
    const affects = (changed: string[]) => (section: string) =>
        changed.some((c) => c === section || c.startsWith(section + '.'));
    it('restarts for server settings', () => {
        assert.equal(needsRestart(affects(['tfmend.interpreter'])), true);
        assert.equal(needsRestart(affects(['tfmend.validation.timeout'])), true);
        assert.equal(needsRestart(affects(['tfmend.select'])), true);
    });
    it('does not restart for the trace level or other extensions', () => {
        assert.equal(needsRestart(affects(['tfmend.trace.server'])), false);
        assert.equal(needsRestart(affects(['python.defaultInterpreterPath'])), false);
    });
});

describe('shouldNotify', () => {
    it('follows the level', () => {
        assert.equal(shouldNotify('off', 'error'), false);
        assert.equal(shouldNotify('onError', 'error'), true);
        assert.equal(shouldNotify('onError', 'warning'), false);
        assert.equal(shouldNotify('onWarning', 'warning'), true);
        assert.equal(shouldNotify('onWarning', 'info'), false);
        assert.equal(shouldNotify('always', 'info'), true);
    });
});
