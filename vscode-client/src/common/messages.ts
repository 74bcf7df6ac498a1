/**
 * Texts the extension shows: the validation result notification and the status bar item.
 * No `vscode` import.
 */

export type Severity = 'info' | 'warning' | 'error';

export interface Notice {
    severity: Severity;
    text: string;
}

const STATUS_SEVERITY: Record<string, Severity> = {
    passed: 'info',
    ok: 'info',
    skipped: 'warning',
    unchecked: 'warning',
    manual: 'warning',
    unavailable: 'warning',
    failed: 'error',
    error: 'error',
    timeout: 'error',
    'timed-out': 'error',
};

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
    for (const key of keys) {
        const value = obj[key];
        if (typeof value === 'string' && value.trim().length > 0) {
            return value.trim();
        }
    }
    return undefined;
}

/**
 * Turns what `workspace/executeCommand` `tfmend.validateFix` returned into one notification.
 * The server answers a result with `status` and `summary`, the verdict the engine made for
 * every client: it is shown as it is, never re-rendered here. `{ok: boolean}`, results without
 * a summary and plain strings are understood too, and anything else is shown as JSON rather
 * than dropped.
 */
export function describeValidation(result: unknown): Notice {
    if (result === null || result === undefined) {
        return { severity: 'warning', text: 'tfmend: there is no fix at the cursor to validate.' };
    }
    if (typeof result === 'string') {
        return { severity: 'info', text: `tfmend: ${result}` };
    }
    if (Array.isArray(result)) {
        if (result.length === 0) {
            return describeValidation(null);
        }
        const notices = result.map(describeValidation);
        const worst = notices.find((n) => n.severity === 'error') ?? notices.find((n) => n.severity === 'warning');
        return {
            severity: worst?.severity ?? 'info',
            text: `tfmend: ${notices.map((n) => n.text.replace(/^tfmend: /, '')).join(' | ')}`,
        };
    }
    if (typeof result !== 'object') {
        return { severity: 'info', text: `tfmend: ${String(result)}` };
    }
    const obj = result as Record<string, unknown>;
    let status = typeof obj.status === 'string' ? obj.status.toLowerCase() : undefined;
    if (status === undefined && typeof obj.ok === 'boolean') {
        status = obj.ok ? 'passed' : 'failed';
    }
    const severity: Severity = (status ? STATUS_SEVERITY[status] : undefined) ?? 'info';
    const summary = firstString(obj, ['summary']);
    if (summary) {
        // "No fix here" answers a question: it is not a failure.
        return { severity: obj.reason === 'no-fix' ? 'info' : severity, text: `tfmend: ${summary}` };
    }
    const message = firstString(obj, ['message', 'detail', 'reason']);
    const code = firstString(obj, ['code', 'rule']);
    const head = `tfmend: validation ${status ?? 'finished'}${code ? ` (${code})` : ''}`;
    if (message) {
        return { severity, text: `${head}: ${message}` };
    }
    if (status) {
        return { severity, text: head };
    }
    return { severity, text: `tfmend: ${JSON.stringify(result)}` };
}

/** The progress notification's title while the fixes in `lines` (first and last, 1-based) are validated. */
export function progressTitle(lines: readonly [number, number] | undefined): string {
    if (lines === undefined) {
        return 'tfmend: validating the fixes in the file…';
    }
    return lines[0] === lines[1] ? `tfmend: validating the fix on line ${lines[0]}…` : `tfmend: validating the fixes in lines ${lines[0]}-${lines[1]}…`;
}

/** The lines (first and last, 1-based) of the range a `tfmend.validateFix` command names, if any. */
export function rangeLines(args: readonly unknown[]): [number, number] | undefined {
    const range = (args[0] as { range?: { start?: { line?: unknown }; end?: { line?: unknown } } } | undefined)?.range;
    const start = range?.start?.line;
    const end = range?.end?.line;
    return typeof start === 'number' && typeof end === 'number' ? [start + 1, end + 1] : undefined;
}

