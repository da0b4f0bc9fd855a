// t/152: the verification mail's link, opened: the address is verified,
// and the page's log-in form signs the new user in (tokens in
// sessionStorage, nothing in localStorage).
import {browse, textOf} from './harness.mjs';

await browse({}, async ({page, args, check}) => {
    await page.goto(args.url);
    await page.waitForSelector('#result[data-kind]');
    const result = await textOf(page, '#result');
    check(await page.$eval('#result', (e) => e.dataset.kind) === 'ok',
          'the link verifies the address', result);
    check(result.includes(args.email), '... naming it', result);
    const form = await page.waitForSelector('#login-form', {visible: true});
    check(await form.$eval('[name=email]', (e) => e.value) === args.email,
          'the log-in form holds the address');
    await page.type('#login-form [name=password]', args.password);
    await page.click('#login-form button');
    await page.waitForSelector('#signin-status[data-kind]');
    const signed = await textOf(page, '#signin-status');
    check(signed === 'Signed in as ' + args.email + '.',
          'the new account logs in', signed);
    const stored = await page.evaluate(() => ({
        session: Object.keys(sessionStorage),
        local: Object.keys(localStorage),
    }));
    check(stored.session.length === 1 && stored.local.length === 0,
          'tokens in sessionStorage, none in localStorage',
          JSON.stringify(stored));
});
