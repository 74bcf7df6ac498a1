// End-to-end test of the tfmend extension in real VS Code: code-server with the built .vsix
// installed, driven through headless Debian Chromium with playwright-core.
// tests/editors/test_vscode.py prepares the workspace and runs this; exit status 0 = pass.
//
// Steps (a screenshot of each in $ARTIFACTS):
//   1. open the legacy file; tfmend's diagnostics appear in the Problems panel, and the status
//      bar shows the server running with the interpreter's TensorFlow version;
//   2. apply a quick fix from the light-bulb menu (Ctrl+.) on the first finding;
//   3. "tfmend: Validate Fix at Cursor" on the other finding (reached with F8, Go to Next
//      Problem); its result notification appears; then "Validate this fix" from the light bulb
//      shows its verdict the same way;
//   4. "tfmend: Fix All in File" fixes the rest; the Problems panel empties;
//   5. save; the file on disk equals $EXPECTED;
//   6. a second file is fixed by `editor.codeActionsOnSave` with source.fixAll.tfmend (its fix
//      is unsafe: this also checks that `tfmend.unsafeFixes` reached the server);
//   7. a notebook ($NOTEBOOK) whose third cell uses a name imported in the first: its finding
//      is listed in the Problems panel with a light-bulb quick fix; with the focus on the cell
//      (not in its editor) the palette's Validate Fix at Cursor validates it and Fix All in File
//      edits both cells, and the saved notebook's cells are $NOTEBOOK_EXPECTED (a JSON list of
//      cell sources);
//   8. `tfmend.interpreter` is changed to $BARE_PYTHON (no tfmend; externally managed, PEP 668):
//      the server restarts and the first-run message says tfmend is not installed; its
//      "Install tfmend" offers a project .venv and a wheel, never pip into that Python;
//      "tfmend: Select Interpreter" (no Python extension here) takes a typed path, writes it
//      to the workspace's settings, and the server runs again;
//   9. with unsafe fixes off, a file with a safe fix, an unsafe one and a finding without a fix
//      lists one problem per finding (errors, and a warning for the changed API); Fix All
//      applies the safe one and its notification says what it left; Validate Fix
//      at Cursor on the finding without a fix answers once, as information; on a selection of
//      lines 8-12 its progress names those lines.
//
// With SCENARIO=untrusted, the folder is opened in Restricted Mode instead (see
// untrustedScenario): with no interpreter in the user settings the message says Restricted
// Mode ignores the workspace's; once the user settings name one, the server lints with it, the
// stale message goes and a notice says validation is off; trusting the folder restarts the
// server with the workspace's settings and validation comes back.
//
// With SCENARIO=coldstart, the file is opened as soon as the window shows the folder and the
// time to the first squiggle is printed (benchmarks/bench_vscode_cold_start.py).
//
// Env: CODE_SERVER, VSIX, WORKSPACE, FILE and SECOND_FILE (names in WORKSPACE), EXPECTED and
// SECOND_EXPECTED (paths of files with the expected text), BARE_PYTHON (a Python 3.10+ without
// tfmend), NOTEBOOK (an .ipynb name in WORKSPACE), MIXED (the text of a file with a safe fix, an
// unsafe one and a finding without a fix), ARTIFACTS (a directory), CHROMIUM
// (default /usr/bin/chromium), FIRST_LINE (1-based line of the first finding), QUICK_FIX (a regular expression matching the quick fix's title),
// KEEP=1 keeps code-server's temporary directory.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const env = (name, fallback) => {
    const value = process.env[name] ?? fallback;
    if (value === undefined) {
        throw new Error(`${name} is not set`);
    }
    return value;
};
const CODE_SERVER = env('CODE_SERVER');
const VSIX = env('VSIX');
const WORKSPACE = env('WORKSPACE');
const FILE = env('FILE');
const SECOND_FILE = env('SECOND_FILE');
const EXPECTED = fs.readFileSync(env('EXPECTED'), 'utf8');
const SECOND_EXPECTED = fs.readFileSync(env('SECOND_EXPECTED'), 'utf8');
const ARTIFACTS = env('ARTIFACTS');
const FIRST_LINE = Number(env('FIRST_LINE'));
const VALIDATION_TIMEOUT_MS = Number(env('VALIDATION_TIMEOUT_MS', '180000'));
const QUICK_FIX = new RegExp(env('QUICK_FIX'));
const BARE_PYTHON = env('BARE_PYTHON');
const NOTEBOOK = env('NOTEBOOK');
const MIXED = env('MIXED');
const NOTEBOOK_EXPECTED = JSON.parse(env('NOTEBOOK_EXPECTED'));
const SCENARIO = env('SCENARIO', 'full');
const UNTRUSTED = SCENARIO === 'untrusted';

