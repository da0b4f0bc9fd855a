// t/151: /docs renders the served OpenAPI description with Swagger UI and
// its "try it out" runs GET /health/ready against this server.
import {browse, textOf} from './harness.mjs';

await browse({fullPage: false}, async ({page, base, check}) => {
    const res = await page.goto(base + '/docs', {waitUntil: 'networkidle0'});
    check(res.status() === 200, '/docs answers 200', res.status());
    await page.waitForSelector('body[data-docs="ready"]');
    const title = await textOf(page, '#swagger-ui .info .title');
    check(/Job Scout/.test(title), 'the reference is rendered', title);
    const ops = await page.$$eval('#swagger-ui .opblock', (els) => els.length);
    check(ops > 50, 'every operation is listed', ops);

    // open GET /health/ready, try it out, execute
    const block = await page.waitForSelector('#operations-health-getReady');
    await (await block.$('.opblock-summary-control')).click();
    const tryIt = await page.waitForSelector(
        '#operations-health-getReady .try-out__btn');
    await tryIt.click();
    const execute = await page.waitForSelector(
        '#operations-health-getReady .execute');
    await execute.click();
    const status = await textOf(page,
        '#operations-health-getReady .live-responses-table .response .response-col_status');
    check(status === '200', 'try it out: GET /health/ready answers 200', status);
    const body = await textOf(page,
        '#operations-health-getReady .live-responses-table .response-col_description pre');
    check(/"status":\s*"ready"/.test(body), '... with the server\'s answer', body);
});
