/**
 * Starts, restarts and stops the tfmend language server, and answers its questions about settings.
 *
 * One server serves every workspace folder; it is started with the interpreter and settings of
 * the first folder (or the user settings when no folder is open) and receives each folder's
 * settings in `initializationOptions` and through `workspace/configuration`.
 */

import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
    commands,
    ConfigurationScope,
    Disposable,
    ExtensionContext,
    LogOutputChannel,
    Uri,
    window,
    workspace,
    WorkspaceFolder,
} from 'vscode';
import {
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    ShowMessageNotification,
    MessageType,
    State,
} from 'vscode-languageclient/node';
import { SERVER_VALIDATE } from './commands';
import { installChoices, InstallInputs, installTitle } from './install';
import { ProbeResult, resolveInterpreter } from './interpreter';
import { expectedLaunch, Launch, planLaunch, Problem, sameLaunch } from './launch';
import { findBundle, findInstalledServer, findOnPath, runProbe } from './probe';
import { rangeLines } from './messages';
import { selectedInterpreter } from './python';
import { insideFolders, isRestrictedKey, restrictedNotice, restrictedProblem, RESTRICTED_KEYS } from './restricted';
import {
    ExtensionSettings,
    NAMESPACE,
    ReadResult,
    readSettings,
    ServerSettings,
    shouldNotify,
    toServerSettings,
    Variables,
} from './settings';
import { Status } from './status';
import { validateWithVerdict } from './verdict';

export const SERVER_ID = 'tfmend';
export const SERVER_NAME = 'tfmend';

/** `tfmend/status`: an optional notification the server may send when what it knows changes. */
interface StatusNotification {
    tensorflow?: string | null;
    keras?: string | null;
    message?: string;
}

function variables(folder?: WorkspaceFolder): Variables {
    const folders: Record<string, string> = {};
    for (const f of workspace.workspaceFolders ?? []) {
        folders[f.name] = f.uri.fsPath;
    }
    return {
        workspaceFolder: folder?.uri.fsPath,
        workspaceFolders: folders,
        userHome: os.homedir(),
        cwd: process.cwd(),
        env: process.env,
    };
}

/**
 * Reads `tfmend.*` for a scope (what the user set, defaults filled in), logging ignored values.
 * In Restricted Mode the restricted settings come from the user settings only (VS Code hides
 * their workspace values too; this does not rely on it).
 */
export function readFor(scope: ConfigurationScope | undefined, logChannel?: LogOutputChannel): ReadResult {
    const config = workspace.getConfiguration(NAMESPACE, scope);
    const folder = scope instanceof Uri ? workspace.getWorkspaceFolder(scope) : (scope as WorkspaceFolder | undefined);
    const trusted = workspace.isTrusted;
    const userValue = (key: string): unknown => {
        const inspected = config.inspect(key);
        if (!trusted && isRestrictedKey(key)) {
            return inspected?.globalValue;
        }
        return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    };
    const read = readSettings(userValue, variables(folder));
    for (const warning of read.warnings) {
        logChannel?.warn(warning);
    }
    return read;
}

/**
 * The restricted settings this workspace sets, which Restricted Mode ignores: read from
 * `.vscode/settings.json` (only read, never run), since VS Code hides those values.
 */
export function ignoredInRestrictedMode(folder: WorkspaceFolder | undefined): string[] {
    if (!folder) {
        return [];
    }
    let text: string;
    try {
        text = fs.readFileSync(path.join(folder.uri.fsPath, '.vscode', 'settings.json'), 'utf8');
    } catch {
        return [];
    }
    return RESTRICTED_KEYS.filter((key) => text.includes(`"${NAMESPACE}.${key}"`));
}

export function settingsFor(scope: ConfigurationScope | undefined, logChannel?: LogOutputChannel): ExtensionSettings {
    return readFor(scope, logChannel).settings;
}

export class ServerManager implements Disposable {
    private client: LanguageClient | undefined;
    /** The server process the client talks to. */
    private serverProcess: ChildProcess | undefined;
    private interpreter: string[] = [];
    private queue: Promise<void> = Promise.resolve();
    private lastProblem: string | undefined;
    /** A problem message is up and unanswered: it is stale once the server runs. */
    private problemShown = false;
    private restrictedNoticeShown = false;
    /** Validations in flight: their verdict is shown by the extension, not the server's message. */
    private inFlightValidations = 0;
    /** When this start began, and its steps (ms since then), for the cold start log line. */
    private startClock = { began: 0, probed: 0, spawned: 0, initialized: 0, diagnosed: false };

    constructor(
        private readonly context: ExtensionContext,
        private readonly logChannel: LogOutputChannel,
        private readonly status: Status,
    ) {}

