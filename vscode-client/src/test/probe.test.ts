import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findInstalledServer } from '../common/probe';

function tree(): { root: string; executable: (dir: string) => string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfmend-probe-'));
    return {
        root,
        executable: (dir: string) => {
            const full = path.join(root, dir);
            fs.mkdirSync(full, { recursive: true });
            const file = path.join(full, 'tfmend');
            fs.writeFileSync(file, '#!/bin/sh\n');
            fs.chmodSync(file, 0o755);
            return file;
        },
    };
}

describe('findInstalledServer', () => {
    it('finds the first tfmend on PATH', () => {
        const { root, executable } = tree();
        const first = executable('a');
        executable('b');
        const found = findInstalledServer({ PATH: [path.join(root, 'none'), path.join(root, 'a'), path.join(root, 'b')].join(':') }, 'linux', root);
        assert.equal(found, first);
    });
    it("looks in pipx's ~/.local/bin when PATH lacks it", () => {
        const { root, executable } = tree();
        const pipx = executable(path.join('.local', 'bin'));
        assert.equal(findInstalledServer({ PATH: '/nonexistent' }, 'linux', root), pipx);
    });
    it('skips files that are not executable, and finds nothing when there is none', () => {
        const { root } = tree();
        fs.mkdirSync(path.join(root, 'bin'));
        fs.writeFileSync(path.join(root, 'bin', 'tfmend'), 'not a program');
        fs.chmodSync(path.join(root, 'bin', 'tfmend'), 0o644);
        assert.equal(findInstalledServer({ PATH: path.join(root, 'bin') }, 'linux', root), undefined);
    });
});
