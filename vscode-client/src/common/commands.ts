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
    NotebookCell,
    NotebookCellKind,
    Range,
    Selection,
    TextDocument,
    window,
    workspace,
} from 'vscode';
import { ExecuteCommandRequest } from 'vscode-languageclient/node';
import { fixAllLeft, fixAllSummary } from './messages';
import { selectInterpreter } from './select';
import { ServerManager } from './server';
import { validateWithVerdict } from './verdict';

export const FIX_ALL_KIND = 'source.fixAll.tfmend';
export const SERVER_VALIDATE = 'tfmend.validateFix';
export const SERVER_FIX_ALL = 'tfmend.fixAll';

interface Target {
    document: TextDocument;
    /** The selection in the document: a notebook cell focused in command mode has none. */
    selection: Selection | undefined;
}

/**
 * The Python document a palette command works on: the active editor's, else in a notebook the
 * focused code cell (in command mode, or from a Markdown cell: the first Python cell). The
 * server treats a notebook as one unit, so a cell stands for its notebook.
 */
function pythonTarget(): Target | undefined {
    const editor = window.activeTextEditor;
    if (editor?.document.languageId === 'python') {
        return { document: editor.document, selection: editor.selection };
    }
    const notebook = window.activeNotebookEditor;
    if (notebook) {
        const python = (cell: NotebookCell | undefined) =>
            cell?.kind === NotebookCellKind.Code && cell.document.languageId === 'python' ? cell : undefined;
        const focused = python(notebook.notebook.cellAt(notebook.selection.start));
        const cell = focused ?? notebook.notebook.getCells().find((c) => python(c));
        if (cell) {
            return { document: cell.document, selection: undefined };
        }
    }
    void window.showInformationMessage('tfmend: open a Python file (or notebook cell) first.');
    return undefined;
}

function wholeOf(document: TextDocument): Range {
    return new Range(document.positionAt(0), document.positionAt(document.getText().length));
}

/** Applies the `source.fixAll.tfmend` action of the active file, as `editor.codeActionsOnSave` would. */
async function fixAll(manager: ServerManager, logChannel: LogOutputChannel): Promise<void> {
    const target = pythonTarget();
    if (!target) {
        return;
    }
    const client = manager.languageClient;
    if (!client) {
        void window.showErrorMessage('tfmend: the server is not running.', 'Show Output').then((c) => c && logChannel.show());
        return;
    }
    const { document } = target;
    const whole = wholeOf(document);
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
    const left = fixAllLeft(ours.map((a) => a.title));
    if (left.unsafe > 0 || left.manual > 0) {
        const buttons = left.unsafe > 0 ? ['Open Settings'] : [];
        const choice = await window.showInformationMessage(fixAllSummary(left), ...buttons);
        if (choice) {
            await commands.executeCommand('workbench.action.openSettings', 'tfmend.unsafeFixes');
        }
    }
}

/** Sends `tfmend.validateFix {uri, range}` for the selection and shows the verdict. */
async function validateFixAtCursor(manager: ServerManager, logChannel: LogOutputChannel): Promise<void> {
    const target = pythonTarget();
    if (!target) {
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
    const { document, selection } = target;
    const args = {
        uri: client.code2ProtocolConverter.asUri(document.uri),
        range: client.code2ProtocolConverter.asRange(selection ?? wholeOf(document)),
    };
    const lines: [number, number] | undefined = selection ? [selection.start.line + 1, selection.end.line + 1] : undefined;
    await manager.validating(() =>
        validateWithVerdict(
            lines,
            (token) => client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_VALIDATE, arguments: [args] }, token),
            logChannel,
        ),
    );
}

export function registerCommands(manager: ServerManager, logChannel: LogOutputChannel): Disposable[] {
    return [
        commands.registerCommand('tfmend.restart', () => manager.restart('restart command')),
        commands.registerCommand('tfmend.showOutput', () => logChannel.show()),
        commands.registerCommand('tfmend.fixAllInFile', () => fixAll(manager, logChannel)),
        commands.registerCommand('tfmend.validateFixAtCursor', () => validateFixAtCursor(manager, logChannel)),
        commands.registerCommand('tfmend.selectInterpreter', () => selectInterpreter()),
    ];
}
