/**
 * "tfmend: Select Interpreter": the Python extension's picker when it is installed and
 * `tfmend.interpreter` does not override it; else a quick pick of the project's environments,
 * a typed path or a file dialog, written to `tfmend.interpreter` (see choose.ts for where).
 */

import { commands, ConfigurationTarget, extensions, QuickPickItem, window, workspace } from 'vscode';
import { interpreterCandidates, interpreterPathProblem, interpreterTarget } from './choose';
import { findOnPath } from './probe';
import { NAMESPACE } from './settings';

const PYTHON_EXTENSION = 'ms-python.python';
const TYPE_PATH = 'Enter interpreter path…';
const BROWSE = 'Find…';

interface Item extends QuickPickItem {
    value?: string;
}

export async function selectInterpreter(): Promise<void> {
    const folder = workspace.workspaceFolders?.[0];
    const config = workspace.getConfiguration(NAMESPACE, folder);
    const current = config.get<string[]>('interpreter') ?? [];
    // The Python extension's selection is used only while tfmend.interpreter is empty.
    if (current.length === 0 && extensions.getExtension(PYTHON_EXTENSION)) {
        await commands.executeCommand('python.setInterpreter');
        return;
    }
    const target = interpreterTarget(folder !== undefined, workspace.isTrusted);
    const where = target === 'workspace' ? "this workspace's settings" : 'your user settings';
    const found = interpreterCandidates(folder?.uri.fsPath, findOnPath('python3', process.env, process.platform), process.platform);
    const items: Item[] = [
        ...found.map((c) => ({ label: c.value, detail: c.executable, value: c.value })),
        { label: TYPE_PATH, detail: 'the path of a Python with tfmend installed (3.10 or newer)' },
        { label: BROWSE, detail: 'choose the executable in a file dialog' },
    ];
    const picked = await window.showQuickPick(items, {
        title: `tfmend: the Python that runs the server (written to ${where})`,
        placeHolder: current.length > 0 ? `Now: ${current.join(' ')}` : 'Now: python3 on PATH',
        ignoreFocusOut: true,
    });
    if (!picked) {
        return;
    }
    let value = picked.value;
    if (picked.label === TYPE_PATH) {
        value = await window.showInputBox({
            title: 'tfmend: interpreter path',
            prompt: `Written to "tfmend.interpreter" in ${where}`,
            value: current[0] ?? '',
            ignoreFocusOut: true,
            validateInput: (text) => interpreterPathProblem(text, folder?.uri.fsPath),
        });
        value = value?.trim();
    } else if (picked.label === BROWSE) {
        const files = await window.showOpenDialog({
            canSelectMany: false,
            defaultUri: folder?.uri,
            openLabel: 'Use this interpreter',
        });
        value = files?.[0]?.fsPath;
    }
    if (!value) {
        return;
    }
    // The setting's change restarts the server (extension.ts).
    await config.update(
        'interpreter',
        [value],
        target === 'workspace' ? ConfigurationTarget.WorkspaceFolder : ConfigurationTarget.Global,
    );
    void window.showInformationMessage(`tfmend: "tfmend.interpreter" is now ${value} in ${where}.`);
}
