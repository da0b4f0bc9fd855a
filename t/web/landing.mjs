// t/150: the landing page says what the service is, shows /health/ready's
// answer, and links to the docs and the console.
import {browse, textOf} from './harness.mjs';

await browse({}, async ({page, base, check}) => {
    const res = await page.goto(base + '/', {waitUntil: 'networkidle0'});
    check(res.status() === 200, '/ answers 200', res.status());
    check(await page.title() === 'Job Scout', 'its title');
    const health = await page.waitForSelector('#health[data-kind]');
    const kind = await health.evaluate((e) => e.dataset.kind);
    check(kind === 'ok', 'health at a glance: ready',
          await textOf(page, '#health'));
    check(await textOf(page, '#check-database') === 'ok',
          '... the database check');
    check(await textOf(page, '#check-redis') === 'ok', '... the Redis check');
    const links = await page.$$eval('nav a', (as) => as.map((a) => a.pathname));
    check(links.includes('/docs') && links.includes('/admin'),
          'links to /docs and /admin', links.join(' '));
});
