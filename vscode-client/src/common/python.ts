/**
 * The interpreter selected in the Python extension (ms-python.python), through its public API,
 * when that extension is installed. Only the few members used are typed here.
 */

import { Disposable, Event, extensions, Uri } from 'vscode';

interface ActiveEnvironmentPath {
    path: string;
}

interface ResolvedEnvironment {
    executable: { uri?: Uri };
}

interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: Uri): ActiveEnvironmentPath;
        resolveEnvironment(environment: ActiveEnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
        onDidChangeActiveEnvironmentPath: Event<unknown>;
    };
    settings?: {
        getExecutionDetails(resource?: Uri): { execCommand: string[] | undefined };
    };
}

const PYTHON_EXTENSION = 'ms-python.python';

async function api(): Promise<PythonExtensionApi | undefined> {
    const extension = extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
    if (!extension) {
        return undefined;
    }
    return extension.isActive ? extension.exports : await extension.activate();
}

/** The selected interpreter's command for `resource`, or undefined without the extension. */
export async function selectedInterpreter(resource?: Uri): Promise<string[] | undefined> {
    const python = await api();
    if (!python) {
        return undefined;
    }
    if (python.environments) {
        const active = python.environments.getActiveEnvironmentPath(resource);
        const resolved = await python.environments.resolveEnvironment(active);
        const executable = resolved?.executable.uri?.fsPath;
        if (executable) {
            return [executable];
        }
    }
    return python.settings?.getExecutionDetails(resource).execCommand;
}

/** Calls `listener` when the user selects another interpreter (no-op without the extension). */
export async function onDidChangeInterpreter(listener: () => void): Promise<Disposable> {
    const python = await api();
    if (python?.environments) {
        return python.environments.onDidChangeActiveEnvironmentPath(() => listener());
    }
    return new Disposable(() => undefined);
}
