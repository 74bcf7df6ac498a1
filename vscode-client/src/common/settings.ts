/**
 * The extension's settings: read through one converter into a typed, fully defaulted object,
 * and mapped to what the server receives. No `vscode` import, so it is unit-tested in plain Node.
 *
 * Bad values never throw: they are reported in `warnings` and replaced by the default.
 */

export const NAMESPACE = 'tfmend';

export type ImportStrategy = 'fromEnvironment' | 'useBundled';
export type NotificationLevel = 'off' | 'onError' | 'onWarning' | 'always';
export type LogLevel = 'error' | 'warning' | 'info' | 'debug';
/** What fixed code runs on (see the server's `target` setting). */
export type Target = 'tensorflow' | 'keras' | 'tf-keras';

export interface ValidationSettings {
    /** Whether "Validate Fix at Cursor" may run code (always false in untrusted workspaces). */
    enable: boolean;
    /** Seconds one validation check may take. */
    timeout: number;
    /** A command run before and after the fix in a scratch copy of the project (empty: none). */
    command: string;
    /** Also import the fixed module. */
    importCheck: boolean;
    /** Let validation runs see GPUs. */
    gpu: boolean;
    /** Address-space limit of the validation worker in MB (0: no limit). */
    memoryMb: number;
}

export interface ExtensionSettings {
    /** `tfmend.interpreter` as configured (empty: ask the Python extension, else python3). */
    interpreter: string[];
    /** `tfmend.path`: a tfmend executable to run instead of `python -m tfmend`. */
    path: string[];
    importStrategy: ImportStrategy;
    /** Extra arguments for `tfmend serve`. */
    args: string[];
    select: string[];
    ignore: string[];
    /** Extra rule files, relative to the workspace folder. */
    extendRules: string[];
    unsafeFixes: boolean;
    target: Target;
    showNotifications: NotificationLevel;
    logLevel: LogLevel;
    validation: ValidationSettings;
}

export const DEFAULTS: ExtensionSettings = {
    interpreter: [],
    path: [],
    importStrategy: 'fromEnvironment',
    args: [],
    select: [],
    ignore: [],
    extendRules: [],
    unsafeFixes: false,
    target: 'tensorflow',
    showNotifications: 'onError',
    logLevel: 'info',
    validation: { enable: true, timeout: 60, command: '', importCheck: false, gpu: false, memoryMb: 8192 },
};

/**
 * Reads one setting by its key below `tfmend.` (e.g. `validation.timeout`): the value the user
 * set (folder, workspace or user settings), undefined when it is not set anywhere.
 */
export type SettingGetter = (key: string) => unknown;

/** Values for `${...}` placeholders in string settings. */
export interface Variables {
    workspaceFolder?: string;
    /** Folder name → path, for `${workspaceFolder:name}`. */
    workspaceFolders?: Record<string, string>;
    userHome?: string;
    cwd?: string;
    /** Environment, for `${env:NAME}`. */
    env?: Record<string, string | undefined>;
}

export interface ReadResult {
    /** Every setting, defaults filled in. */
    settings: ExtensionSettings;
    /** The keys (below `tfmend.`) the user set to a valid value. */
    explicit: Set<string>;
    /** One line per ignored value: `tfmend.key: what was wrong; using the default`. */
    warnings: string[];
}

const IMPORT_STRATEGIES: readonly ImportStrategy[] = ['fromEnvironment', 'useBundled'];
const NOTIFICATION_LEVELS: readonly NotificationLevel[] = ['off', 'onError', 'onWarning', 'always'];
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'debug'];
const TARGETS: readonly Target[] = ['tensorflow', 'keras', 'tf-keras'];

/** Substitutes `${workspaceFolder}`, `${workspaceFolder:name}`, `${userHome}`, `~/`, `${cwd}` and `${env:NAME}`. */
export function resolveVariables(value: string, vars: Variables): string {
    let out = value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
        if (name === 'workspaceFolder' && vars.workspaceFolder !== undefined) {
            return vars.workspaceFolder;
        }
        if (name.startsWith('workspaceFolder:')) {
            const folder = vars.workspaceFolders?.[name.slice('workspaceFolder:'.length)];
            return folder ?? whole;
        }
        if (name === 'userHome' && vars.userHome !== undefined) {
            return vars.userHome;
        }
        if (name === 'cwd' && vars.cwd !== undefined) {
            return vars.cwd;
        }
        if (name.startsWith('env:')) {
            return vars.env?.[name.slice('env:'.length)] ?? '';
        }
        return whole;
    });
    if (vars.userHome !== undefined && (out === '~' || out.startsWith('~/'))) {
        out = vars.userHome + out.slice(1);
    }
    return out;
}

