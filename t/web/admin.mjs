// t/155: the operator console (/admin) on a phone-sized screen (390x844),
// as an operator uses it: signs in (with the keyboard), finds a degraded
// source and its last error, adds an html
// source for the fixture board after a dry run that lists its jobs,
// saves it, runs it now, sees the run in the scrape log and the jobs it
// found; finds a user, promotes and disables them; requeues a dead
// letter; reads the stats' charts; signs out; and a session the server
// no longer takes (401) comes back to the sign-in form.  Every view: no
// horizontal overflow, a label on every control.  A screenshot per step
// beside the harness's last one.
import {browse, values} from './harness.mjs';

const EXPECTED_JOBS = ['Branch Manager \u2013 Kisumu', 'Data Scientist',
                       'Ingénieur Réseau', 'M-Pesa Integration Engineer',
                       'Senior Java Developer'];

await browse({expectStatus: [401]}, async ({page, base, args, check}) => {
    await page.setViewport({width: 390, height: 844});
    const shot = (name) => page.screenshot({
        path: process.env.WEB_SCREENSHOT.replace(/\.png$/, `-${name}.png`),
        fullPage: true});

    // the view's width fits the screen, and every control has a name
    const fits = async (what) => {
        const w = await page.evaluate(() => [
            document.documentElement.scrollWidth, window.innerWidth]);
        check(w[0] <= w[1], `${what}: nothing wider than the screen`,
              `${w[0]} > ${w[1]}`);
        const unnamed = await page.evaluate(() => [...document.querySelectorAll(
            'input, select, textarea, button')]
            .filter((c) => c.offsetParent !== null)
            .filter((c) => !(c.labels?.length || c.getAttribute('aria-label')
                             || (c.tagName === 'BUTTON' && c.textContent.trim())))
            .map((c) => c.id || c.outerHTML.slice(0, 60)));
        check(!unnamed.length, `${what}: every control has a label`,
              unnamed.join(', '));
    };
    const visible = (sel) => page.waitForSelector(sel, {visible: true});
    const texts = (sel) => page.$$eval(sel, (es) => es.map(
        (e) => e.textContent.trim()));
    // a list filled again since "before" (its data-loads count)
    const loads = (list) => page.$eval(list, (l) => Number(l.dataset.loads ?? 0));
    const reloaded = (list, before) => page.waitForFunction(
        (l, b) => Number(document.querySelector(l).dataset.loads ?? 0) > b,
        {}, list, before);

    // --- sign in, by keyboard
    const res = await page.goto(base + '/admin', {waitUntil: 'networkidle0'});
    check(res.status() === 200, '/admin answers 200', res.status());
    check(/script-src 'self'/.test(res.headers()['content-security-policy']),
          '... with the strict CSP');
    await visible('#signin-email');
    await fits('sign-in');
    await page.focus('#signin-email');
    await page.keyboard.type(args.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(args.password);
    await page.keyboard.press('Enter');
    await visible('#view-sources');
    check(true, 'signed in with the keyboard: the sources view');
    const stored = await page.evaluate(() => [localStorage.length,
        Boolean(sessionStorage.getItem('jobscout.session'))]);
    check(stored[0] === 0 && stored[1],
          'the tokens are in sessionStorage, nothing in localStorage',
          JSON.stringify(stored));
    await page.waitForFunction(() => document.getElementById('whoami-email')
        .textContent.includes('@'));
    check((await texts('#whoami-email'))[0] === args.email,
          'the header names the operator');

    // --- the sources by health: a degraded one, with its last error
    await page.waitForSelector('#sources-list:not([aria-busy])');
    let listed = await loads('#sources-list');
    await page.select('#sources-health', 'degraded');
    await reloaded('#sources-list', listed);
    const shown = await texts('#sources-list li.card');
    check(shown.length >= 1 && shown.every((t) => /degraded/.test(t)),
          'filtered by health: only degraded sources', shown.join(' | '));
    const sick = shown.find((t) => t.includes(args.degraded)) ?? '';
    check(/Failures in a row\s*2/.test(sick) && /Last run\s*1\d min ago/.test(sick)
          && sick.includes('Last error' + args.degraded_error),
          '... the failures in a row, the last run and the last error', sick);

    // --- its company is inactive: the editor still offers it, a change saves
    const sickCard = `#sources-list li.card[data-source-id="${args.degraded_id}"]`;
    await page.click(`${sickCard} button[aria-label^="Edit"]`);
    await page.waitForSelector('#source-save:not([disabled])');
    const editing = await page.$eval('#source-company', (s) =>
        [s.value, s.selectedOptions[0]?.textContent ?? '']);
    check(editing[0] === args.degraded_company
          && editing[1].endsWith('(inactive)'),
          'edit a source of an inactive company: the form holds its company',
          editing.join(' | '));
    await page.$eval('#source-interval', (i) => { i.value = '7200'; });
    listed = await loads('#sources-list');
    await page.click('#source-save');
    await page.waitForFunction(() => document.getElementById('sources-status')
        .textContent.startsWith('Saved') && document.getElementById(
            'source-editor').hidden);
    await reloaded('#sources-list', listed);
    check(true, '... and a change of it saves');
    listed = await loads('#sources-list');
    await page.select('#sources-health', '');
    await reloaded('#sources-list', listed);

    // --- add a source: the dry run first
    await page.click('#source-add');
    await page.waitForSelector('#source-save:not([disabled])');
    await page.select('#source-company', 'new');
    await visible('#source-company-name');
    await page.type('#source-company-name', args.company);
    await page.select('#source-class', 'html');
    await page.waitForFunction(() => document.getElementById('source-class-help')
        .textContent.includes('list'));
    await page.type('#source-url', args.board + '/careers/');
    await page.$eval('#source-config', (t, c) => { t.value = c; },
                     JSON.stringify(args.config, null, 2));
    await page.$eval('#source-pages', (i) => { i.value = '2'; });
    await fits('the source form');
    await page.click('#source-test');
    await visible('#source-preview');
    await page.waitForSelector('#source-preview-jobs li');
    const preview = (await texts('#source-preview-jobs .job-title')).sort();
    check(JSON.stringify(preview) === JSON.stringify(EXPECTED_JOBS),
          'the dry run lists the fixture\'s five jobs', preview.join(' | '));
    check((await texts('#source-preview-summary'))[0].startsWith(
        '5 jobs would be saved'), '... and says how many would be saved');
    check((await texts('#source-preview-pages li')).length === 2,
          '... from two pages');
    const ours = (titles) => titles.filter((t) => t.includes(args.company));
    check(!ours(await texts('#sources-list .card-title')).length,
          '... and nothing is saved yet');
    await fits('the dry run');
    await shot('dry-run');

    // --- save, run now
    await page.click('#source-save');
    await page.waitForFunction(() => document.getElementById('sources-status')
        .textContent.startsWith('Saved'));
    await page.waitForFunction((c) => [...document.querySelectorAll(
        '#sources-list .card-title')].some((t) => t.textContent.includes(c)),
        {}, args.company);
    const card = ours(await texts('#sources-list li.card .card-title'));
    check(card.length === 1 && card[0].includes('html')
          && card[0].includes('healthy'),
          'saved: the source is listed, with its company and health',
          card.join(' | '));
    const sourceId = await page.$$eval('#sources-list li.card', (lis, c) =>
        lis.find((li) => li.textContent.includes(c)).dataset.sourceId,
        args.company);
    const mine = `#sources-list li.card[data-source-id="${sourceId}"]`;
    const facts = (await texts(`${mine} dl`)).join(' ');
    check(/Next check\s*due now/.test(facts) && /Last run\s*never/.test(facts),
          '... its next check and last run', facts);
    await page.click(`${mine} button[aria-label^="Run"]`);
    await page.waitForFunction((m) => document.querySelector(
        `${m} .card-out`)?.textContent.startsWith('Queued'), {}, mine);
    check(true, 'run now: queued');

    // --- the scrape log (the source's runs): the run appears, new jobs
    await page.click(`${mine} a[href="#logs"]`);
    await visible('#view-logs');
    await page.waitForFunction((c) => document.getElementById('logs-source')
        .textContent.includes(c), {}, args.company);
    let logs = [];
    for (let i = 0; i < 60; i++) {
        logs = await texts('#logs-list li.card');
        if (logs.some((t) => /success/.test(t))) {
            break;
        }
        await new Promise((r) => setTimeout(r, 1000));
        await page.click('#logs-refresh');
    }
    check(logs.length === 1 && /success/.test(logs[0])
          && /found 5, new 5/.test(logs[0]) && /manual/.test(logs[0]),
          'the scrape log shows the manual run: 5 found, 5 new', logs.join(' | '));
    await fits('the scrape log');
    await shot('scrape-log');

    // --- the source's jobs, and its state after the run
    listed = await loads('#sources-list');
    await page.click('nav.tabs a[href="#sources"]');
    await reloaded('#sources-list', listed);
    await page.click(`${mine} button[aria-label^="Jobs"]`);
    await page.waitForSelector(`${mine} .source-jobs li`);
    const jobs = (await texts(`${mine} .source-jobs li strong`)).sort();
    check(JSON.stringify(jobs) === JSON.stringify(EXPECTED_JOBS),
          'the new jobs are listed under the source', jobs.join(' | '));
    const after = (await texts(`${mine} dl`)).join(' ');
    check(!/Last run\s*never/.test(after), '... which has run now', after);
    await fits('the sources');
    await shot('sources');

    // --- edit it: the form holds the source; a change is saved
    await page.click(`${mine} button[aria-label^="Edit"]`);
    await visible('#source-editor');
    await page.waitForSelector('#source-save:not([disabled])');
    check(await page.$eval('#source-url', (i) => i.value)
          === args.board + '/careers/', 'edit: the form holds its URL');
    check(await page.$eval('#source-config', (t) => JSON.parse(t.value).list)
          === 'div.job-card', '... and its config');
    await page.select('#source-priority', 'high');
    await page.click('#source-save');
    await page.waitForFunction(() => document.getElementById('sources-status')
        .textContent.startsWith('Saved') && document.getElementById(
            'source-editor').hidden);
    check(true, '... saved');

    // --- users: search, promote, disable
    await page.click('nav.tabs a[href="#users"]');
    await visible('#users-q');
    await page.type('#users-q', args.user_query);
    await page.keyboard.press('Enter');
    await page.waitForFunction((q) => {
        const titles = [...document.querySelectorAll('#users-list .card-title')];
        return titles.length && titles.every((t) => t.textContent.includes(q));
    }, {}, args.user_query);
    const found = await texts('#users-list .card-title');
    check(found.length === 1 && found[0].startsWith(args.user_email),
          'the search finds the one user', found.join(' | '));
    await page.click(`#users-list button[aria-label="Promote ${args.user_email}"]`);
    await page.waitForSelector(`#users-list button[aria-label="Demote ${args.user_email}"]`);
    check((await texts('#users-list .card-title'))[0].includes('admin'),
          'promoted: the card says admin');
    await page.click(`#users-list button[aria-label="Disable ${args.user_email}"]`);
    await page.waitForSelector(`#users-list button[aria-label="Enable ${args.user_email}"]`);
    check((await texts('#users-list .card-title'))[0].includes('disabled'),
          'disabled: the card says so');
    await fits('the users');
    await shot('users');

    // --- a dead letter, requeued
    await page.click('nav.tabs a[href="#dead"]');
    await page.waitForSelector(`#dead-list li[data-task-id="${args.task_id}"]`);
    const dead = await texts(`#dead-list li[data-task-id="${args.task_id}"]`);
    check(dead[0].includes(args.task_error),
          'the dead letter is listed with its error', dead[0]);
    await fits('the dead letters');
    await page.click(`#dead-list button[aria-label="Requeue task ${args.task_id}"]`);
    await page.waitForFunction(() => /requeued/.test(
        document.getElementById('dead-list').textContent));
    check(true, 'requeued');
    const drop = `#dead-list button[aria-label="Delete task ${args.dropped_id}"]`;
    await page.click(drop);
    check(await page.$eval(drop, (b) => b.textContent) === 'Press again to delete',
          'delete asks to be pressed again');
    await page.waitForSelector(`${drop}:not([disabled])`);
    await page.click(drop);
    await page.waitForFunction((id) => document.getElementById('dead-list')
        .textContent.includes(`Task ${id} deleted.`), {}, args.dropped_id);
    check(true, '... then deletes');
    await shot('dead-letters');

    // --- stats with charts
    await page.click('nav.tabs a[href="#stats"]');
    await page.waitForSelector('#chart-queues svg');
    const charts = await page.$$eval('figure.chart svg', (ss) => ss.map(
        (s) => [s.getAttribute('aria-label'),
                s.querySelectorAll('rect, circle').length]));
    check(charts.length === 3 && charts.every(([label, n]) => label && n > 0),
          'three charts drawn, each described', JSON.stringify(charts));
    const hourBars = await page.$$eval('#chart-hourly rect.series-0',
                                       (rs) => rs.length);
    check(hourBars === 25, '... 24 hours of alerts (and the legend)', hourBars);
    const drawn = await page.evaluate(() => [
        document.querySelector('#chart-hourly svg rect.series-1:last-of-type')
            ?.getAttribute('height'),
        document.querySelectorAll('#chart-latency circle').length]);
    check(Number(drawn[0]) > 0 && drawn[1] >= 2,
          '... this hour\'s pushes drawn, and its latency (p50, p95)',
          JSON.stringify(drawn));
    const figures = (await texts('#stats-facts')).join(' ');
    check(/Sources\s*\d+ healthy/.test(figures)
          && /Push latency \(24 h\)\s*p50 \d+ ms, p95 \d+ ms, p99 \d+ ms over [1-9]/
              .test(figures),
          '... and the figures', figures);
    await fits('the stats');
    await shot('stats');

    // --- a desktop screen: the sources in columns, still within it
    await page.setViewport({width: 1280, height: 800});
    listed = await loads('#sources-list');
    await page.click('nav.tabs a[href="#sources"]');
    await reloaded('#sources-list', listed);
    await fits('the sources on a desktop');
    await shot('desktop');
    await page.setViewport({width: 390, height: 844});
    await page.click('nav.tabs a[href="#stats"]');
    await page.waitForSelector('#view-stats:not([hidden])');

    // --- an access token the server refuses: renewed with the refresh
    // token, and the view loads
    const before = await page.evaluate(() => {
        const t = JSON.parse(sessionStorage.getItem('jobscout.session'));
        sessionStorage.setItem('jobscout.session', JSON.stringify(
            {...t, access_token: 'not.a.token'}));
        return t.refresh_token;
    });
    await page.$eval('#chart-queues', (c) => c.replaceChildren());
    await page.click('#stats-refresh');
    // the token, not the chart: a load begun before may draw the chart
    await page.waitForFunction(() => JSON.parse(sessionStorage.getItem(
        'jobscout.session') ?? 'null')?.access_token !== 'not.a.token');
    await page.waitForSelector('#chart-queues svg');
    const renewed = await page.evaluate(() => ({
        ...JSON.parse(sessionStorage.getItem('jobscout.session')),
        shown: !document.getElementById('console').hidden}));
    check(renewed.access_token !== 'not.a.token'
          && renewed.refresh_token !== before && renewed.shown,
          'a refused access token is renewed once, the console stays');

    // --- signed out while a renewal is on its way (held here): the pair
    // it brings is not kept, and is revoked
    await page.evaluate(() => {
        const t = JSON.parse(sessionStorage.getItem('jobscout.session'));
        sessionStorage.setItem('jobscout.session', JSON.stringify(
            {...t, access_token: 'not.a.token'}));
    });
    const logouts = [];
    let hold;
    const held = new Promise((resolve) => {
        hold = (req) => {
            if (req.url().endsWith('/api/v1/auth/refresh')) {
                resolve(req);
                return;
            }
            if (req.url().endsWith('/api/v1/auth/logout')) {
                logouts.push(req.headers().authorization);
            }
            req.continue();
        };
    });
    await page.setRequestInterception(true);
    page.on('request', hold);
    await page.click('#stats-refresh');
    const refresh = await held;
    await page.click('#sign-out');
    await visible('#signin-form');
    const revoked = page.waitForResponse((r) => r.url().endsWith(
        '/api/v1/auth/logout') && r.status() === 204, {timeout: 10000})
        .catch(() => null);
    await refresh.continue();
    await revoked;
    page.off('request', hold);
    await page.setRequestInterception(false);
    check(await page.evaluate(() => sessionStorage.length === 0
                              && document.getElementById('console').hidden),
          'signed out during a renewal: the tab stays signed out',
          await page.evaluate(() => JSON.stringify(sessionStorage)));
    check(logouts.some((a) => a && a !== 'Bearer not.a.token'),
          '... and the pair the renewal brought is revoked', logouts.join());

    // --- a session the server refuses: back to sign-in
    await page.evaluate(() => sessionStorage.setItem('jobscout.session',
        JSON.stringify({access_token: 'not.a.token', refresh_token: 'x'})));
    await page.reload({waitUntil: 'networkidle0'});
    await page.waitForFunction(() => /sign in again/.test(
        document.getElementById('signin-status').textContent));
    check(await page.evaluate(() => !sessionStorage.getItem('jobscout.session')
                              && document.getElementById('console').hidden),
          'a 401 returns to the sign-in form and forgets the token');

    values({source_id: sourceId});
});