const t0 = Date.now();
const log = (...args) => console.log(`[${String(Date.now() - t0).padStart(6)} ms]`, ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
        server.on('error', reject);
    });
}

async function waitHttp(url, ms) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
        try {
            const response = await fetch(url, { redirect: 'manual' });
            if (response.status < 500) {
                return;
            }
        } catch {
            // not listening yet
        }
        await sleep(200);
    }
    throw new Error(`code-server did not answer on ${url}`);
}

/** The text of the editor's rendered lines, top to bottom (Monaco renders spaces as U+00A0). */
async function editorText(page) {
    const lines = await page.$$eval('.editor-instance .view-lines .view-line', (els) =>
        els
            .map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.innerText.replace(/\u00a0/g, ' ') }))
            .sort((a, b) => a.top - b.top)
            .map((x) => x.text),
    );
    return lines.join('\n');
}

async function waitEditor(page, predicate, what, timeout = 20000) {
    const end = Date.now() + timeout;
    let text = '';
    while (Date.now() < end) {
        text = await editorText(page);
        if (predicate(text)) {
            return text;
        }
        await sleep(100);
    }
    throw new Error(`${what}; the editor shows:\n${text}`);
}

async function problemsText(page) {
    return ((await page.locator('.markers-panel').innerText().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

/** How many problems the Problems panel lists for a file (its row reads "N problems in file NAME ..."). */
async function fileProblems(page, name) {
    const labels = await page.$$eval('.markers-panel .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    let count = 0;
    for (const label of labels) {
        const m = /^(\d+) problems? in file (.+?) of folder/.exec(label);
        if (m && (m[2] === name || m[2].startsWith(`${name} `))) {
            count += Number(m[1]);
        }
    }
    return count;
}

async function waitProblems(page, name, predicate, what, timeout = 30000) {
    const end = Date.now() + timeout;
    let count = 0;
    while (Date.now() < end) {
        count = await fileProblems(page, name);
        if (predicate(count)) {
            return count;
        }
        await sleep(100);
    }
    throw new Error(`${what}: the Problems panel lists ${count} for ${name}: ${await problemsText(page)}`);
}

async function shot(page, name) {
    const file = path.join(ARTIFACTS, name);
    await page.screenshot({ path: file });
    log('screenshot', file);
}

async function palette(page, title) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(title);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
}

/** Picks the code action matching `title` in the open light-bulb menu, with the keyboard. */
async function pickAction(page, title) {
    await page.locator('.action-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
    for (let i = 0; i < 12; i++) {
        const focused = await page.locator('.action-widget .monaco-list-row.focused').innerText().catch(() => '');
        if (title.test(focused)) {
            break;
        }
        await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
}

/**
 * Waits for a validation verdict (up to the validation timeout), screenshots it when named,
 * fails unless it passed, and clears the notifications.
 */
async function passedVerdict(page, asked, screenshot) {
    const verdict = page.locator('.notifications-toasts .notification-toast', { hasText: /tfmend: validation/ });
    await verdict.first().waitFor({ timeout: VALIDATION_TIMEOUT_MS });
    await verdict.first().locator('.monaco-button', { hasText: 'Show Output' }).waitFor();
    await settled(page);
    const text = (await verdict.first().innerText()).replace(/\s+/g, ' ').trim();
    log(`validation notification (${asked}):`, text);
    if (screenshot) {
        await shot(page, screenshot);
    }
    if (!/validation passed/.test(text)) {
        throw new Error(`validation (${asked}) did not pass: ${text}`);
    }
    await dismissToasts(page);
}

/** Lets the verdict's toast finish sliding in and the progress toast go, for the screenshot. */
async function settled(page) {
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: 'validating the fix' });
    await progress.first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
    await sleep(400);
}

/** Hides the notification toasts, so that the next one looked for is a new one. */
async function dismissToasts(page) {
    await page.keyboard.press('Escape');
    await palette(page, 'Notifications: Clear All Notifications');
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
}

async function goTo(page, line, column = 1) {
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
}

async function openFile(page, name) {
    // On a loaded machine the first Quick Open can lose its Enter to a list still filling, and a
    // notebook's editor waits for its serializer's extension: try again rather than fail.
    for (let attempt = 1; ; attempt++) {
        try {
            await page.keyboard.press('Control+P');
            await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
            await page.keyboard.type(name);
            await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
            await page.keyboard.press('Enter');
            await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 30000 });
            return;
        } catch (error) {
            if (attempt === 3) {
                throw error;
            }
            log(`opening ${name} failed (${error.message.split('\n')[0]}); trying again`);
            await page.keyboard.press('Escape');
        }
    }
}

async function waitDisk(file, want, timeout = 15000) {
    const end = Date.now() + timeout;
    let got = '';
    while (Date.now() < end) {
        got = fs.readFileSync(file, 'utf8');
        if (got === want) {
            return;
        }
        await sleep(100);
    }
    throw new Error(`${file} on disk:\n${got}\n--- expected:\n${want}`);
}

async function fullScenario(page) {
    // 1. diagnostics in the Problems panel, server state in the status bar
    await openFile(page, FILE);
    await page.keyboard.press('Control+Shift+M');
    await waitProblems(page, FILE, (n) => n >= 2, 'no diagnostics', 60000);
    log('Problems panel:', await problemsText(page));
    const status = page.locator('.statusbar-item', { hasText: /tfmend · TF \d+\.\d+/ });
    await status.first().waitFor({ timeout: 30000 });
    log('status bar:', (await status.first().innerText()).trim());
    await shot(page, '1-problems.png');

    // 2. a quick fix from the light-bulb menu
    await page.click('.editor-instance .view-line >> nth=0');
    await goTo(page, FIRST_LINE, 12);
    await page.keyboard.press('Control+.');
    const fixRow = QUICK_FIX;
    await page.locator('.action-widget .monaco-list-row', { hasText: fixRow }).first().waitFor({ state: 'visible' });
    log('quick fixes offered:', (await page.locator('.action-widget').innerText()).replace(/\s+/g, ' '));
    await shot(page, '2-quick-fix.png');
    await pickAction(page, fixRow);
    await waitEditor(page, (t) => (t.match(/\bK\./g) ?? []).length === 1, 'the quick fix was not applied');
    log('quick fix applied');
    await waitProblems(page, FILE, (n) => n === 1, 'the fixed problem is still listed');

    // 3. validate the remaining fix at the cursor; the verdict comes as a notification
    // F8 (Go to Next Problem) puts the cursor on the remaining finding, wherever the quick
    // fix's new import moved it; Escape closes the problem peek.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('F8');
    await page.waitForSelector('.marker-widget', { state: 'visible' });
    await page.keyboard.press('Escape');
    await palette(page, 'tfmend: Validate Fix at Cursor');
    await passedVerdict(page, 'palette', '3-validate.png');

    // 3b. the same from the light bulb: "Validate this fix" shows its verdict the same way
    await page.keyboard.press('Control+.');
    await pickAction(page, /Validate this fix/);
    await passedVerdict(page, 'light bulb', '3-validate-light-bulb.png');

    // 4. Fix All from the Command Palette
    await palette(page, 'tfmend: Fix All in File');
    await waitEditor(page, (t) => !/\bK\./.test(t), 'Fix All did not fix the file');
    await waitProblems(page, FILE, (n) => n === 0, 'problems left after Fix All');
    log('Fix All applied; no problems left');
    await shot(page, '4-fix-all.png');

    // 5. save and compare the file on disk
    await page.click('.editor-instance .view-line >> nth=0');
    await page.keyboard.press('Control+S');
    await waitDisk(path.join(WORKSPACE, FILE), EXPECTED);
    log('saved; the file on disk is the expected one');

    // 6. a second file, fixed by editor.codeActionsOnSave (source.fixAll.tfmend)
    await openFile(page, SECOND_FILE);
    await waitProblems(page, SECOND_FILE, (n) => n >= 1, 'no diagnostics');
    await page.click('.editor-instance .view-line >> nth=0');
    await page.keyboard.press('Control+S');
    await waitDisk(path.join(WORKSPACE, SECOND_FILE), SECOND_EXPECTED);
    log('codeActionsOnSave fixed', SECOND_FILE);
    await shot(page, '5-fix-on-save.png');

    // 7. a notebook: the cell that uses a name imported in another cell gets the finding
    await openFile(page, NOTEBOOK);
    await waitProblems(page, NOTEBOOK, (n) => n >= 1, 'no diagnostics for the notebook', 30000);
    log('notebook problems:', await problemsText(page));
    // the quick fix from the light bulb in the third cell: it edits two cells (the import
    // in the first, the call in the third)
    await page.locator('.notebook-editor .cell-editor-container .view-line', { hasText: 'K.max' }).first().click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget .monaco-list-row', { hasText: QUICK_FIX }).first().waitFor({ state: 'visible' });
    await sleep(300);
    await shot(page, '6-notebook.png');
    // the palette's commands with the focus in the notebook, not in a cell's editor (Escape
    // leaves the menu, then the cell editor): they work on the focused cell's notebook
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await palette(page, 'tfmend: Validate Fix at Cursor');
    await passedVerdict(page, 'notebook');
    await palette(page, 'tfmend: Fix All in File');
    await waitProblems(page, NOTEBOOK, (n) => n === 0, 'the notebook problem is still listed');
    await page.keyboard.press('Control+S');
    const end = Date.now() + 15000;
    let cells = [];
    while (Date.now() < end) {
        try {
            cells = JSON.parse(fs.readFileSync(path.join(WORKSPACE, NOTEBOOK), 'utf8')).cells.map((c) =>
                Array.isArray(c.source) ? c.source.join('') : c.source,
            );
        } catch {
            cells = []; // caught while VS Code writes it: read it again
        }
        if (JSON.stringify(cells) === JSON.stringify(NOTEBOOK_EXPECTED)) {
            break;
        }
        await sleep(100);
    }
    if (JSON.stringify(cells) !== JSON.stringify(NOTEBOOK_EXPECTED)) {
        throw new Error(`${NOTEBOOK} on disk: ${JSON.stringify(cells)}; expected ${JSON.stringify(NOTEBOOK_EXPECTED)}`);
    }
    log('notebook quick fix applied across cells and saved:', JSON.stringify(cells));

    // 8. an interpreter without tfmend: restart on the setting change, first-run message
    const settingsFile = path.join(WORKSPACE, '.vscode', 'settings.json');
    const settings = fs.readFileSync(settingsFile, 'utf8');
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(settings), 'tfmend.interpreter': [BARE_PYTHON] }, null, 2));
    const missing = page.locator('.notifications-toasts .notification-toast', { hasText: 'tfmend is not installed' });
    await missing.first().waitFor({ timeout: 30000 });
    const install = missing.first().locator('.monaco-button', { hasText: 'Install tfmend' });
    await install.waitFor();
    await sleep(400);
    log('not installed:', (await missing.first().innerText()).replace(/\s+/g, ' ').trim());
    await page.locator('.statusbar-item', { hasText: 'tfmend', hasNotText: /TF \d/ }).first().waitFor();
    await shot(page, '7-not-installed.png');
    // "Install tfmend": what works for an externally-managed Python, and no pip into it
    await install.click();
    const picker = page.locator('.quick-input-widget');
    await picker.locator('.monaco-list-row', { hasText: 'From a wheel file' }).first().waitFor();
    await sleep(300);
    const placeholder = (await picker.locator('.quick-input-title').first().innerText()).trim();
    const items = (await picker.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const offered = `${placeholder} | ${items.join(' | ')}`;
    log('Install tfmend offers:', offered);
    if (!/PEP 668/.test(placeholder) || !items.some((t) => t.startsWith('Into a new .venv in the project')) || items.some((t) => / with pip\b/.test(t))) {
        throw new Error(`Install tfmend offered: ${offered}`);
    }
    await shot(page, '7-install.png');
    await page.keyboard.press('Escape');
    // "tfmend: Select Interpreter" without the Python extension: a typed path, written to the
    // workspace's settings, and the server runs again with it
    const good = JSON.parse(settings)['tfmend.interpreter'][0];
    await palette(page, 'tfmend: Select Interpreter');
    await picker.locator('.monaco-list-row', { hasText: 'Enter interpreter path' }).first().waitFor();
    await sleep(300);
    const choices = (await picker.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    const pickTitle = (await picker.locator('.quick-input-title').first().innerText()).trim();
    log('Select Interpreter offers:', pickTitle, '|', choices.join(' | '));
    if (!/written to this workspace's settings/.test(pickTitle)) {
        throw new Error(`Select Interpreter does not write to the workspace: ${pickTitle}`);
    }
    await shot(page, '10-select-interpreter.png');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Enter interpreter path' }).first().click();
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.press('Control+A');
    await page.keyboard.type(good);
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: /tfmend · TF \d+\.\d+/ }).first().waitFor({ timeout: 30000 });
    const written = JSON.parse(fs.readFileSync(settingsFile, 'utf8'))['tfmend.interpreter'];
    if (JSON.stringify(written) !== JSON.stringify([good])) {
        throw new Error(`Select Interpreter wrote ${JSON.stringify(written)} to ${settingsFile}`);
    }
    log('Select Interpreter wrote', JSON.stringify(written), 'to the workspace settings: the server runs again');
    await dismissToasts(page);
    // unsafe fixes off for step 9
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(settings), 'tfmend.unsafeFixes': false }, null, 2));
    await sleep(1000); // the restart on the setting change
    await page.locator('.statusbar-item', { hasText: /tfmend · TF \d+\.\d+/ }).first().waitFor({ timeout: 30000 });

    // 9. Fix All from the palette applies the safe fix and says what unsafe one it left
    fs.writeFileSync(path.join(WORKSPACE, 'third.py'), MIXED);
    await openFile(page, 'third.py');
    await waitProblems(page, 'third.py', (n) => n >= 3, 'fewer than 3 diagnostics in third.py');
    // one row per finding (no "bound here" rows), removed = error, changed = warning
    await sleep(500);
    const rows = await page.$$eval('.markers-panel .monaco-list-row', (rs) => rs.map((r) => r.getAttribute('aria-label') ?? ''));
    log('third.py problem rows:', JSON.stringify(rows));
    const argmax = rows.find((r) => /tf\.argmax/.test(r));
    const sqrt = rows.find((r) => /K\.sqrt/.test(r));
    if ((await fileProblems(page, 'third.py')) !== 3 || !/^Warning/.test(argmax ?? '') || !/^Error/.test(sqrt ?? '')) {
        throw new Error(`third.py's problems: ${JSON.stringify(rows)}`);
    }
    await palette(page, 'tfmend: Fix All in File');
    const summary = page.locator('.notifications-toasts .notification-toast', { hasText: 'Fix All applied the safe fixes' });
    await summary.first().waitFor({ timeout: 30000 });
    await sleep(400);
    const summaryText = (await summary.first().innerText()).replace(/\s+/g, ' ').trim();
    log('Fix All summary:', summaryText);
    if (!/left 1 unsafe fix .* and 1 finding with no automatic fix: validate it .*by hand/.test(summaryText)) {
        throw new Error(`Fix All summary: ${summaryText}`);
    }
    await waitEditor(page, (t) => !/K\.sqrt/.test(t) && /tf\.argmax\(x, 1, "best"\)/.test(t) && /K\.get_session/.test(t), 'Fix All did not apply only the safe fix');
    await shot(page, '9-fix-all-summary.png');

    // 9b. Validate Fix at Cursor where there is no fix: one answer, as information
    await dismissToasts(page);
    await goTo(page, 16, 12);
    await palette(page, 'tfmend: Validate Fix at Cursor');
    const answer = page.locator('.notifications-toasts .notification-toast', { hasText: 'nothing to validate' });
    await answer.first().waitFor({ timeout: 30000 });
    await sleep(1000); // a second toast would come at once
    const answers = await answer.count();
    const icon = (await answer.first().locator('.notification-list-item-icon').getAttribute('class')) ?? '';
    log('no fix here:', answers, 'toast(s), icon', icon, '-', (await answer.first().innerText()).replace(/\s+/g, ' '));
    if (answers !== 1 || !/codicon-info\b/.test(icon)) {
        throw new Error(`validating where there is no fix: ${answers} toasts, icon ${icon}`);
    }
    // 9c. a selection of lines 8-12: the progress names them, the verdict says what ran
    await dismissToasts(page);
    await goTo(page, 8, 1);
    for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Shift+ArrowDown');
    }
    await palette(page, 'tfmend: Validate Fix at Cursor');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'validating the fixes in lines 8-12' })
        .first().waitFor({ timeout: 30000 });
    log('selection: the progress names lines 8-12');
    await passedVerdict(page, 'selection');
}

