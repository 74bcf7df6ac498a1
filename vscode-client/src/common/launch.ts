/**
 * How the server process is started, or why it cannot be. No `vscode` import.
 *
 * - `tfmend.path` set: run that executable with `serve` (the interpreter only validates fixes).
 * - `fromEnvironment` (default): `<interpreter> -m tfmend serve`, tfmend being pip-installed in
 *   the interpreter's environment; if it is not, a `tfmend` installed on its own (`pipx install
 *   tfmend`: on `PATH` or in pipx's `~/.local/bin`) runs with `serve`, the interpreter then only
 *   validating fixes; failing that, a bundled copy when this build has one.
 * - `useBundled`: the same with the extension's `bundled/libs` first on `PYTHONPATH`.
 */

import { formatVersion, isSupportedPython, MINIMUM_PYTHON, ProbeResult } from './interpreter';
import { ExtensionSettings } from './settings';

export interface Bundle {
    /** `<extension>/bundled/libs`. */
    libs: string;
    /** Whether the directory holds an importable tfmend. */
    present: boolean;
    /** The `major.minor` the bundle was built for (its compiled dependencies need it), if known. */
    python?: string;
}

export type LaunchVia = 'path' | 'environment' | 'installed' | 'bundled';

export interface Launch {
    kind: 'launch';
    command: string;
    args: string[];
    /** Variables added to the server's environment. */
    env: Record<string, string>;
    via: LaunchVia;
    /** One line for the output channel. */
    note?: string;
}

export type ProblemKind = 'interpreter-failed' | 'python-too-old' | 'not-installed' | 'bundle-missing';

export interface Problem {
    kind: 'problem';
    problem: ProblemKind;
    /** The first-run message shown to the user. */
    message: string;
}

export interface LaunchInputs {
    settings: ExtensionSettings;
    interpreter: string[];
    /** The probe of the interpreter, or the reason it failed. */
    probe: ProbeResult | Error;
    bundle: Bundle;
    /** A `tfmend` executable installed on its own (pipx), when one was found. */
    installed?: string;
    /** The current PYTHONPATH, kept after the bundle. */
    pythonPath?: string;
    pathSeparator: string;
}

const SERVE = ['-m', 'tfmend', 'serve'];

/**
 * How to install tfmend, for the messages: into an environment, or on its own. It is not on
 * PyPI: from the repository or a wheel ("Install tfmend" in the message offers what works).
 */
export function installHint(interpreter: string): string {
    return (
        `Install it into that environment ("${interpreter} -m pip install dist/tfmend-*.whl", the wheel "make dist" ` +
        'builds in a clone of tfmend; it is not on PyPI) or on its own ("pipx install dist/tfmend-*.whl")'
    );
}

