import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { interpreterCandidates, interpreterPathProblem, interpreterTarget } from '../common/choose';

function project(...venvs: string[]): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfmend-choose-'));
    for (const venv of venvs) {
        fs.mkdirSync(path.join(root, venv, 'bin'), { recursive: true });
        fs.writeFileSync(path.join(root, venv, 'bin', 'python'), '');
    }
    return root;
}

describe('interpreterCandidates', () => {
    it("offers the project's environments as ${workspaceFolder} paths, then python3 on PATH", () => {
        const root = project('.venv', 'env');
        fs.mkdirSync(path.join(root, 'venv')); // no interpreter inside: not offered
        assert.deepEqual(interpreterCandidates(root, '/usr/bin/python3', 'linux'), [
            { value: '${workspaceFolder}/.venv/bin/python', executable: path.join(root, '.venv', 'bin', 'python') },
            { value: '${workspaceFolder}/env/bin/python', executable: path.join(root, 'env', 'bin', 'python') },
            { value: '/usr/bin/python3', executable: '/usr/bin/python3' },
        ]);
    });
    it('without a folder or python3 offers nothing', () => {
        assert.deepEqual(interpreterCandidates(undefined, undefined, 'linux'), []);
    });
});

describe('interpreterPathProblem', () => {
    const root = project('.venv');
    it('accepts an existing file, also under ${workspaceFolder}', () => {
        assert.equal(interpreterPathProblem(path.join(root, '.venv', 'bin', 'python'), undefined), undefined);
        assert.equal(interpreterPathProblem('${workspaceFolder}/.venv/bin/python', root), undefined);
    });
    it('says why it refuses a path', () => {
        assert.equal(interpreterPathProblem('  ', root), 'Enter the path of a Python executable.');
        assert.equal(interpreterPathProblem('python3', root), 'Enter an absolute path (or one starting with ${workspaceFolder}).');
        assert.equal(interpreterPathProblem(path.join(root, 'nope'), root), `${path.join(root, 'nope')} is not a file.`);
        assert.equal(interpreterPathProblem(path.join(root, '.venv'), root), `${path.join(root, '.venv')} is not a file.`);
    });
});

describe('interpreterTarget', () => {
    it('writes to the workspace only when a folder is open and trusted', () => {
        assert.equal(interpreterTarget(true, true), 'workspace');
        assert.equal(interpreterTarget(true, false), 'user');
        assert.equal(interpreterTarget(false, true), 'user');
    });
});
