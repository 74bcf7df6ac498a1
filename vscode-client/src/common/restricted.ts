/**
 * What Restricted Mode (an untrusted workspace) changes, and how the extension says so.
 * No `vscode` import.
 *
 * The workspace's values of these settings are ignored until the folder is trusted (they name
 * programs to run); the user's own settings still apply, so tfmend keeps linting with an
 * interpreter the user chose, or with a `tfmend` installed outside the workspace.
 */

import { InterpreterSource } from './interpreter';
import { LaunchVia, ProblemKind } from './launch';

/** Keys below `tfmend.` that Restricted Mode reads from the user settings only. */
export const RESTRICTED_KEYS: readonly string[] = [
    'interpreter',
    'path',
    'args',
    'importStrategy',
    'extendRules',
    'validation.command',
];

export function isRestrictedKey(key: string): boolean {
    return RESTRICTED_KEYS.includes(key);
}

function ignoredPart(ignored: readonly string[]): string {
    const names = ignored.map((key) => `"tfmend.${key}"`);
    return names.length > 0 ? `this workspace's ${names.join(', ')}` : "this workspace's tfmend settings";
}

const SOURCES: Record<InterpreterSource, string> = {
    setting: 'from your user settings',
    'python-extension': 'selected in the Python extension',
    default: 'on PATH',
};

/** The one-time notice when the server runs in Restricted Mode: what works, what does not. */
export function restrictedNotice(ignored: readonly string[], how: { via: LaunchVia; command: string; source: InterpreterSource }): string {
    const running =
        how.via === 'installed' || how.via === 'path'
            ? `the tfmend at ${how.command}`
            : `${how.command} (${SOURCES[how.source]})`;
    return (
        `tfmend: Restricted Mode ignores ${ignoredPart(ignored)} and turns off validating fixes (it runs code). ` +
        `Problems and fixes still work, with ${running}. Trust the folder to use its settings.`
    );
}

const REASONS: Record<ProblemKind, (python: string) => string> = {
    'not-installed': (python) => `${python} has no tfmend`,
    'interpreter-failed': (python) => `${python} does not run`,
    'python-too-old': (python) => `${python} is older than Python 3.10`,
    'bundle-missing': () => 'this build of the extension bundles no tfmend for it',
};

/** The message when nothing outside the workspace can run the server in Restricted Mode. */
export function restrictedProblem(ignored: readonly string[], problem: ProblemKind, python: string): string {
    const reason = REASONS[problem](python);
    return (
        `tfmend: Restricted Mode ignores ${ignoredPart(ignored)} and turns off validating fixes, and no tfmend ` +
        `was found outside the workspace, so nothing is checked (${reason.replace(/\.$/, '')}). ` +
        'Trust the folder, name a Python that has tfmend in your user settings ("tfmend.interpreter"), ' +
        'or install tfmend on its own with pipx.'
    );
}

/** Whether `file` lies inside one of `folders` (an interpreter there is the workspace's code). */
export function insideFolders(file: string, folders: readonly string[], separator = '/'): boolean {
    return folders.some((folder) => {
        const root = folder.endsWith(separator) ? folder : folder + separator;
        return file === folder || file.startsWith(root);
    });
}