export function planLaunch(inputs: LaunchInputs): Launch | Problem {
    const { settings, interpreter, probe, bundle } = inputs;
    if (settings.path.length > 0) {
        return {
            kind: 'launch',
            command: settings.path[0],
            args: [...settings.path.slice(1), 'serve', ...settings.args],
            env: {},
            via: 'path',
        };
    }
    const shown = interpreter.join(' ');
    if (probe instanceof Error) {
        return {
            kind: 'problem',
            problem: 'interpreter-failed',
            message:
                `tfmend could not run the Python interpreter "${shown}": ${probe.message}. ` +
                'Select an interpreter in the Python extension or set "tfmend.interpreter".',
        };
    }
    const installed = (note: string): Launch | undefined =>
        inputs.installed
            ? {
                  kind: 'launch',
                  command: inputs.installed,
                  args: ['serve', ...settings.args],
                  env: {},
                  via: 'installed',
                  note: `${note}; using ${inputs.installed} (the interpreter only validates fixes).`,
              }
            : undefined;
    if (!isSupportedPython(probe.python)) {
        const own = installed(`${probe.executable || shown} is Python ${formatVersion(probe.python)}`);
        if (own && settings.importStrategy !== 'useBundled') {
            return own;
        }
        return {
            kind: 'problem',
            problem: 'python-too-old',
            message:
                `tfmend needs Python ${formatVersion(MINIMUM_PYTHON)} or newer, but ${probe.executable || shown} ` +
                `is Python ${formatVersion(probe.python)}. Select a newer interpreter, or install tfmend on its own ` +
                '("pipx install dist/tfmend-*.whl"): it is then found on PATH, and this interpreter only validates fixes.',
        };
    }
    const bundled = (note?: string): Launch | Problem => {
        const running = `${probe.python[0]}.${probe.python[1]}`;
        if (bundle.python && bundle.python !== running) {
            return {
                kind: 'problem',
                problem: 'bundle-missing',
                message:
                    `The tfmend bundled in this extension was built for Python ${bundle.python}, ` +
                    `but ${probe.executable || shown} is Python ${running}. Install tfmend into that ` +
                    `environment ("${shown} -m pip install dist/tfmend-*.whl") and set "tfmend.importStrategy" to "fromEnvironment".`,
            };
        }
        const pythonPath = [bundle.libs, ...(inputs.pythonPath ? [inputs.pythonPath] : [])].join(
            inputs.pathSeparator,
        );
        return {
            kind: 'launch',
            command: interpreter[0],
            args: [...interpreter.slice(1), ...SERVE, ...settings.args],
            env: { PYTHONPATH: pythonPath },
            via: 'bundled',
            note,
        };
    };
    if (settings.importStrategy === 'useBundled') {
        if (bundle.present) {
            return bundled();
        }
        return {
            kind: 'problem',
            problem: 'bundle-missing',
            message:
                '"tfmend.importStrategy" is "useBundled", but this build of the extension bundles no tfmend. ' +
                `Install it into your environment ("${shown} -m pip install dist/tfmend-*.whl") and use "fromEnvironment".`,
        };
    }
    if (probe.tfmend !== null) {
        return {
            kind: 'launch',
            command: interpreter[0],
            args: [...interpreter.slice(1), ...SERVE, ...settings.args],
            env: {},
            via: 'environment',
        };
    }
    const own = installed(`tfmend is not installed in ${probe.executable || shown}`);
    if (own) {
        return own;
    }
    if (bundle.present) {
        return bundled(`tfmend is not installed in ${probe.executable}; using the copy bundled with the extension.`);
    }
    return {
        kind: 'problem',
        problem: 'not-installed',
        message:
            `tfmend is not installed in the Python environment of ${probe.executable || shown} ` +
            `(Python ${formatVersion(probe.python)}). ${installHint(shown)}, ` +
            'or select the environment that has it.',
    };
}

/**
 * The launch to start while the probe runs: what `planLaunch` gives when the probe finds a
 * supported Python with tfmend installed (the usual case), or `tfmend.path`, which needs no
 * probe. The probe's own plan decides whether that process is kept (see `sameLaunch`).
 */
export function expectedLaunch(inputs: Omit<LaunchInputs, 'probe'>): Launch | undefined {
    const likely: ProbeResult = {
        python: [MINIMUM_PYTHON[0], MINIMUM_PYTHON[1], 0],
        executable: '',
        tfmend: 'unknown',
        tensorflow: null,
        keras: null,
        externallyManaged: false,
    };
    const plan = planLaunch({ ...inputs, probe: likely });
    return plan.kind === 'launch' ? plan : undefined;
}

/** Whether two launches start the same process (command, arguments and environment). */
export function sameLaunch(a: Launch, b: Launch): boolean {
    const env = (launch: Launch) => JSON.stringify(Object.entries(launch.env).sort());
    return (
        a.command === b.command &&
        a.args.length === b.args.length &&
        a.args.every((arg, i) => arg === b.args[i]) &&
        env(a) === env(b)
    );
}
