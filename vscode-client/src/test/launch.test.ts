import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbeResult } from '../common/interpreter';
import { Bundle, expectedLaunch, planLaunch, sameLaunch } from '../common/launch';
import { DEFAULTS, ExtensionSettings } from '../common/settings';

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
    python: [3, 11, 7],
    executable: '/venv/bin/python',
    tfmend: '0.1.0',
    tensorflow: '2.21.0',
    keras: '3.15.1',
    externallyManaged: false,
    ...over,
});
const noBundle: Bundle = { libs: '/ext/bundled/libs', present: false };
const bundle: Bundle = { libs: '/ext/bundled/libs', present: true, python: '3.11' };
const settings = (over: Partial<ExtensionSettings> = {}): ExtensionSettings => ({ ...DEFAULTS, ...over });
const base = { interpreter: ['/venv/bin/python'], pathSeparator: ':' };

describe('planLaunch', () => {
    it('runs python -m tfmend serve from the environment', () => {
        const plan = planLaunch({ ...base, settings: settings({ args: ['--log-level', 'debug'] }), probe: probe(), bundle: noBundle });
        assert.deepEqual(plan, {
            kind: 'launch',
            command: '/venv/bin/python',
            args: ['-m', 'tfmend', 'serve', '--log-level', 'debug'],
            env: {},
            via: 'environment',
        });
    });
    it('keeps interpreter arguments before -m', () => {
        const plan = planLaunch({ ...base, interpreter: ['py', '-3.11'], settings: settings(), probe: probe(), bundle: noBundle });
        assert.equal(plan.kind, 'launch');
        if (plan.kind === 'launch') {
            assert.deepEqual([plan.command, ...plan.args], ['py', '-3.11', '-m', 'tfmend', 'serve']);
        }
    });
    it('runs tfmend.path without needing the probe', () => {
        const plan = planLaunch({
            ...base,
            settings: settings({ path: ['/pipx/bin/tfmend', '--flag'] }),
            probe: new Error('python3 was not found'),
            bundle: noBundle,
        });
        assert.deepEqual(plan, { kind: 'launch', command: '/pipx/bin/tfmend', args: ['--flag', 'serve'], env: {}, via: 'path' });
    });
    it('reports an interpreter that cannot run', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: new Error('"python3" was not found'), bundle: noBundle });
        assert.equal(plan.kind, 'problem');
        if (plan.kind === 'problem') {
            assert.equal(plan.problem, 'interpreter-failed');
            assert.match(plan.message, /could not run the Python interpreter "\/venv\/bin\/python": "python3" was not found/);
        }
    });
    it('reports a Python older than 3.10 and suggests tfmend.path', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: probe({ python: [3, 8, 10] }), bundle: bundle });
        assert.equal(plan.kind, 'problem');
        if (plan.kind === 'problem') {
            assert.equal(plan.problem, 'python-too-old');
            assert.match(plan.message, /needs Python 3\.10 or newer, but \/venv\/bin\/python is Python 3\.8\.10/);
            assert.match(plan.message, /pipx install dist\/tfmend-\*\.whl/);
        }
    });
    it('reports tfmend missing from the environment with the pip command', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: probe({ tfmend: null }), bundle: noBundle });
        assert.equal(plan.kind, 'problem');
        if (plan.kind === 'problem') {
            assert.equal(plan.problem, 'not-installed');
            assert.match(plan.message, /"\/venv\/bin\/python -m pip install dist\/tfmend-\*\.whl", the wheel "make dist" builds/);
        }
    });
    it('falls back to a bundled copy when the environment has none', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: probe({ tfmend: null }), bundle, pythonPath: '/mine' });
        assert.equal(plan.kind, 'launch');
        if (plan.kind === 'launch') {
            assert.equal(plan.via, 'bundled');
            assert.deepEqual(plan.env, { PYTHONPATH: '/ext/bundled/libs:/mine' });
            assert.match(plan.note ?? '', /not installed in \/venv\/bin\/python/);
        }
    });
    it('uses the bundle first with useBundled', () => {
        const plan = planLaunch({ ...base, settings: settings({ importStrategy: 'useBundled' }), probe: probe(), bundle });
        assert.equal(plan.kind === 'launch' && plan.via, 'bundled');
    });
    it('refuses useBundled without a bundle, or with one built for another Python', () => {
        const missing = planLaunch({ ...base, settings: settings({ importStrategy: 'useBundled' }), probe: probe(), bundle: noBundle });
        assert.equal(missing.kind === 'problem' && missing.problem, 'bundle-missing');
        const other = planLaunch({
            ...base,
            settings: settings({ importStrategy: 'useBundled' }),
            probe: probe({ python: [3, 12, 1] }),
            bundle,
        });
        assert.equal(other.kind, 'problem');
        if (other.kind === 'problem') {
            assert.match(other.message, /built for Python 3\.11, but \/venv\/bin\/python is Python 3\.12/);
        }
    });
    it('runs a tfmend installed on its own when the environment has none', () => {
        const plan = planLaunch({
            ...base,
            settings: settings({ args: ['--log-level', 'debug'] }),
            probe: probe({ tfmend: null }),
            bundle,
            installed: '/home/u/.local/bin/tfmend',
        });
        assert.deepEqual(plan, {
            kind: 'launch',
            command: '/home/u/.local/bin/tfmend',
            args: ['serve', '--log-level', 'debug'],
            env: {},
            via: 'installed',
            note: 'tfmend is not installed in /venv/bin/python; using /home/u/.local/bin/tfmend (the interpreter only validates fixes).',
        });
    });
    it('prefers the environment to a tfmend installed on its own', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: probe(), bundle: noBundle, installed: '/usr/local/bin/tfmend' });
        assert.equal(plan.kind === 'launch' && plan.via, 'environment');
    });
    it('runs a tfmend installed on its own when the interpreter is too old', () => {
        const plan = planLaunch({
            ...base,
            settings: settings(),
            probe: probe({ python: [3, 8, 10] }),
            bundle: noBundle,
            installed: '/usr/local/bin/tfmend',
        });
        assert.equal(plan.kind === 'launch' && plan.via, 'installed');
    });
    it('says how to install tfmend, into the environment or on its own', () => {
        const plan = planLaunch({ ...base, settings: settings(), probe: probe({ tfmend: null }), bundle: noBundle });
        assert.equal(plan.kind, 'problem');
        if (plan.kind === 'problem') {
            assert.equal(
                plan.message,
                'tfmend is not installed in the Python environment of /venv/bin/python (Python 3.11.7). ' +
                    'Install it into that environment ("/venv/bin/python -m pip install dist/tfmend-*.whl", the wheel ' +
                    '"make dist" builds in a clone of tfmend; it is not on PyPI) or on its own ("pipx install ' +
                    'dist/tfmend-*.whl"), or select the environment that has it.',
            );
        }
    });
});

