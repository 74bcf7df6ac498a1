/**
 * Starts, restarts and stops the tfmend language server, and answers its questions about settings.
 *
 * One server serves every workspace folder; it is started with the interpreter and settings of
 * the first folder (or the user settings when no folder is open) and receives each folder's
 * settings in `initializationOptions` and through `workspace/configuration`.
 */

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
import { resolveInterpreter } from './interpreter';
import { planLaunch, Problem } from './launch';
import { findBundle, findInstalledServer, runProbe } from './probe';
import { selectedInterpreter } from './python';
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

/** Reads `tfmend.*` for a scope (what the user set, defaults filled in), logging ignored values. */
export function readFor(scope: ConfigurationScope | undefined, logChannel?: LogOutputChannel): ReadResult {
    const config = workspace.getConfiguration(NAMESPACE, scope);
    const folder = scope instanceof Uri ? workspace.getWorkspaceFolder(scope) : (scope as WorkspaceFolder | undefined);
    const userValue = (key: string): unknown => {
        const inspected = config.inspect(key);
        return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    };
    const read = readSettings(userValue, variables(folder));
    for (const warning of read.warnings) {
        logChannel?.warn(warning);
    }
    return read;
}

export function settingsFor(scope: ConfigurationScope | undefined, logChannel?: LogOutputChannel): ExtensionSettings {
    return readFor(scope, logChannel).settings;
}

export class ServerManager implements Disposable {
    private client: LanguageClient | undefined;
    private interpreter: string[] = [];
    private queue: Promise<void> = Promise.resolve();
    private lastProblem: string | undefined;

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
        this.status.update({ state: 'starting', detail: undefined });
        const folder = workspace.workspaceFolders?.[0];
        const settings = settingsFor(folder, this.logChannel);
        const resolved = await resolveInterpreter({
            fromSetting: settings.interpreter,
            fromPythonExtension: () => selectedInterpreter(folder?.uri),
            platform: process.platform,
        });
        this.interpreter = resolved.command;
        this.logChannel.info(`Interpreter (${resolved.source}): ${resolved.command.join(' ')}`);

        const bundle = findBundle(this.context.extensionPath);
        const probe = await runProbe(resolved.command, {
            cwd: this.context.extensionPath,
            env: process.env,
        }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
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

        const plan = planLaunch({
            settings,
            interpreter: resolved.command,
            probe,
            bundle,
            installed: findInstalledServer(process.env, process.platform, os.homedir()),
            pythonPath: process.env.PYTHONPATH,
            pathSeparator: path.delimiter,
        });
        if (plan.kind === 'problem') {
            this.status.update({ state: 'error', detail: plan.problem });
            // Not awaited: the message stays up until the user answers, and the restart queue
            // must not wait for that (a settings change has to be able to restart meanwhile).
            void this.reportProblem(plan, resolved.command);
            return;
        }
        this.lastProblem = undefined;
        if (plan.note) {
            this.logChannel.warn(plan.note);
        }
        const cwd = workspace.isTrusted && folder ? folder.uri.fsPath : this.context.extensionPath;
        this.logChannel.info(`Server command (${plan.via}): ${[plan.command, ...plan.args].join(' ')}`);
        const serverOptions: ServerOptions = {
            command: plan.command,
            args: plan.args,
            options: { cwd, env: { ...process.env, ...plan.env, PYTHONUNBUFFERED: '1' } },
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
            if (!shouldNotify(settings.showNotifications, severity)) {
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

    /** The interpreter sent for a folder: its own `tfmend.interpreter`, else the server's. */
    private interpreterFor(folder: WorkspaceFolder | undefined): string[] {
        const own = folder ? settingsFor(folder).interpreter : [];
        return own.length > 0 ? own : this.interpreter;
    }

    private async reportProblem(problem: Problem, interpreter: string[]): Promise<void> {
        this.logChannel.error(problem.message);
        if (this.lastProblem === problem.message) {
            return; // already shown for this configuration
        }
        this.lastProblem = problem.message;
        const actions: string[] = [];
        if (problem.problem === 'not-installed') {
            actions.push('Install tfmend');
        }
        actions.push('Select Interpreter', 'Open Settings', 'Show Output');
        const choice = await window.showErrorMessage(problem.message, ...actions);
        switch (choice) {
            case 'Install tfmend': {
                const terminal = window.createTerminal({ name: 'tfmend: install' });
                terminal.show();
                const quoted = interpreter.map((part) => (/\s/.test(part) ? `"${part}"` : part)).join(' ');
                terminal.sendText(`${quoted} -m pip install tfmend`);
                const restart = await window.showInformationMessage(
                    'When pip has finished, restart the tfmend server.',
                    'Restart Server',
                );
                if (restart) {
                    await this.restart('after installing tfmend');
                }
                break;
            }
            case 'Select Interpreter':
                await commands.executeCommand('python.setInterpreter').then(undefined, () =>
                    commands.executeCommand('workbench.action.openSettings', 'tfmend.interpreter'),
                );
                break;
            case 'Open Settings':
                await commands.executeCommand('workbench.action.openSettings', '@ext:tfmend.tfmend');
                break;
            case 'Show Output':
                this.logChannel.show();
                break;
        }
    }

    private async stopClient(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.dispose(5000);
            } catch (e) {
                this.logChannel.warn(`Stopping the server failed: ${e instanceof Error ? e.message : String(e)}`);
            }
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
