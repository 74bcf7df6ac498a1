/**
 * Palette commands. Server commands are registered by vscode-languageclient under their own ids
 * (from `executeCommandProvider`) but are not in the palette; these forward the active file and
 * selection to them.
 */

import {
    CodeAction,
    commands,
    Disposable,
    LogOutputChannel,
    ProgressLocation,
    Range,
    TextEditor,
    window,
    workspace,
} from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { describeValidation, fixAllSummary, skippedUnsafe } from './messages';
import { ServerManager } from './server';

export const FIX_ALL_KIND = 'source.fixAll.tfmend';
export const SERVER_VALIDATE = 'tfmend.validateFix';
export const SERVER_FIX_ALL = 'tfmend.fixAll';

function pythonEditor(): TextEditor | undefined {
    const editor = window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python') {
        void window.showInformationMessage('tfmend: open a Python file (or notebook cell) first.');
        return undefined;
    }
    return editor;
}

/** Applies the `source.fixAll.tfmend` action of the active file, as `editor.codeActionsOnSave` would. */
async function fixAll(manager: ServerManager, logChannel: LogOutputChannel): Promise<void> {
    const editor = pythonEditor();
    if (!editor) {
        return;
    }
    const client = manager.languageClient;
    if (!client) {
        void window.showErrorMessage('tfmend: the server is not running.', 'Show Output').then((c) => c && logChannel.show());
        return;
    }
    const document = editor.document;
    const whole = new Range(document.positionAt(0), document.positionAt(document.getText().length));
    const actions =
        (await commands.executeCommand<CodeAction[]>('vscode.executeCodeActionProvider', document.uri, whole, FIX_ALL_KIND, 1)) ?? [];
    const ours = actions.filter((a) => a.kind?.value.startsWith(FIX_ALL_KIND));
    if (ours.length === 0 && manager.serverCommands.includes(SERVER_FIX_ALL)) {
        // A server without the code action kind: its command applies the edit itself
        // (workspace/applyEdit) and answers {applied, changed}.
        const result = (await client.sendRequest(ExecuteCommandRequest.type, {
            command: SERVER_FIX_ALL,
            arguments: [{ uri: client.code2ProtocolConverter.asUri(document.uri), version: document.version }],
        })) as { changed?: boolean } | null;
        if (!result?.changed) {
            void window.showInformationMessage('tfmend: nothing to fix in this file.');
        }
        return;
    }
    let applied = 0;
    for (const action of ours) {
        if (action.edit && (await workspace.applyEdit(action.edit))) {
            applied += 1;
        }
        if (action.command) {
            await commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
            applied += 1;
        }
    }
    logChannel.info(`Fix All: ${applied ? `applied ${ours.map((a) => a.title).join('; ')}` : 'nothing to fix'} in ${document.uri.fsPath}`);
    if (!applied) {
        void window.showInformationMessage('tfmend: nothing to fix in this file.');
        return;
    }
    // The action's title says what the settings left; from the palette nobody sees the title.
    const left = skippedUnsafe(ours.map((a) => a.title));
    if (left > 0) {
        const choice = await window.showInformationMessage(fixAllSummary(left), 'Open Settings');
        if (choice) {
            await commands.executeCommand('workbench.action.openSettings', 'tfmend.unsafeFixes');
        }
    }
}

/** Sends `tfmend.validateFix {uri, range}` for the selection and shows the verdict. */
async function validateFixAtCursor(manager: ServerManager, logChannel: LogOutputChannel): Promise<void> {
    const editor = pythonEditor();
    if (!editor) {
        return;
    }
    if (!workspace.isTrusted) {
        const choice = await window.showWarningMessage(
            'tfmend: validating a fix runs your code with TensorFlow, so it is off in an untrusted workspace.',
            'Manage Workspace Trust',
        );
        if (choice) {
            await commands.executeCommand('workbench.trust.manage');
        }
        return;
    }
    if (!manager.settings().validation.enable) {
        void window.showInformationMessage('tfmend: validation is off ("tfmend.validation.enable").');
        return;
    }
    const client = manager.languageClient;
    if (!client) {
        void window.showErrorMessage('tfmend: the server is not running.', 'Show Output').then((c) => c && logChannel.show());
        return;
    }
    if (!manager.serverCommands.includes(SERVER_VALIDATE)) {
        void window.showErrorMessage(`tfmend: this server has no "${SERVER_VALIDATE}" command; upgrade tfmend.`);
        return;
    }
    const document = editor.document;
    const args = {
        uri: client.code2ProtocolConverter.asUri(document.uri),
        range: client.code2ProtocolConverter.asRange(editor.selection),
    };
    const line = editor.selection.active.line + 1;
    let result: unknown;
    try {
        result = await window.withProgress(
            { location: ProgressLocation.Notification, title: `tfmend: validating the fix on line ${line}…`, cancellable: true },
            (_progress, token) =>
                client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_VALIDATE, arguments: [args] }, token),
        );
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        logChannel.error(`Validation failed: ${message}`);
        void window.showErrorMessage(`tfmend: validation failed: ${message}`, 'Show Output').then((c) => c && logChannel.show());
        return;
    }
    logChannel.info(`Validation result: ${JSON.stringify(result)}`);
    const notice = describeValidation(result);
    const show =
        notice.severity === 'error'
            ? window.showErrorMessage
            : notice.severity === 'warning'
              ? window.showWarningMessage
              : window.showInformationMessage;
    const choice = await show(notice.text, 'Show Output');
    if (choice) {
        logChannel.show();
    }
}

export function registerCommands(manager: ServerManager, logChannel: LogOutputChannel): Disposable[] {
    return [
        commands.registerCommand('tfmend.restart', () => manager.restart('restart command')),
        commands.registerCommand('tfmend.showOutput', () => logChannel.show()),
        commands.registerCommand('tfmend.fixAllInFile', () => fixAll(manager, logChannel)),
        commands.registerCommand('tfmend.validateFixAtCursor', () => validateFixAtCursor(manager, logChannel)),
    ];
}