describe('expectedLaunch', () => {
    const inputs = { ...base, bundle: noBundle };
    it('is the environment launch the usual probe confirms', () => {
        const expected = expectedLaunch({ ...inputs, settings: settings() });
        const planned = planLaunch({ ...inputs, settings: settings(), probe: probe() });
        assert.ok(expected && planned.kind === 'launch' && sameLaunch(expected, planned));
    });
    it('is not what the probe plans when tfmend is missing or Python too old', () => {
        const expected = expectedLaunch({ ...inputs, settings: settings(), installed: '/home/u/.local/bin/tfmend' });
        for (const found of [probe({ tfmend: null }), probe({ python: [3, 9, 18] })]) {
            const planned = planLaunch({ ...inputs, settings: settings(), probe: found, installed: '/home/u/.local/bin/tfmend' });
            assert.ok(expected && planned.kind === 'launch' && !sameLaunch(expected, planned));
        }
    });
    it('is tfmend.path whatever the probe finds', () => {
        const path = settings({ path: ['/opt/tfmend'] });
        const expected = expectedLaunch({ ...inputs, settings: path });
        const planned = planLaunch({ ...inputs, settings: path, probe: new Error('no python') });
        assert.ok(expected && planned.kind === 'launch' && sameLaunch(expected, planned));
    });
    it('is nothing when the bundle is asked for and missing', () => {
        assert.equal(expectedLaunch({ ...inputs, settings: settings({ importStrategy: 'useBundled' }) }), undefined);
    });
    it('tells a bundled launch from the environment one by its PYTHONPATH', () => {
        const inBundle = { ...inputs, bundle };
        const expected = expectedLaunch({ ...inBundle, settings: settings() });
        const planned = planLaunch({ ...inBundle, settings: settings(), probe: probe({ tfmend: null }) });
        assert.ok(expected && planned.kind === 'launch' && planned.via === 'bundled' && !sameLaunch(expected, planned));
    });
});