/** What a Fix all action's title says it leaves: unsafe fixes it skips and findings without a fix. */
export interface FixAllLeft {
    unsafe: number;
    manual: number;
}

/** What Fix all actions' titles say they leave (`… (skips 2 unsafe fixes: …; 1 finding has no automatic fix)`). */
export function fixAllLeft(titles: readonly string[]): FixAllLeft {
    const left = { unsafe: 0, manual: 0 };
    for (const title of titles) {
        const unsafe = /\(skips (\d+) unsafe fix(?:es)?\b/.exec(title);
        const manual = /\b(\d+) findings? (?:has|have) no automatic fix\b/.exec(title);
        left.unsafe += unsafe ? Number(unsafe[1]) : 0;
        left.manual += manual ? Number(manual[1]) : 0;
    }
    return left;
}

/** The notification after Fix All applied the safe fixes and left unsafe ones or findings without a fix. */
export function fixAllSummary(left: FixAllLeft): string {
    const parts: string[] = [];
    if (left.unsafe > 0) {
        const what = left.unsafe === 1 ? '1 unsafe fix' : `${left.unsafe} unsafe fixes`;
        parts.push(`${what} (they may change behaviour)`);
    }
    if (left.manual > 0) {
        parts.push(left.manual === 1 ? '1 finding with no automatic fix' : `${left.manual} findings with no automatic fix`);
    }
    let text = `tfmend: Fix All applied the safe fixes and left ${parts.join(' and ')}`;
    if (left.unsafe > 0) {
        const them = left.unsafe === 1 ? 'it' : 'them';
        text += `: validate ${them} with "tfmend: Validate Fix at Cursor", or set "tfmend.unsafeFixes" to apply ${them} too`;
    }
    if (left.manual > 0) {
        text += `${left.unsafe > 0 ? ';' : ':'} the Problems panel lists what to change by hand`;
    }
    return `${text}.`;
}

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export interface StatusInfo {
    state: ServerState;
    /** TensorFlow's version in the interpreter (null: not installed; undefined: not known yet). */
    tensorflow?: string | null;
    keras?: string | null;
    tfmend?: string | null;
    interpreter?: string;
    detail?: string;
    /** Restricted Mode: the workspace's restricted settings are ignored, validation is off. */
    restricted?: boolean;
}

const ICONS: Record<ServerState, string> = {
    starting: '$(loading~spin)',
    running: '$(check)',
    stopped: '$(circle-slash)',
    error: '$(error)',
};

/** The status bar text, e.g. `$(check) tfmend · TF 2.21.0`. */
export function statusText(info: StatusInfo): string {
    let text = `${ICONS[info.state]} tfmend`;
    if (info.state === 'running' || info.state === 'starting') {
        if (info.tensorflow) {
            text += ` · TF ${info.tensorflow}`;
        } else if (info.tensorflow === null) {
            text += ' · no TF';
        }
    }
    return text;
}

export function statusTooltip(info: StatusInfo): string {
    const lines = [`tfmend server: ${info.state}${info.detail ? ` (${info.detail})` : ''}`];
    if (info.tfmend) {
        lines.push(`tfmend ${info.tfmend}`);
    }
    if (info.interpreter) {
        lines.push(`Interpreter: ${info.interpreter}`);
    }
    if (info.tensorflow !== undefined) {
        lines.push(`TensorFlow: ${info.tensorflow ?? 'not installed (validation unavailable)'}`);
    }
    if (info.keras !== undefined) {
        lines.push(`Keras: ${info.keras ?? 'not installed'}`);
    }
    if (info.restricted) {
        lines.push("Restricted Mode: the workspace's interpreter and command settings are ignored; validation is off");
    }
    lines.push('Click to show the tfmend output.');
    return lines.join('\n');
}