/** Reads and validates every setting; `get` returns the effective value of `tfmend.<key>`. */
export function readSettings(get: SettingGetter, vars: Variables = {}): ReadResult {
    const warnings: string[] = [];
    const explicit = new Set<string>();
    const warn = (key: string, what: string) => {
        explicit.delete(key);
        warnings.push(`${NAMESPACE}.${key}: ${what}; using the default`);
    };
    const read = (key: string): unknown => {
        const value = get(key);
        if (value !== undefined && value !== null) {
            explicit.add(key);
        }
        return value;
    };

    const strings = (key: string, fallback: string[], resolve: boolean): string[] => {
        const value = read(key);
        if (value === undefined || value === null) {
            return fallback;
        }
        // A single string is accepted for the command-like settings (a common hand-edit).
        const list = typeof value === 'string' ? [value] : value;
        if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
            warn(key, `expected a list of strings, got ${JSON.stringify(value)}`);
            return fallback;
        }
        const trimmed = (list as string[]).map((s) => s.trim()).filter((s) => s.length > 0);
        return resolve ? trimmed.map((s) => resolveVariables(s, vars)) : trimmed;
    };
    const codes = (key: string): string[] => strings(key, [], false).map((c) => c.toUpperCase());
    const bool = (key: string, fallback: boolean): boolean => {
        const value = read(key);
        if (value === undefined || value === null) {
            return fallback;
        }
        if (typeof value !== 'boolean') {
            warn(key, `expected true or false, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value;
    };
    const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
        const value = read(key);
        if (value === undefined || value === null) {
            return fallback;
        }
        if (typeof value !== 'string' || !allowed.includes(value as T)) {
            warn(key, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value as T;
    };
    const number = (key: string, fallback: number, min: number, what: string): number => {
        const value = read(key);
        if (value === undefined || value === null) {
            return fallback;
        }
        if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
            warn(key, `expected ${what}, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return value;
    };
    const text = (key: string, fallback: string): string => {
        const value = read(key);
        if (value === undefined || value === null) {
            return fallback;
        }
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
            return value.map((v) => resolveVariables(v, vars)).join(' ');
        }
        if (typeof value !== 'string') {
            warn(key, `expected a command line, got ${JSON.stringify(value)}`);
            return fallback;
        }
        return resolveVariables(value.trim(), vars);
    };

    const d = DEFAULTS;
    const settings: ExtensionSettings = {
        interpreter: strings('interpreter', d.interpreter, true),
        path: strings('path', d.path, true),
        importStrategy: choice('importStrategy', IMPORT_STRATEGIES, d.importStrategy),
        args: strings('args', d.args, true),
        select: codes('select'),
        ignore: codes('ignore'),
        extendRules: strings('extendRules', d.extendRules, true),
        unsafeFixes: bool('unsafeFixes', d.unsafeFixes),
        target: choice('target', TARGETS, d.target),
        showNotifications: choice('showNotifications', NOTIFICATION_LEVELS, d.showNotifications),
        logLevel: choice('logLevel', LOG_LEVELS, d.logLevel),
        validation: {
            enable: bool('validation.enable', d.validation.enable),
            timeout: number('validation.timeout', d.validation.timeout, Number.MIN_VALUE, 'a positive number of seconds'),
            command: text('validation.command', d.validation.command),
            importCheck: bool('validation.importCheck', d.validation.importCheck),
            gpu: bool('validation.gpu', d.validation.gpu),
            memoryMb: number('validation.memoryMb', d.validation.memoryMb, 0, 'a number of megabytes (0: no limit)'),
        },
    };
    return { settings, explicit, warnings };
}

/** Keys the server reads (settings the extension keeps to itself are left out). */
const SERVER_KEYS = ['select', 'ignore', 'extendRules', 'unsafeFixes', 'target', 'logLevel'] as const;
const VALIDATION_KEYS = ['enable', 'timeout', 'command', 'importCheck', 'gpu', 'memoryMb'] as const;

/**
 * What the server receives: as `initializationOptions` (the first folder's) and as the answer to
 * `workspace/configuration` for the section `tfmend` (each folder's). Keys are the VS Code
 * setting names below `tfmend.`; only settings the user set are sent, so `[tool.tfmend]` in
 * pyproject.toml and the server's defaults apply to the rest.
 */
export interface ServerSettings {
    /** The resolved interpreter (never empty): the server validates fixes with it. */
    interpreter: string[];
    select?: string[];
    ignore?: string[];
    extendRules?: string[];
    unsafeFixes?: boolean;
    target?: Target;
    logLevel?: LogLevel;
    validation: Partial<ValidationSettings>;
}

/**
 * Maps the settings to what the server needs. In an untrusted workspace validation (which runs
 * code) is switched off whatever the settings say.
 */
export function toServerSettings(read: ReadResult, interpreter: string[], trusted: boolean): ServerSettings {
    const { settings, explicit } = read;
    const out: ServerSettings = { interpreter, validation: {} };
    for (const key of SERVER_KEYS) {
        if (explicit.has(key)) {
            (out as unknown as Record<string, unknown>)[key] = settings[key];
        }
    }
    for (const key of VALIDATION_KEYS) {
        if (explicit.has(`validation.${key}`)) {
            (out.validation as Record<string, unknown>)[key] = settings.validation[key];
        }
    }
    if (!trusted) {
        out.validation.enable = false;
    }
    return out;
}

/** Settings whose change needs a server restart: all of them except the LSP trace level. */
export function needsRestart(affects: (section: string) => boolean): boolean {
    if (!affects(NAMESPACE)) {
        return false;
    }
    const keys = [
        'interpreter',
        'path',
        'importStrategy',
        'args',
        'select',
        'ignore',
        'extendRules',
        'unsafeFixes',
        'target',
        'showNotifications',
        'logLevel',
        'validation',
    ];
    return keys.some((key) => affects(`${NAMESPACE}.${key}`));
}

/** Whether a message of this severity is shown as a notification (it is always logged). */
export function shouldNotify(level: NotificationLevel, severity: 'error' | 'warning' | 'info'): boolean {
    switch (level) {
        case 'off':
            return false;
        case 'onError':
            return severity === 'error';
        case 'onWarning':
            return severity !== 'info';
        case 'always':
            return true;
    }
}
