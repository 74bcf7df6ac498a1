// Builds a platform-specific .vsix that carries tfmend and its dependencies in bundled/libs, for
// `tfmend.importStrategy: "useBundled"` (and as the fallback of "fromEnvironment").
//
//   node scripts/bundle.mjs [--python python3.11] [--source <pip requirement or path>]
//
// tfmend depends on compiled packages (libcst, PyYAML), so the bundle works only on this
// platform and with this Python minor version; both are recorded in
// bundled/libs/tfmend-bundle.json, and the extension refuses a bundle built for another Python.
// --source defaults to the repository this extension lives in (`..`). vsce runs the
// vscode:prepublish script (the production esbuild bundle) itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
};
const python = arg('--python', process.env.PYTHON ?? 'python3');
const source = arg('--source', path.resolve(here, '..'));
const libs = path.join(here, 'bundled', 'libs');
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', cwd: here, ...opts });

fs.rmSync(libs, { recursive: true, force: true });
fs.mkdirSync(libs, { recursive: true });
run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-compile', '--target', libs, source]);
const version = execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).toString().trim();
const targets = { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win32-x64', 'win32-arm64': 'win32-arm64' };
const target = targets[`${process.platform}-${process.arch}`];
if (!target) {
    throw new Error(`no VS Code target for ${process.platform}-${process.arch}`);
}
fs.writeFileSync(path.join(libs, 'tfmend-bundle.json'), JSON.stringify({ python: version, target }, null, 2) + '\n');
// pip's console scripts hold the build machine's interpreter path: useless in a bundle.
fs.rmSync(path.join(libs, 'bin'), { recursive: true, force: true });
const vsce = path.join(here, 'node_modules', '.bin', 'vsce');
run(vsce, ['package', '--no-dependencies', '--target', target, '-o', `tfmend-${target}.vsix`]);
console.log(`bundled tfmend for Python ${version} on ${target}: tfmend-${target}.vsix`);
