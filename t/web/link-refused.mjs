// t/152: a mail's link that can no longer work (expired, used, invalid)
// says so, and offers what helps: args.text (a regex) must match the
// status, args.offer (a selector) must be visible.  A reset link is tried
// when a new password (args.password) is sent.  The API's 400 is expected;
// nothing else may go wrong.
import {browse, textOf} from './harness.mjs';

await browse({expectStatus: [400]}, async ({page, args, check}) => {
    await page.goto(args.url);
    if (args.password) {
        await page.waitForSelector('#reset-form', {visible: true});
        await page.type('#reset-form [name=password]', args.password);
        await page.type('#reset-form [name=confirm]', args.password);
        await page.click('#reset-form button');
    }
    await page.waitForSelector('#result[data-kind]');
    const text = await textOf(page, '#result');
    check(await page.$eval('#result', (e) => e.dataset.kind) === 'error',
          'an error state', text);
    check(new RegExp(args.text).test(text), 'it says: ' + args.text, text);
    check(await page.$(args.offer + ':not([hidden])'),
          'it offers ' + args.offer);
    if (args.resend) {
        // a new link for the address, from the page itself
        await page.type(args.offer + ' [name=email]', args.resend);
        await page.click(args.offer + ' button');
        await page.waitForSelector(args.offer + ' .status[data-kind]');
        check(/on its way/.test(await textOf(page, args.offer + ' .status')),
              'a new link is asked for');
    }
});
