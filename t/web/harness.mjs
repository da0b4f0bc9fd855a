// The browser tests' side in node: one headless Chromium (Debian's) driven
// by puppeteer-core (conf/web/node_modules), one page, and what the page
// did wrong collected as it runs.  A test script:
//
//   import {browse} from './harness.mjs';
//   await browse({expectStatus: [410]}, async ({page, base, args, check}) => {
//       await page.goto(base + '/');
//       check(await page.title() === 'Job Scout', 'the title');
//   });
//
// prints one JSON line per check ({"check": name, "ok": bool, "diag": ...}),
// then {"problems": [...]}: every console error, uncaught exception, CSP
// violation and failed request of the page (a "Failed to load resource"
// for a status listed in expectStatus excepted: an API's refusal the test
// provokes), then {"screenshot": path}.  JobScout::Browser (t/lib) runs it
// and turns those lines into TAP.
//
// Environment (set by JobScout::Browser): WEB_BASE_URL, WEB_SCREENSHOT (the
// PNG to write), WEB_ARGS (JSON), JOBSCOUT_WEB_DIR (conf/web), CHROMIUM.
import {createRequire} from 'node:module';

const require = createRequire(process.env.JOBSCOUT_WEB_DIR + '/package.json');
const puppeteer = require('puppeteer-core');

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

export async function browse(options, steps) {
    const expected = new Set(options.expectStatus ?? []);
    const problems = [];
    const browser = await puppeteer.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        // root in a container: no sandbox; the rest keeps Chromium off
        // the network it has not got (updates, sync, field trials)
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
               '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage'],
        timeout: 60000,
        protocolTimeout: 120000,
    });
    let failed = false;
    try {
        const page = await browser.newPage();
        page.setDefaultTimeout(30000);
        await page.setViewport({width: 412, height: 915});   // a phone
        // Chromium reports CSP refusals on the console too; this catches
        // those it does not (a report-only policy, an attribute's style)
        await page.evaluateOnNewDocument(() => {
            document.addEventListener('securitypolicyviolation', (e) => {
                console.error('CSP violation: ' + e.violatedDirective
                              + ' blocked ' + (e.blockedURI || 'inline'));
            });
        });
        page.on('console', (msg) => {
            if (msg.type() !== 'error') {
                return;
            }
            const text = msg.text();
            const m = /status of (\d{3})/.exec(text);
            if (m && /^Failed to load resource/.test(text)
                && expected.has(Number(m[1]))) {
                return;
            }
            problems.push('console: ' + text + ' ('
                          + (msg.location()?.url ?? '') + ')');
        });
        page.on('pageerror', (e) => problems.push('exception: ' + e.message));
        page.on('requestfailed', (req) => {
            problems.push('request failed: ' + req.url() + ' '
                          + (req.failure()?.errorText ?? ''));
        });
        const check = (ok, name, diag) => {
            emit({check: name, ok: Boolean(ok),
                  ...(ok || diag === undefined ? {} : {diag: String(diag)})});
            return Boolean(ok);
        };
        try {
            await steps({
                page, check,
                base: process.env.WEB_BASE_URL,
                args: JSON.parse(process.env.WEB_ARGS || '{}'),
            });
        } catch (e) {
            failed = true;
            emit({check: 'the steps ran to the end', ok: false,
                  diag: e.stack ?? String(e)});
        }
        const path = process.env.WEB_SCREENSHOT;
        if (path) {
            await page.screenshot({path, fullPage: options.fullPage ?? true});
        }
        emit({problems});
        emit({screenshot: path ?? null});
    } finally {
        await browser.close();
    }
    process.exitCode = failed ? 1 : 0;
}

// the text of the first element matching SELECTOR once it has some
export async function textOf(page, selector) {
    await page.waitForFunction(
        (s) => document.querySelector(s)?.textContent.trim(), {}, selector);
    return page.$eval(selector, (e) => e.textContent.trim());
}

// hand VALUES (a plain object) back to the Perl test (JobScout::Browser)
export function values(obj) {
    emit({values: obj});
}