/**
 * Cold start: the file opened as soon as the window shows its folder, then the time to the
 * first squiggle, printed as one `COLDSTART` line of milliseconds for benchmarks/.
 */
async function coldStartScenario(page, navigated) {
    const loaded = Date.now();
    await openFile(page, FILE);
    const opened = Date.now();
    await page.waitForSelector('.editor-instance .view-overlays [class*="squiggly-"]', { timeout: 60000 });
    const squiggled = Date.now();
    console.log(
        `COLDSTART ${JSON.stringify({ window: loaded - navigated, open: opened - loaded, squiggle: squiggled - opened, total: squiggled - navigated })}`,
    );
}

/**
 * Restricted Mode: diagnostics and fixes work, validation (which runs code) does not: the
 * light-bulb menu has no "Validate this fix" and the palette command explains why.
 */
async function untrustedScenario(page, userSettings) {
    // no interpreter in the user settings, none with tfmend outside the workspace
    const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });
    const nothing = toast('nothing is checked');
    await nothing.first().waitFor({ timeout: 60000 });
    await nothing.first().locator('.monaco-button', { hasText: 'Open User Settings' }).waitFor();
    await sleep(400);
    const problem = (await nothing.first().innerText()).replace(/\s+/g, ' ').trim();
    log('Restricted Mode, no interpreter:', problem);
    if (!/Restricted Mode ignores this workspace's "tfmend.interpreter" and turns off validating fixes/.test(problem)) {
        throw new Error(`the message does not explain Restricted Mode: ${problem}`);
    }
    await shot(page, '8-untrusted-nothing.png');

    // the user settings name an interpreter: the server lints with it, the stale message goes
    // through the editor, as a user would (code-server does not notice a write to the file)
    await palette(page, 'Preferences: Open User Settings (JSON)');
    await page.waitForSelector('.tab.active[aria-label*="settings.json"]', { timeout: 30000 });
    await page.click('.editor-instance .view-line >> nth=0');
    await page.keyboard.press('Control+A');
    // one setting a line, unindented: the editor indents each line itself
    const text = JSON.stringify({ ...userSettings, 'tfmend.interpreter': [env('USER_INTERPRETER')] })
        .replace(/^\{/, '{\n')
        .replace(/,"/g, ',\n"')
        .replace(/\}$/, '\n}');
    await page.keyboard.insertText(text);
    await page.keyboard.press('Control+Shift+End'); // a closing brace the editor added
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    const notice = toast('Problems and fixes still work');
    await notice.first().waitFor({ timeout: 60000 });
    await sleep(400);
    await shot(page, '8-untrusted.png'); // the notice, over the user settings that name the interpreter
    const noticeText = (await notice.first().innerText()).replace(/\s+/g, ' ').trim();
    log('Restricted Mode notice:', noticeText);
    if (!noticeText.includes(`with ${env('USER_INTERPRETER')} (from your user settings)`)) {
        throw new Error(`the notice does not name the user's interpreter: ${noticeText}`);
    }
    if ((await nothing.count()) !== 0) {
        throw new Error('the stale "nothing is checked" message is still shown');
    }
    await openFile(page, FILE);
    await page.keyboard.press('Control+Shift+M');
    await waitProblems(page, FILE, (n) => n >= 2, 'no diagnostics in Restricted Mode', 60000);
    log('Problems panel (Restricted Mode):', await problemsText(page));
    await page.click('.editor-instance .view-line >> nth=0');
    await goTo(page, FIRST_LINE, 12);
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget .monaco-list-row', { hasText: QUICK_FIX }).first().waitFor({ state: 'visible' });
    const menu = (await page.locator('.action-widget').innerText()).replace(/\s+/g, ' ');
    log('quick fixes offered (Restricted Mode):', menu);
    if (/Validate this fix/.test(menu)) {
        throw new Error(`validation is offered in Restricted Mode: ${menu}`);
    }
    await page.keyboard.press('Escape');
    await palette(page, 'tfmend: Validate Fix at Cursor');
    const refusal = page.locator('.notifications-toasts .notification-toast', { hasText: 'untrusted workspace' });
    await refusal.first().waitFor({ timeout: 30000 });
    await refusal.first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor();
    await sleep(400);
    log('validation refused:', (await refusal.first().innerText()).replace(/\s+/g, ' ').trim());
    await shot(page, '8-untrusted-refused.png');

    // trust the folder: the server restarts with the workspace's settings, validation is back
    await refusal.first().locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).click();
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ });
    await trust.first().waitFor({ timeout: 30000 });
    await trust.first().click();
    log('trusted the folder');
    await page.click(`.tab[aria-label*="${FILE}"]`);
    await page.waitForSelector(`.tab.active[aria-label*="${FILE}"]`);
    const status = page.locator('.statusbar-item', { hasText: /tfmend · TF \d+\.\d+/ });
    await status.first().waitFor({ timeout: 60000 });
    const end = Date.now() + 60000;
    let trustedMenu = '';
    while (Date.now() < end) {
        await page.click('.editor-instance .view-line >> nth=0');
        await goTo(page, FIRST_LINE, 12);
        await page.keyboard.press('Control+.');
        // the server restarts on trust: until it runs again the menu may be empty
        const row = page.locator('.action-widget .monaco-list-row', { hasText: QUICK_FIX }).first();
        if (await row.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) {
            trustedMenu = (await page.locator('.action-widget').innerText()).replace(/\s+/g, ' ');
        }
        await page.keyboard.press('Escape');
        if (/Validate this fix/.test(trustedMenu)) {
            break;
        }
        await sleep(1000);
    }
    if (!/Validate this fix/.test(trustedMenu)) {
        throw new Error(`validation is not offered after trusting the folder: ${trustedMenu}`);
    }
    await status.first().hover();
    const tooltip = page.locator('.monaco-hover, .custom-hover', { hasText: 'tfmend server: running' });
    await tooltip.first().waitFor({ timeout: 15000 });
    const tip = (await tooltip.first().innerText()).replace(/\s+/g, ' ');
    log('status tooltip after trusting:', tip);
    if (/Restricted Mode/.test(tip) || !tip.includes(`Interpreter: ${env('USER_INTERPRETER')}`)) {
        throw new Error(`stale status tooltip: ${tip}`);
    }
}

