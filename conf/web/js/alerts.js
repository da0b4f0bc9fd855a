// /alerts: the signed-in user's newest alerts, each linking to its job
// (the "... and N more" of a job mail).
import {api, show} from '/assets/api.js';
import {withSession} from '/assets/account.js';

await withSession(async () => {
    const page = await api('GET', '/alerts?limit=50');
    const list = document.getElementById('alerts');
    list.replaceChildren(...page.items.map((alert) => {
        const item = document.createElement('li');
        const title = alert.job.title + ' at ' + alert.job.company.name
            + (alert.match_score == null ? '' : ' (' + alert.match_score
               + '% match)');
        if (alert.job.id) {
            const link = document.createElement('a');
            link.href = '/jobs/' + encodeURIComponent(alert.job.id);
            link.textContent = title;
            item.append(link);
        } else {
            item.textContent = title;
        }
        return item;
    }));
    list.hidden = false;
    if (page.items.length === 0) {
        show('result', 'info', 'No alerts yet: they come as jobs that match '
             + 'your preferences are found.');
    }
});
