import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { describe, it } from 'node:test';
import { isSupportedPython, parseProbe, PROBE_SCRIPT, resolveInterpreter } from '../common/interpreter';
import { runProbe } from '../common/probe';

describe('resolveInterpreter', () => {
    const never = async () => {
        throw new Error('the Python extension must not be asked');
    };
    it('prefers tfmend.interpreter', async () => {
        const r = await resolveInterpreter({ fromSetting: ['/a/python'], fromPythonExtension: never, platform: 'linux' });
        assert.deepEqual(r, { command: ['/a/python'], source: 'setting' });
    });
    it('then the Python extension', async () => {
        const r = await resolveInterpreter({
            fromSetting: [],
            fromPythonExtension: async () => ['/venv/bin/python'],
            platform: 'linux',
        });
        assert.deepEqual(r, { command: ['/venv/bin/python'], source: 'python-extension' });
    });
    it('then python3 (python on Windows)', async () => {
        const none = async () => undefined;
        assert.deepEqual(await resolveInterpreter({ fromSetting: [], fromPythonExtension: none, platform: 'linux' }), {
            command: ['python3'],
            source: 'default',
        });
        assert.deepEqual(await resolveInterpreter({ fromSetting: [], fromPythonExtension: none, platform: 'win32' }), {
            command: ['python'],
            source: 'default',
        });
    });
    it('falls back when the Python extension fails or has an empty selection', async () => {
        const failing = async (): Promise<string[]> => {
            throw new Error('not activated');
        };
        assert.equal((await resolveInterpreter({ fromSetting: [], fromPythonExtension: failing, platform: 'linux' })).source, 'default');
        assert.equal(
            (await resolveInterpreter({ fromSetting: [], fromPythonExtension: async () => [''], platform: 'linux' })).source,
            'default',
        );
    });
});

describe('parseProbe', () => {
    it('reads the last JSON line', () => {
        const out = 'a warning printed by sitecustomize\n{"python": "3.11.7", "executable": "/v/bin/python", "tfmend": "0.1.0", "tensorflow": "2.21.0", "keras": null}\n';
        assert.deepEqual(parseProbe(out), {
            python: [3, 11, 7],
            executable: '/v/bin/python',
            tfmend: '0.1.0',
            tensorflow: '2.21.0',
            keras: null,
            externallyManaged: false,
        });
    });
    it('rejects output without a result', () => {
        assert.throws(() => parseProbe('Traceback ...\n'), /printed no probe result/);
        assert.throws(() => parseProbe('{"python": "three"}'), /unexpected probe result/);
    });
});

describe('isSupportedPython', () => {
    it('needs 3.10 or newer', () => {
        assert.equal(isSupportedPython([3, 9, 18]), false);
        assert.equal(isSupportedPython([3, 10, 0]), true);
        assert.equal(isSupportedPython([3, 13, 1]), true);
        assert.equal(isSupportedPython([2, 7, 18]), false);
        assert.equal(isSupportedPython([4, 0, 0]), true);
    });
});

describe('runProbe (a real interpreter)', () => {
    const python = process.env.TFMEND_TEST_PYTHON ?? 'python3';
    it('reports the interpreter it ran', async () => {
        const result = await runProbe([python], { cwd: os.tmpdir(), env: process.env });
        const expected = execFileSync(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']).toString().trim();
        assert.equal(result.python.join('.'), expected);
        assert.ok(result.executable.length > 0);
    });
    it('says whether pip may install into it (PEP 668)', async () => {
        const result = await runProbe([python], { cwd: os.tmpdir(), env: process.env });
        const expected = execFileSync(python, [
            '-c',
            'import os, sys, sysconfig; print(sys.prefix == sys.base_prefix and os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))',
        ])
            .toString()
            .trim();
        assert.equal(String(result.externallyManaged), expected === 'True' ? 'true' : 'false');
    });
    it('says which interpreter is missing', async () => {
        await assert.rejects(runProbe(['/nonexistent/python9'], { cwd: os.tmpdir(), env: process.env }), /"\/nonexistent\/python9" was not found/);
    });
    it('is valid Python source', () => {
        execFileSync(python, ['-c', `import ast; ast.parse(${JSON.stringify(PROBE_SCRIPT)})`]);
    });
});