async function main() {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfmend-vscode-'));
    const userData = path.join(tmp, 'user-data');
    const extensionsDir = path.join(tmp, 'extensions');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    const userSettingsFile = path.join(userData, 'User', 'settings.json');
    const userSettings = {
        'workbench.startupEditor': 'none',
        'workbench.colorTheme': 'Default Light Modern',
        'security.workspace.trust.enabled': UNTRUSTED,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'workbench.enableExperiments': false,
        'workbench.tips.enabled': false,
        'files.autoSave': 'off',
        'editor.minimap.enabled': false,
        'chat.disableAIFeatures': true,
        'window.commandCenter': false,
    };
    // In Restricted Mode the user settings name no interpreter at first (untrustedScenario
    // adds one).
    fs.writeFileSync(userSettingsFile, JSON.stringify(userSettings, null, 2));
    // Everything code-server and Chromium write stays in tmp.
    const childEnv = {
        ...process.env,
        HOME: path.join(tmp, 'home'),
        XDG_CONFIG_HOME: path.join(tmp, 'config'),
        XDG_DATA_HOME: path.join(tmp, 'data'),
        XDG_CACHE_HOME: path.join(tmp, 'cache'),
    };
    const common = ['--extensions-dir', extensionsDir, '--user-data-dir', userData];
    execFileSync(CODE_SERVER, [...common, '--install-extension', VSIX], { env: childEnv, stdio: 'pipe' });
    log('installed:', execFileSync(CODE_SERVER, [...common, '--list-extensions', '--show-versions'], { env: childEnv }).toString().trim());

    const port = await freePort();
    const codeServer = spawn(
        CODE_SERVER,
        [
            ...common,
            '--auth', 'none',
            '--bind-addr', `127.0.0.1:${port}`,
            '--disable-telemetry',
            '--disable-update-check',
            ...(UNTRUSTED ? [] : ['--disable-workspace-trust']),
            '--disable-getting-started-override',
            WORKSPACE,
        ],
        { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let codeServerLog = '';
    codeServer.stdout.on('data', (d) => (codeServerLog += d));
    codeServer.stderr.on('data', (d) => (codeServerLog += d));
    const url = `http://127.0.0.1:${port}`;

    let browser;
    let page;
    try {
        await waitHttp(`${url}/healthz`, 30000);
        log('code-server up on', url);
        browser = await chromium.launch({
            executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
            headless: true,
            env: childEnv,
            args: [
                '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--disable-dev-shm-usage',
            ],
        });
        page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
        page.setDefaultTimeout(30000);
        const navigated = Date.now();
        await page.goto(`${url}/?folder=${encodeURIComponent(WORKSPACE)}`);
        await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
        if (UNTRUSTED) {
            // the trust prompt for the folder: answer as a careful user would
            const no = page.locator('.monaco-dialog-box .monaco-button', { hasText: "No, I don't trust the authors" });
            await no.waitFor({ timeout: 60000 });
            await no.click();
            log('answered the trust prompt: not trusted (Restricted Mode)');
        }
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
        log('workbench loaded');

        if (UNTRUSTED) {
            await untrustedScenario(page, userSettings);
        } else if (SCENARIO === 'coldstart') {
            await coldStartScenario(page, navigated);
        } else {
            await fullScenario(page);
        }
        log('PASS');
    } catch (e) {
        process.exitCode = 1;
        log('FAIL:', e.message);
        if (page) {
            await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') }).catch(() => undefined);
            const output = await page.locator('.notifications-toasts').innerText().catch(() => '');
            if (output) {
                console.log('--- notifications ---\n' + output);
            }
        }
        console.log('--- code-server log (tail) ---\n' + codeServerLog.split('\n').slice(-40).join('\n'));
    } finally {
        if (browser) {
            await browser.close();
        }
        // Extension host logs, including the tfmend output channel, for the test's report.
        const logs = path.join(userData, 'logs');
        if (fs.existsSync(logs)) {
            fs.cpSync(logs, path.join(ARTIFACTS, 'code-server-logs'), { recursive: true });
        }
        try {
            process.kill(-codeServer.pid, 'SIGTERM'); // our own process group (detached)
        } catch {
            // already gone
        }
        await sleep(500);
        if (!process.env.KEEP) {
            fs.rmSync(tmp, { recursive: true, force: true });
        } else {
            log('kept', tmp);
        }
    }
}

await main();
