// /jobs/{id}: the job an alert mail links to, for its signed-in user.
// Scraped text is shown as text, never as HTML.
import {api, ApiError, show} from '/assets/api.js';
import {withSession} from '/assets/account.js';

const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');

function text(elId, value) {
    document.getElementById(elId).textContent = value || '-';
}

await withSession(async () => {
    let job;
    try {
        job = await api('GET', '/jobs/' + encodeURIComponent(id));
    } catch (e) {
        if (!(e instanceof ApiError)) {
            throw e;
        }
        show('result', 'error', e.status === 404 || e.status === 422
            ? 'This job is not (or no longer) listed.'
            : 'The job could not be loaded: ' + e.message + '.');
        return;
    }
    document.title = job.title + ' · Job Scout';
    text('job-title', job.title);
    text('job-company', job.company?.name);
    text('job-where', [job.location, job.location_type].filter(Boolean)
                          .join(' - '));
    text('job-kind', job.employment_type);
    text('job-salary', job.salary_min || job.salary_max
        ? [job.salary_min, job.salary_max].filter(Boolean).join(' - ')
          + ' ' + (job.salary_currency ?? '')
        : '');
    text('job-listed', (job.listed_at ?? job.discovered_at ?? '')
                           .slice(0, 10));
    text('job-description', job.description);
    const apply = document.getElementById('job-apply');
    if (/^https?:\/\//.test(job.apply_url ?? '')) {
        apply.href = job.apply_url;
        apply.hidden = false;
    }
    document.getElementById('job').hidden = false;
});
