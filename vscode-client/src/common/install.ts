/**
 * What "Install tfmend" offers. No `vscode` import.
 *
 * tfmend is not on PyPI: it installs from the repository (pip's `name @ git+URL`) or from a
 * wheel built with `make dist`. pip is never offered for an externally-managed Python (PEP 668,
 * e.g. Debian's /usr/bin/python3), where it refuses to install: a virtual environment in the
 * project, or pipx, works there instead.
 */

export const REPOSITORY_SOURCE = 'tfmend @ git+https://github.com/tfmend/tfmend';

export interface InstallChoice {
    label: string;
    detail: string;
    /** The shell command run in a terminal. */
    command: string;
    /** What to do once it has run: restart, or point `tfmend.interpreter` at this Python. */
    then: { restart: true; interpreter?: string };
}

export interface InstallInputs {
    interpreter: string[];
    /** The probe found an `EXTERNALLY-MANAGED` marker outside a virtual environment. */
    externallyManaged: boolean;
    /** pipx's executable, when it is on PATH. */
    pipx?: string;
    /** The first workspace folder (trusted), for a project virtual environment. */
    folder?: string;
    /** A `.venv/bin/python` (or Scripts\python.exe) already in the folder. */
    folderVenvPython?: string;
    /** A wheel file to install instead of the repository. */
    wheel?: string;
    platform: NodeJS.Platform;
}

function quote(part: string): string {
    return /[\s"'$&|;<>()*?]/.test(part) ? `"${part.replace(/(["\\$`])/g, '\\$1')}"` : part;
}

export function installChoices(inputs: InstallInputs): InstallChoice[] {
    const source = quote(inputs.wheel ?? REPOSITORY_SOURCE);
    const from = inputs.wheel ? 'the wheel' : 'the GitHub repository';
    const python = inputs.interpreter.map(quote).join(' ');
    const choices: InstallChoice[] = [];
    if (inputs.folder) {
        const venvPython =
            inputs.folderVenvPython ??
            (inputs.platform === 'win32' ? `${inputs.folder}\\.venv\\Scripts\\python.exe` : `${inputs.folder}/.venv/bin/python`);
        const create = inputs.folderVenvPython ? '' : `${python} -m venv ${quote(`${inputs.folder}/.venv`)} && `;
        choices.push({
            label: inputs.folderVenvPython ? "Into the project's .venv" : 'Into a new .venv in the project',
            detail: `${create}${quote(venvPython)} -m pip install ${source}; then "tfmend.interpreter" names it`,
            command: `${create}${quote(venvPython)} -m pip install ${source}`,
            then: { restart: true, interpreter: venvPython },
        });
    }
    if (inputs.pipx) {
        choices.push({
            label: 'On its own with pipx',
            detail: `pipx install ${source} (from ${from}); the interpreter then only validates fixes`,
            command: `${quote(inputs.pipx)} install ${source}`,
            then: { restart: true },
        });
    }
    if (!inputs.externallyManaged) {
        choices.push({
            label: `Into ${inputs.interpreter.join(' ')} with pip`,
            detail: `${python} -m pip install ${source} (from ${from})`,
            command: `${python} -m pip install ${source}`,
            then: { restart: true },
        });
    }
    return choices;
}

/** The quick pick's title: where from, and why pip is not among the choices when it is not. */
export function installTitle(inputs: InstallInputs): string {
    const where = inputs.wheel ? `from ${inputs.wheel}` : 'from the GitHub repository (tfmend is not on PyPI)';
    return inputs.externallyManaged
        ? `Install tfmend ${where}. Not with pip into ${inputs.interpreter.join(' ')}: the system manages it (PEP 668)`
        : `Install tfmend ${where}`;
}
