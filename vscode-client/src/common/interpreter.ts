/**
 * Which Python runs the tfmend server, and what is installed in it. No `vscode` import.
 *
 * Precedence: `tfmend.interpreter` > the interpreter selected in the Python extension > `python3`
 * (`python` on Windows). The chosen interpreter is probed once per start: its version, and the
 * versions of tfmend, TensorFlow and Keras installed in it (read from package metadata, without
 * importing TensorFlow, so the probe takes a few tens of milliseconds).
 */

export const MINIMUM_PYTHON: readonly [number, number] = [3, 10];

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface ResolvedInterpreter {
    /** The command: an executable and possibly arguments (`["py", "-3.11"]`). */
    command: string[];
    source: InterpreterSource;
}

export interface InterpreterSources {
    /** `tfmend.interpreter`, already variable-resolved. */
    fromSetting: string[];
    /** Asks the Python extension (undefined when it is not installed or has no selection). */
    fromPythonExtension: () => Promise<string[] | undefined>;
    platform: NodeJS.Platform;
}

export async function resolveInterpreter(sources: InterpreterSources): Promise<ResolvedInterpreter> {
    if (sources.fromSetting.length > 0) {
        return { command: sources.fromSetting, source: 'setting' };
    }
    let fromExtension: string[] | undefined;
    try {
        fromExtension = await sources.fromPythonExtension();
    } catch {
        fromExtension = undefined;
    }
    if (fromExtension && fromExtension.length > 0 && fromExtension[0].length > 0) {
        return { command: fromExtension, source: 'python-extension' };
    }
    return { command: [sources.platform === 'win32' ? 'python' : 'python3'], source: 'default' };
}

/**
 * Printed as one JSON line by the interpreter. Written to run on any Python (even 2.7), so that
 * a too-old interpreter still reports its version instead of failing.
 */
export const PROBE_SCRIPT = [
    'import json, sys',
    'info = {"python": "%d.%d.%d" % tuple(sys.version_info[:3]), "executable": sys.executable}',
    'try:',
    '    from importlib import metadata, util',
    '    def version(name):',
    '        try:',
    '            return metadata.version(name)',
    '        except Exception:',
    '            return None',
    '    info["tfmend"] = (version("tfmend") or "unknown") if util.find_spec("tfmend") else None',
    '    info["tensorflow"] = next((v for v in map(version, ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")) if v), None)',
    '    info["keras"] = version("keras")',
    '    import os, sysconfig',
    '    info["venv"] = sys.prefix != getattr(sys, "base_prefix", sys.prefix)',
    '    info["externally_managed"] = not info["venv"] and os.path.isfile(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"))',
    'except Exception as exc:',
    '    info["error"] = repr(exc)',
    'print(json.dumps(info))',
].join('\n');

export interface ProbeResult {
    python: [number, number, number];
    executable: string;
    /** tfmend's version when importable (`"unknown"` without metadata), else null. */
    tfmend: string | null;
    tensorflow: string | null;
    keras: string | null;
    /** pip refuses to install into it (PEP 668: a system Python outside a virtual environment). */
    externallyManaged: boolean;
}

/** Parses the probe's output (the last line that is a JSON object); throws with a reason. */
export function parseProbe(stdout: string): ProbeResult {
    const line = stdout
        .split(/\r?\n/)
        .map((l) => l.trim())
        .reverse()
        .find((l) => l.startsWith('{'));
    if (!line) {
        throw new Error(`the interpreter printed no probe result: ${JSON.stringify(stdout.slice(0, 200))}`);
    }
    const raw = JSON.parse(line) as Record<string, unknown>;
    const version = String(raw.python ?? '')
        .split('.')
        .map((p) => Number.parseInt(p, 10));
    if (version.length !== 3 || version.some((n) => Number.isNaN(n))) {
        throw new Error(`unexpected probe result: ${line}`);
    }
    const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
    return {
        python: version as [number, number, number],
        executable: str(raw.executable) ?? '',
        tfmend: str(raw.tfmend),
        tensorflow: str(raw.tensorflow),
        keras: str(raw.keras),
        externallyManaged: raw.externally_managed === true,
    };
}

export function isSupportedPython(version: readonly number[]): boolean {
    const [major, minor] = version;
    return major > MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor >= MINIMUM_PYTHON[1]);
}

export function formatVersion(version: readonly number[]): string {
    return version.join('.');
}
