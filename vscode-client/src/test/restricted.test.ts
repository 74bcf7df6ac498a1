import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installChoices, installTitle, REPOSITORY_SOURCE } from '../common/install';
import { insideFolders, isRestrictedKey, restrictedNotice, restrictedProblem } from '../common/restricted';

describe('Restricted Mode', () => {
    it('names the restricted settings', () => {
        assert.equal(isRestrictedKey('interpreter'), true);
        assert.equal(isRestrictedKey('validation.command'), true);
        assert.equal(isRestrictedKey('select'), false);
    });
    it('says what is ignored, what runs and that validation is off', () => {
        assert.equal(
            restrictedNotice(['interpreter'], { via: 'environment', command: '/home/u/tf/bin/python', source: 'setting' }),
            'tfmend: Restricted Mode ignores this workspace\'s "tfmend.interpreter" and turns off validating fixes ' +
                '(it runs code). Problems and fixes still work, with /home/u/tf/bin/python (from your user settings). ' +
                'Trust the folder to use its settings.',
        );
        assert.match(
            restrictedNotice([], { via: 'installed', command: '/home/u/.local/bin/tfmend', source: 'default' }),
            /ignores this workspace's tfmend settings .* with the tfmend at \/home\/u\/.local\/bin\/tfmend\./,
        );
    });
    it('explains a server that cannot start without blaming the interpreter alone', () => {
        const text = restrictedProblem(['interpreter', 'path'], 'not-installed', '/usr/bin/python3');
        assert.match(text, /^tfmend: Restricted Mode ignores this workspace's "tfmend.interpreter", "tfmend.path" and turns off validating fixes/);
        assert.match(text, /nothing is checked \(\/usr\/bin\/python3 has no tfmend\)\. Trust the folder/);
    });
    it('tells an interpreter in the workspace from one outside', () => {
        assert.equal(insideFolders('/p/.venv/bin/python', ['/p']), true);
        assert.equal(insideFolders('/p2/bin/python', ['/p']), false);
        assert.equal(insideFolders('/usr/bin/python3', []), false);
    });
});

describe('installChoices', () => {
    const base = { interpreter: ['/usr/bin/python3'], platform: 'linux' as const };
    it('never offers pip for an externally-managed Python', () => {
        const choices = installChoices({ ...base, externallyManaged: true, folder: '/p' });
        assert.deepEqual(
            choices.map((c) => c.label),
            ['Into a new .venv in the project'],
        );
        assert.equal(
            choices[0].command,
            `/usr/bin/python3 -m venv /p/.venv && /p/.venv/bin/python -m pip install "${REPOSITORY_SOURCE}"`,
        );
        assert.deepEqual(choices[0].then, { restart: true, interpreter: '/p/.venv/bin/python' });
        assert.match(installTitle({ ...base, externallyManaged: true }), /Not with pip into \/usr\/bin\/python3: the system manages it \(PEP 668\)/);
    });
    it('offers the project venv, pipx and pip where they work, from a wheel', () => {
        const choices = installChoices({
            ...base,
            interpreter: ['/v/bin/python'],
            externallyManaged: false,
            folder: '/p',
            folderVenvPython: '/p/.venv/bin/python',
            pipx: '/usr/bin/pipx',
            wheel: '/d/tfmend-0.1.0-py3-none-any.whl',
        });
        assert.deepEqual(
            choices.map((c) => c.command),
            [
                '/p/.venv/bin/python -m pip install /d/tfmend-0.1.0-py3-none-any.whl',
                '/usr/bin/pipx install /d/tfmend-0.1.0-py3-none-any.whl',
                '/v/bin/python -m pip install /d/tfmend-0.1.0-py3-none-any.whl',
            ],
        );
        assert.equal(choices[0].label, "Into the project's .venv");
    });
    it('offers nothing it cannot do', () => {
        assert.deepEqual(installChoices({ ...base, externallyManaged: true }), []);
    });
});