    get languageClient(): LanguageClient | undefined {
        return this.client?.state === State.Running ? this.client : undefined;
    }

    /** The commands the running server executes (`executeCommandProvider.commands`). */
    get serverCommands(): string[] {
        return this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    }

    /** The first folder's settings (the server process's own). */
    settings(): ExtensionSettings {
        return settingsFor(workspace.workspaceFolders?.[0], this.logChannel);
    }

    /** Runs a validation request; meanwhile the server's own messages are only logged. */
    async validating<T>(run: () => Promise<T>): Promise<T> {
        this.inFlightValidations += 1;
        try {
            return await run();
        } finally {
            this.inFlightValidations -= 1;
        }
    }

    /** Stops the running server (if any) and starts a new one; calls are serialized. */
    restart(reason: string): Promise<void> {
        this.queue = this.queue.then(
            () => this.doRestart(reason),
            () => this.doRestart(reason),
        );
        return this.queue;
    }

    private async doRestart(reason: string): Promise<void> {
        this.logChannel.info(`Starting the server (${reason})`);
        await this.stopClient();
        const began = Date.now();
        this.startClock = { began, probed: 0, spawned: 0, initialized: 0, diagnosed: false };
        const trusted = workspace.isTrusted;
        // What the last start found is forgotten: the tooltip must not show another interpreter.
        this.status.update({
            state: 'starting',
            detail: undefined,
            tensorflow: undefined,
            keras: undefined,
            tfmend: undefined,
            interpreter: undefined,
            restricted: !trusted,
        });
        const folder = workspace.workspaceFolders?.[0];
        const settings = settingsFor(folder, this.logChannel);
        const folders = (workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
        const resolved = await resolveInterpreter({
            fromSetting: settings.interpreter,
            // Untrusted, an interpreter inside the workspace (its .venv) is the workspace's code.
            fromPythonExtension: async () => {
                const selected = await selectedInterpreter(folder?.uri);
                return trusted || !selected || !insideFolders(selected[0], folders, path.sep) ? selected : undefined;
            },
            platform: process.platform,
        });
        this.interpreter = resolved.command;
        this.status.update({ interpreter: resolved.command.join(' ') });
        this.logChannel.info(`Interpreter (${resolved.source}): ${resolved.command.join(' ')}`);
        const ignored = trusted ? [] : ignoredInRestrictedMode(folder);
        if (!trusted) {
            this.logChannel.warn(
                `Restricted Mode: ${ignored.length ? ignored.map((k) => `tfmend.${k}`).join(', ') : 'the restricted settings'} ` +
                    'of the workspace are ignored and validation is off',
            );
        }

        const bundle = findBundle(this.context.extensionPath);
        const cwd = trusted && folder ? folder.uri.fsPath : this.context.extensionPath;
        const inputs = {
            settings,
            interpreter: resolved.command,
            bundle,
            installed: findInstalledServer(process.env, process.platform, os.homedir()),
            pythonPath: process.env.PYTHONPATH,
            pathSeparator: path.delimiter,
        };
        const probing = runProbe(resolved.command, {
            cwd: this.context.extensionPath,
            env: process.env,
        }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
        // The server most probes confirm starts now: its start (Python and its imports, most of
        // the wait for the first diagnostics) runs while the probe does. The probe's plan
        // decides below whether this process is the server or is stopped.
        const expected = expectedLaunch(inputs);
        let early = expected ? this.spawnServer(expected, cwd) : undefined;
        if (early) {
            this.startClock.spawned = Date.now() - began;
        }
        const probe = await probing;
        if (!(probe instanceof Error)) {
            this.logChannel.info(
                `Python ${probe.python.join('.')} at ${probe.executable}; tfmend ${probe.tfmend ?? 'not installed'}, ` +
                    `TensorFlow ${probe.tensorflow ?? 'not installed'}, Keras ${probe.keras ?? 'not installed'}`,
            );
            this.status.update({
                tensorflow: probe.tensorflow,
                keras: probe.keras,
                tfmend: probe.tfmend,
                interpreter: probe.executable,
            });
        } else {
            this.logChannel.warn(`Probing ${resolved.command.join(' ')} failed: ${probe.message}`);
        }

        this.startClock.probed = Date.now() - began;
        const plan = planLaunch({ ...inputs, probe });
        if (early && (plan.kind === 'problem' || !expected || !sameLaunch(expected, plan))) {
            early.kill(); // SIGTERM: the server keeps its bytecode cache, then exits
            early = undefined;
            this.startClock.spawned = 0;
        }
        if (plan.kind === 'problem') {
            this.status.update({ state: 'error', detail: plan.problem });
            const shown = probe instanceof Error ? resolved.command.join(' ') : probe.executable || resolved.command.join(' ');
            const problem = trusted
                ? plan
                : { ...plan, message: restrictedProblem(ignored, plan.problem, shown) };
            // Not awaited: the message stays up until the user answers, and the restart queue
            // must not wait for that (a settings change has to be able to restart meanwhile).
            void this.reportProblem(problem, resolved.command, probe instanceof Error ? undefined : probe);
            return;
        }
        if (plan.note) {
            this.logChannel.warn(plan.note);
        }
        this.logChannel.info(`Server command (${plan.via}): ${[plan.command, ...plan.args].join(' ')}`);
        // The process started early serves the first connection; a restart after a crash (the
        // client asks again) starts a new one.
        const serverOptions: ServerOptions = () => {
            const started = early && early.exitCode === null && early.pid !== undefined ? early : undefined;
            early = undefined;
            const child = started ?? this.spawnServer(plan, cwd);
            if (!started) {
                this.startClock.spawned ||= Date.now() - began;
            }
            if (child.pid === undefined) {
                return Promise.reject(new Error(`Launching server using command ${plan.command} failed.`));
            }
            this.serverProcess = child;
            return Promise.resolve(child);
        };
        const client = new LanguageClient(SERVER_ID, SERVER_NAME, serverOptions, this.clientOptions());
        client.onDidChangeState((e) => {
            if (e.newState === State.Stopped && this.client === client) {
                this.status.update({ state: 'stopped' });
            }
        });
        this.client = client;
        try {
            await client.start();
            this.startClock.initialized = Date.now() - began;
        } catch (e) {
            this.logChannel.error(`The server did not start: ${e instanceof Error ? e.message : String(e)}`);
            this.status.update({ state: 'error', detail: 'did not start' });
            if (shouldNotify(settings.showNotifications, 'error')) {
                void window
                    .showErrorMessage('tfmend: the language server did not start.', 'Show Output')
                    .then((choice) => choice && this.logChannel.show());
            }
            return;
        }
        this.afterStart(client, settings);
        await this.recovered();
        if (!trusted && !this.restrictedNoticeShown) {
            this.restrictedNoticeShown = true;
            const notice = restrictedNotice(ignored, {
                via: plan.via,
                command: plan.via === 'installed' || plan.via === 'path' ? plan.command : resolved.command.join(' '),
                source: resolved.source,
            });
            this.logChannel.info(notice);
            void window
                .showInformationMessage(notice, 'Manage Workspace Trust')
                .then((choice) => choice && commands.executeCommand('workbench.trust.manage'));
        }
    }

    /**
     * The server runs: a problem message still up is stale. VS Code cannot close one
     * notification, so the toasts are hidden (they stay in the notification centre), and only
     * when ours is among them.
     */
    private async recovered(): Promise<void> {
        this.lastProblem = undefined;
        if (this.problemShown) {
            this.problemShown = false;
            // Awaited: hiding after the notice below would hide the notice too.
            await commands.executeCommand('notifications.hideToasts').then(undefined, () => undefined);
            this.logChannel.info('The server runs now: the earlier problem is solved.');
        }
    }

    private afterStart(client: LanguageClient, settings: ExtensionSettings): void {
        const result = client.initializeResult;
        const experimental = (result?.capabilities.experimental ?? {}) as { tfmend?: StatusNotification };
        this.status.update({
            state: 'running',
            detail: undefined,
            tfmend: result?.serverInfo?.version ?? this.status.current.tfmend,
            ...(experimental.tfmend?.tensorflow !== undefined ? { tensorflow: experimental.tfmend.tensorflow } : {}),
        });
        this.logChannel.info(
            `Server running: ${result?.serverInfo?.name ?? SERVER_NAME} ${result?.serverInfo?.version ?? ''}; ` +
                `commands: ${this.serverCommands.join(', ') || 'none'}`,
        );
        client.onNotification('tfmend/status', (params: StatusNotification) => {
            const update: Partial<typeof this.status.current> = {};
            if (params.tensorflow !== undefined) {
                update.tensorflow = params.tensorflow;
            }
            if (params.keras !== undefined) {
                update.keras = params.keras;
            }
            if (params.message) {
                this.logChannel.info(params.message);
            }
            this.status.update(update);
        });
        // Every message is logged; pop-ups follow tfmend.showNotifications.
        client.onNotification(ShowMessageNotification.type, (params) => {
            const severity =
                params.type === MessageType.Error ? 'error' : params.type === MessageType.Warning ? 'warning' : 'info';
            this.logChannel[severity === 'warning' ? 'warn' : severity](params.message);
            if (!shouldNotify(settings.showNotifications, severity) || this.inFlightValidations > 0) {
                return;
            }
            const show =
                severity === 'error'
                    ? window.showErrorMessage
                    : severity === 'warning'
                      ? window.showWarningMessage
                      : window.showInformationMessage;
            void show(params.message);
        });
    }

    private clientOptions(): LanguageClientOptions {
        const trusted = workspace.isTrusted;
        const forScope = (scope: WorkspaceFolder | undefined): ServerSettings =>
            toServerSettings(readFor(scope), this.interpreterFor(scope), trusted);
        return {
            documentSelector: [
                { scheme: 'file', language: 'python' },
                { scheme: 'untitled', language: 'python' },
                { scheme: 'vscode-notebook-cell', language: 'python' },
            ],
            outputChannel: this.logChannel,
            traceOutputChannel: this.logChannel,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            // The first folder's settings; the server asks for each folder's through
            // workspace/configuration, answered below.
            initializationOptions: forScope(workspace.workspaceFolders?.[0]),
            middleware: {
                handleDiagnostics: (uri, diagnostics, next) => {
                    this.logColdStart();
                    next(uri, diagnostics);
                },
                // Pulled diagnostics (VS Code's default with this server): the first answer.
                provideDiagnostics: async (document, previousResultId, token, next) => {
                    const report = await next(document, previousResultId, token);
                    this.logColdStart();
                    return report;
                },
                // The light bulb's "Validate this fix" shows its verdict as the palette's does.
                executeCommand: (command, args, next) =>
                    command === SERVER_VALIDATE
                        ? this.validating(() => validateWithVerdict(rangeLines(args), () => Promise.resolve(next(command, args)), this.logChannel))
                        : next(command, args),
                workspace: {
                    // The section "tfmend" is answered with the mapped settings (resolved
                    // interpreter, validation off when untrusted), not the raw configuration.
                    configuration: async (params, token, next) => {
                        const answers = await next(params, token);
                        if (!Array.isArray(answers)) {
                            return answers;
                        }
                        return params.items.map((item, i) => {
                            if (item.section !== NAMESPACE) {
                                return answers[i];
                            }
                            const uri = item.scopeUri ? Uri.parse(item.scopeUri) : undefined;
                            const folder = uri ? workspace.getWorkspaceFolder(uri) : undefined;
                            return forScope(folder);
                        });
                    },
                },
            },
        };
    }

    /** Once per start: how long it took to the first diagnostics, and where the time went. */
    private logColdStart(): void {
        const clock = this.startClock;
        if (clock.diagnosed || clock.began === 0) {
            return;
        }
        clock.diagnosed = true;
        const total = Date.now() - clock.began;
        this.logChannel.info(
            `Cold start: first diagnostics ${total} ms after the start began (interpreter and probe ${clock.probed} ms, ` +
                `spawn ${clock.spawned} ms, initialized ${clock.initialized} ms)`,
        );
    }

    /** The interpreter sent for a folder: its own `tfmend.interpreter`, else the server's. */
    private interpreterFor(folder: WorkspaceFolder | undefined): string[] {
        const own = folder ? settingsFor(folder).interpreter : [];
        return own.length > 0 ? own : this.interpreter;
    }

    private async reportProblem(problem: Problem, interpreter: string[], probe: ProbeResult | undefined): Promise<void> {
        this.logChannel.error(problem.message);
        if (this.lastProblem === problem.message) {
            return; // already shown for this configuration
        }
        this.lastProblem = problem.message;
        const actions: string[] = [];
        if (!workspace.isTrusted) {
            actions.push('Manage Workspace Trust', 'Open User Settings');
        } else {
            if (problem.problem === 'not-installed') {
                actions.push('Install tfmend');
            }
            actions.push('Select Interpreter', 'Open Settings');
        }
        actions.push('Show Output');
        this.problemShown = true;
        const choice = await window.showErrorMessage(problem.message, ...actions);
        if (this.lastProblem !== problem.message) {
            return; // answered after the server recovered: the message was stale
        }
        this.problemShown = false;
        switch (choice) {
            case 'Install tfmend':
                await this.offerInstall(interpreter, probe);
                break;
            case 'Manage Workspace Trust':
                await commands.executeCommand('workbench.trust.manage');
                break;
            case 'Open User Settings':
                await commands.executeCommand('workbench.action.openGlobalSettings', { query: 'tfmend.interpreter' });
                break;
            case 'Select Interpreter':
                await commands.executeCommand('tfmend.selectInterpreter');
                break;
            case 'Open Settings':
                await commands.executeCommand('workbench.action.openSettings', '@ext:tfmend.tfmend');
                break;
            case 'Show Output':
                this.logChannel.show();
                break;
        }
    }

    /**
     * "Install tfmend": a quick pick of what works for this interpreter (never pip into an
     * externally-managed Python), from the repository or a wheel; the choice runs in a terminal.
     */
    private async offerInstall(interpreter: string[], probe: ProbeResult | undefined, wheel?: string): Promise<void> {
        const folder = workspace.workspaceFolders?.[0]?.uri.fsPath;
        const venvPython = folder
            ? [path.join(folder, '.venv', 'bin', 'python'), path.join(folder, '.venv', 'Scripts', 'python.exe')].find((p) =>
                  fs.existsSync(p),
              )
            : undefined;
        const inputs: InstallInputs = {
            interpreter,
            externallyManaged: probe?.externallyManaged ?? false,
            pipx: findOnPath('pipx', process.env, process.platform),
            folder,
            folderVenvPython: venvPython,
            wheel,
            platform: process.platform,
        };
        const WHEEL = 'From a wheel file…';
        const items = [
            ...installChoices(inputs).map((choice) => ({ label: choice.label, detail: choice.detail, choice })),
            ...(wheel ? [] : [{ label: WHEEL, detail: 'a tfmend-*.whl built with "make dist" in a clone of tfmend', choice: undefined }]),
        ];
        const picked = await window.showQuickPick(items, {
            title: installTitle(inputs),
            placeHolder: 'How to install tfmend',
            ignoreFocusOut: true,
        });
        if (!picked) {
            return;
        }
        if (!picked.choice) {
            const files = await window.showOpenDialog({ canSelectMany: false, filters: { 'Python wheel': ['whl'] } });
            if (files?.[0]) {
                await this.offerInstall(interpreter, probe, files[0].fsPath);
            }
            return;
        }
        const { choice } = picked;
        const terminal = window.createTerminal({ name: 'tfmend: install' });
        terminal.show();
        terminal.sendText(choice.command);
        this.logChannel.info(`Install tfmend: ${choice.command}`);
        const restart = await window.showInformationMessage(
            choice.then.interpreter
                ? `When the install has finished, "tfmend.interpreter" is set to ${choice.then.interpreter} and the server restarts.`
                : 'When the install has finished, restart the tfmend server.',
            choice.then.interpreter ? 'Use It' : 'Restart Server',
        );
        if (!restart) {
            return;
        }
        if (choice.then.interpreter) {
            // The setting's change restarts the server.
            await workspace.getConfiguration(NAMESPACE).update('interpreter', [choice.then.interpreter], false);
        } else {
            await this.restart('after installing tfmend');
        }
    }

    /** Starts a server process (stderr goes to the output channel once a client reads it). */
    private spawnServer(launch: Launch, cwd: string): ChildProcess {
        const child = spawn(launch.command, launch.args, {
            cwd,
            env: { ...process.env, ...launch.env, PYTHONUNBUFFERED: '1' },
            windowsHide: true,
        });
        // Only the process a client talks to is reported on: one started ahead of the probe and
        // not kept (no tfmend in that interpreter) fails as the probe's message says already, and
        // one stopped on purpose is no longer the manager's server.
        child.on('error', (e) => {
            if (this.serverProcess === child) {
                this.logChannel.error(`The server process failed: ${e.message}`);
            }
        });
        child.on('exit', (code, signal) => {
            if (this.serverProcess !== child) {
                return;
            }
            if (code) {
                this.logChannel.error(`Server process exited with code ${code}.`);
            } else if (signal && signal !== 'SIGTERM') {
                this.logChannel.error(`Server process exited with signal ${signal}.`);
            }
        });
        return child;
    }

    private async stopClient(): Promise<void> {
        const client = this.client;
        const child = this.serverProcess;
        this.client = undefined;
        this.serverProcess = undefined;
        if (client) {
            try {
                await client.dispose(5000);
            } catch (e) {
                this.logChannel.warn(`Stopping the server failed: ${e instanceof Error ? e.message : String(e)}`);
            }
        }
        // The client stops the process it is given only by asking: one that did not exit on
        // `exit` is ended, as the client does with a process it spawned itself.
        if (child && child.exitCode === null && child.signalCode === null) {
            setTimeout(() => {
                if (child.exitCode === null && child.signalCode === null) {
                    child.kill();
                }
            }, 2000);
        }
    }

    async stop(): Promise<void> {
        await this.stopClient();
        this.status.update({ state: 'stopped' });
    }

    dispose(): void {
        void this.stop();
    }
}
