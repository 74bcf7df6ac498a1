/**
 * The tfmend extension: starts the tfmend language server (see common/server.ts), restarts it
 * when a setting, the selected interpreter or workspace trust changes, and adds palette commands
 * and a status bar item.
 */

import { ExtensionContext, window, workspace } from 'vscode';
import { registerCommands } from './common/commands';
import { onDidChangeInterpreter } from './common/python';
import { ServerManager } from './common/server';
import { needsRestart } from './common/settings';
import { Status } from './common/status';

const RESTART_DELAY_MS = 300;
let manager: ServerManager | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
    const logChannel = window.createOutputChannel('tfmend', { log: true });
    const status = new Status();
    manager = new ServerManager(context, logChannel, status);
    const server = manager;
    context.subscriptions.push(logChannel, status, server, ...registerCommands(server, logChannel));

    let timer: NodeJS.Timeout | undefined;
    const restartSoon = (reason: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => void server.restart(reason), RESTART_DELAY_MS);
    };
    context.subscriptions.push(
        workspace.onDidChangeConfiguration((e) => {
            if (needsRestart((section) => e.affectsConfiguration(section))) {
                restartSoon('settings changed');
            }
        }),
        workspace.onDidGrantWorkspaceTrust(() => restartSoon('workspace trusted')),
        workspace.onDidChangeWorkspaceFolders(() => restartSoon('workspace folders changed')),
        { dispose: () => clearTimeout(timer) },
    );
    // The Python extension's API is awaited after the first start, never before it.
    void server.restart('activation').then(async () => {
        context.subscriptions.push(
            await onDidChangeInterpreter(() => restartSoon('interpreter changed')).catch(() => ({ dispose: () => undefined })),
        );
    });
}

export async function deactivate(): Promise<void> {
    await manager?.stop();
}
