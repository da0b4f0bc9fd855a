// t/154: the pages of a job mail's links, in one tab as a person goes:
// the job (after logging in), the alerts, the notification settings, the
// unsubscribe button (and a forged link's refusal: the API's 400 is
// expected), the settings again (e-mails back on), and the "forgot
// password" page of the failed sign-ins mail.
import {browse, textOf} from './harness.mjs';

await browse({expectStatus: [400]}, async ({page, base, args, check}) => {
    const status = async (sel) => {
        await page.waitForSelector(sel + '[data-kind]');
        return {kind: await page.$eval(sel, (e) => e.dataset.kind),
                text: await textOf(page, sel)};
    };

    await page.goto(args.jobUrl);
    await page.waitForSelector('#login-form', {visible: true});
    await page.type('#login-form [name=email]', args.email);
    await page.type('#login-form [name=password]', args.password);
    await page.click('#login-form button');
    await page.waitForSelector('#job', {visible: true});
    check(await textOf(page, '#job-title') === args.title,
          "the mail's job link shows the job, once logged in",
          await textOf(page, '#job-title'));
    check(await textOf(page, '#job-company') === args.company,
          '... with its company');

    await page.goto(base + '/alerts');
    await page.waitForSelector('#alerts a');
    const hrefs = await page.$$eval('#alerts a', (as) => as.map((a) => a.pathname));
    check(hrefs.includes(new URL(args.jobUrl).pathname),
          '/alerts lists the alert, linking to the job', hrefs.join(' '));

    await page.goto(base + '/settings/notifications');
    await page.waitForSelector('#settings-form', {visible: true});
    check(await page.$eval('#settings-form [name=email]', (e) => e.checked),
          'the settings show e-mails on');

    await page.goto(args.unsubscribeUrl);
    const button = await page.waitForSelector('#unsubscribe-form button',
                                              {visible: true});
    check(true, 'opening the unsubscribe link only offers the button');
    await button.click();
    const done = await status('#result');
    check(done.kind === 'ok' && done.text.includes(args.email),
          'the button unsubscribes the address', done.text);

    // a link whose signature is refused: said so, and no button left
    const forged = new URL(args.unsubscribeUrl);
    forged.searchParams.set('token', '0'.repeat(32)
        + forged.searchParams.get('token').slice(32));
    await page.goto(forged.href);
    await (await page.waitForSelector('#unsubscribe-form button',
                                      {visible: true})).click();
    const refused = await status('#result');
    check(refused.kind === 'error' && /not valid/.test(refused.text)
          && await page.$eval('#unsubscribe-form', (f) => f.hidden),
          'a forged link: not valid, and the button goes', refused.text);

    await page.goto(base + '/settings/notifications');
    await page.waitForSelector('#settings-form', {visible: true});
    check(!await page.$eval('#settings-form [name=email]', (e) => e.checked),
          'the settings now show e-mails off');
    await page.click('#settings-form [name=email]');
    await page.select('#settings-form [name=email_digest]', 'daily');
    await page.click('#settings-form button');
    const saved = await status('#result');
    check(saved.kind === 'ok', 'e-mails back on, daily: saved', saved.text);

    await page.goto(base + '/forgot-password');
    await page.type('#newlink-form [name=email]', args.email);
    await page.click('#newlink-form button');
    const sent = await status('#newlink-status');
    check(/on its way/.test(sent.text), '/forgot-password asks for a link',
          sent.text);
});
