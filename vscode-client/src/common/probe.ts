/**
 * Runs the interpreter probe (see `PROBE_SCRIPT`), and locates a `tfmend` installed on its own
 * and a bundled copy of tfmend. Node only: no `vscode` import.
 */

import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseProbe, PROBE_SCRIPT, ProbeResult } from './interpreter';
import { Bundle } from './launch';

export interface ProbeOptions {
    /** Not the workspace: `python -c` puts the current directory first on `sys.path`. */
    cwd: string;
    env: NodeJS.ProcessEnv;
    timeoutMs?: number;
}

/** Runs `<interpreter> -c PROBE_SCRIPT`; rejects with a readable reason. */
export function runProbe(interpreter: string[], options: ProbeOptions): Promise<ProbeResult> {
    const [command, ...prefix] = interpreter;
    return new Promise((resolve, reject) => {
        execFile(
            command,
            [...prefix, '-c', PROBE_SCRIPT],
            { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 20000, windowsHide: true },
            (error, stdout, stderr) => {
                if (error) {
                    const code = (error as NodeJS.ErrnoException).code;
                    if (code === 'ENOENT') {
                        reject(new Error(`"${command}" was not found`));
                        return;
                    }
                    const tail = String(stderr).trim().split(/\r?\n/).slice(-3).join(' ');
                    reject(new Error(tail || error.message));
                    return;
                }
                try {
                    resolve(parseProbe(String(stdout)));
                } catch (e) {
                    reject(e instanceof Error ? e : new Error(String(e)));
                }
            },
        );
    });
}

/**
 * `<extension>/bundled/libs`, present when the extension was packaged with
 * `npm run package:bundled`; `tfmend-bundle.json` there names the Python it was built for.
 */
export function findBundle(extensionPath: string): Bundle {
    const libs = path.join(extensionPath, 'bundled', 'libs');
    const present = fs.existsSync(path.join(libs, 'tfmend', '__init__.py'));
    let python: string | undefined;
    try {
        const meta = JSON.parse(fs.readFileSync(path.join(libs, 'tfmend-bundle.json'), 'utf8')) as { python?: unknown };
        python = typeof meta.python === 'string' ? meta.python : undefined;
    } catch {
        python = undefined;
    }
    return { libs, present, python };
}

/**
 * A `tfmend` executable installed on its own: the first on `PATH`, else in pipx's default
 * directory (`~/.local/bin`, or `$PIPX_BIN_DIR`), which an editor started from a desktop
 * session often lacks on its `PATH`.
 */
export function findInstalledServer(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | undefined {
    return findExecutable('tfmend', [env.PIPX_BIN_DIR ?? '', path.join(home, '.local', 'bin')], env, platform);
}

/** An executable on `PATH` (e.g. pipx), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
    return findExecutable(name, [], env, platform);
}

function findExecutable(
    base: string,
    after: string[],
    env: NodeJS.ProcessEnv,
    platform: NodeJS.Platform,
): string | undefined {
    const name = platform === 'win32' ? `${base}.exe` : base;
    const directories = [...(env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':'), ...after].filter(
        (d) => d.length > 0,
    );
    for (const directory of directories) {
        const candidate = path.join(directory, name);
        try {
            fs.accessSync(candidate, platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // not there, or not executable: try the next directory
        }
    }
    return undefined;
}
