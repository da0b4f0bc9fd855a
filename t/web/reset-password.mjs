// t/152: the reset mail's link, opened: a new password is set through the
// page (a mismatch caught first), then its log-in form signs in with it.
import {browse, textOf} from './harness.mjs';

await browse({}, async ({page, args, check}) => {
    await page.goto(args.url);
    await page.waitForSelector('#reset-form', {visible: true});
    await page.type('#reset-form [name=password]', args.password);
    await page.type('#reset-form [name=confirm]', args.password + 'x');
    await page.click('#reset-form button');
    await page.waitForSelector('#result[data-kind="error"]');
    check(/differ/.test(await textOf(page, '#result')),
          'two different passwords are caught on the page');

    await page.$eval('#reset-form [name=confirm]', (e) => { e.value = ''; });
    await page.type('#reset-form [name=confirm]', args.password);
    await page.click('#reset-form button');
    await page.waitForSelector('#result[data-kind="ok"]');
    check(/password is changed/.test(await textOf(page, '#result')),
          'the password is changed', await textOf(page, '#result'));

    await page.waitForSelector('#login-form', {visible: true});
    await page.type('#login-form [name=email]', args.email);
    await page.type('#login-form [name=password]', args.password);
    await page.click('#login-form button');
    await page.waitForSelector('#signin-status[data-kind]');
    const signed = await textOf(page, '#signin-status');
    check(signed === 'Signed in as ' + args.email + '.',
          'the new password logs in', signed);
});
