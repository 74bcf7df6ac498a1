/**
 * "Select Interpreter" without the Python extension: the interpreters worth offering, and where
 * the choice is written. No `vscode` import.
 */

import * as fs from 'fs';
import * as path from 'path';

export interface Candidate {
    /** What is written to `tfmend.interpreter` (`${workspaceFolder}/…` inside the folder). */
    value: string;
    /** The absolute path, shown as the item's detail. */
    executable: string;
}

/** Virtual environments a project usually keeps next to its code. */
const VENV_DIRECTORIES = ['.venv', 'venv', 'env', '.env'];

/**
 * The project's own virtual environments (`.venv`, `venv`, …), then `python3` on `PATH`:
 * existing files only, each once. Inside the folder the value uses `${workspaceFolder}`, so the
 * setting keeps working when the project moves.
 */
export function interpreterCandidates(
    folder: string | undefined,
    pathPython: string | undefined,
    platform: NodeJS.Platform,
): Candidate[] {
    const relative = platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python'];
    const found: Candidate[] = [];
    if (folder) {
        for (const venv of VENV_DIRECTORIES) {
            const executable = path.join(folder, venv, ...relative);
            if (isFile(executable)) {
                found.push({ value: ['${workspaceFolder}', venv, ...relative].join('/'), executable });
            }
        }
    }
    if (pathPython && !found.some((c) => c.executable === pathPython)) {
        found.push({ value: pathPython, executable: pathPython });
    }
    return found;
}

/** Why a typed interpreter path cannot be used, or undefined when it can. */
export function interpreterPathProblem(value: string, folder: string | undefined): string | undefined {
    const trimmed = value.trim();
    if (trimmed.length === 0) {
        return 'Enter the path of a Python executable.';
    }
    const absolute = trimmed.replace('${workspaceFolder}', folder ?? '${workspaceFolder}');
    if (!path.isAbsolute(absolute)) {
        return 'Enter an absolute path (or one starting with ${workspaceFolder}).';
    }
    return isFile(absolute) ? undefined : `${absolute} is not a file.`;
}

/**
 * Where the choice goes: the workspace's settings when a folder is open and trusted (the
 * interpreter belongs to the project), else the user settings (Restricted Mode ignores the
 * workspace's `tfmend.interpreter`; with no folder there is no workspace to write to).
 */
export function interpreterTarget(hasFolder: boolean, trusted: boolean): 'workspace' | 'user' {
    return hasFolder && trusted ? 'workspace' : 'user';
}

function isFile(file: string): boolean {
    try {
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}
