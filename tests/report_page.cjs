// Opens a `tfmend report` HTML file in headless Debian Chromium (playwright-core, from
// vscode-client's npm dependencies) and prints, as one JSON object, what the page shows: its
// figures, tables, chart bars, links, and every request it tried to make beyond the file itself.
// Usage: node tests/report_page.cjs REPORT.html SCREENSHOT.png  (NODE_PATH: vscode-client/node_modules)
'use strict';
const { chromium } = require('playwright-core');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

async function main() {
    const [report, screenshot] = process.argv.slice(2);
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 1250 } });
        const url = pathToFileURL(path.resolve(report)).href;
        const requests = [];
        await page.route('**/*', (route) => {
            const target = route.request().url();
            if (target === url) {
                return route.continue();
            }
            requests.push(target);
            return route.abort();
        });
        const errors = [];
        page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
        await page.goto(url, { waitUntil: 'load' });
        const shown = await page.evaluate(() => {
            const number = (el) => Number.parseInt(el.textContent.trim(), 10);
            const rows = (selector) =>
                [...document.querySelectorAll(`${selector} tr[data-key], ${selector} tr[data-path], ${selector} tr[data-kind]`)].map((tr) => ({
                    key: tr.dataset.key ?? tr.dataset.path ?? tr.dataset.kind,
                    cells: [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()),
                }));
            const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
                label: svg.getAttribute('aria-label'),
                height: svg.getBoundingClientRect().height,
                bars: [...svg.querySelectorAll('g.bar')].map((g) => ({
                    key: g.dataset.key,
                    count: number(g.querySelector('text.count')),
                    segments: [...g.querySelectorAll('rect.seg')].map((r) => ({
                        kind: r.dataset.kind,
                        count: Number(r.dataset.count),
                        width: r.getBoundingClientRect().width,
                    })),
                })),
                segments: [...svg.querySelectorAll(':scope > rect.seg')].map((r) => ({
                    kind: r.dataset.kind,
                    count: Number(r.dataset.count),
                    width: r.getBoundingClientRect().width,
                })),
            }));
            return {
                title: document.title,
                metrics: Object.fromEntries(
                    [...document.querySelectorAll('[data-metric]')].map((el) => [el.dataset.metric, number(el)]),
                ),
                fields: Object.fromEntries(
                    [...document.querySelectorAll('[data-field]')].map((el) => [el.dataset.field, el.innerText.trim()]),
                ),
                kinds: rows('table.kinds'),
                directories: rows('table.directories'),
                families: rows('table.families'),
                codes: rows('table.codes'),
                files: rows('table.files'),
                manual: [...document.querySelectorAll('tr.manual-item')].map((tr) => ({
                    where: tr.querySelector('a.source').innerText.trim(),
                    source: tr.querySelector('a.source').href,
                    code: tr.querySelector('a.rule').innerText.trim(),
                    rule: tr.querySelector('a.rule').href,
                })),
                charts,
                text: document.body.innerText,
            };
        });
        if (screenshot) {
            // The first screen: the header, the totals and the charts (the docs show it).
            await page.screenshot({ path: screenshot });
        }
        process.stdout.write(JSON.stringify({ ...shown, requests, errors }) + '\n');
    } finally {
        await browser.close();
    }
}

main().catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
