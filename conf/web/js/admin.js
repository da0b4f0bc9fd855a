// The operator console (/admin) on the admin API: sign in as an admin,
// then sources (health, next check, last error; add or edit with a dry
// run first; run now), the scrape-log feed, users, stats with charts and
// the dead letters.  The tokens live in sessionStorage (api.js); a 401
// anywhere ends the session and comes back to the sign-in form.
import {api, ApiError, session, show} from '/assets/api.js';
import {barChart, lineChart, stackedBars} from '/assets/admin-charts.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['sources', 'logs', 'users', 'stats', 'dead'];

// --- small DOM helpers ------------------------------------------------------

// el('li', {class: 'card'}, 'text', child, ...): text is always text
function el(tag, attrs = {}, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) {
            continue;
        }
        if (k.startsWith('on')) {
            n.addEventListener(k.slice(2), v);
        } else if (k === 'dataset') {
            Object.assign(n.dataset, v);
        } else {
            n.setAttribute(k, v === true ? '' : String(v));
        }
    }
    n.append(...children.flat().filter((c) => c !== null && c !== undefined)
                 .map((c) => (c instanceof Node ? c : String(c))));
    return n;
}

function facts(pairs) {
    return el('dl', {class: 'facts'},
              pairs.filter(Boolean).flatMap(([k, v]) => [el('dt', {}, k),
                                                         el('dd', {}, v)]));
}

function badge(text, kind) {
    return el('span', {class: 'badge', 'data-kind': kind}, text);
}

// "3 min ago", "in 2 h", with the exact time on hover and for readers
function when(iso, none = 'never') {
    if (!iso) {
        return none;
    }
    const t = new Date(iso);
    const s = Math.round((t - Date.now()) / 1000);
    const a = Math.abs(s);
    const n = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min`
        : a < 172800 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
    return el('time', {datetime: t.toISOString(), title: t.toISOString()},
              s < 0 ? `${n} ago` : `in ${n}`);
}

function hide(id) {
    $(id).hidden = true;
}

// a button's work: disabled while it runs, so a double click sends once
async function busy(button, work) {
    button.disabled = true;
    try {
        return await work();
    } finally {
        button.disabled = false;
    }
}

// --- the session --------------------------------------------------------------

function claims(token) {
    try {
        const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        return JSON.parse(atob(part));
    } catch {
        return {};
    }
}

// A new pair for the session's refresh token, or false.  One at a time:
// a refresh token sent twice is taken for a stolen one (every session
// of the account is revoked), so parallel calls share the one renewal.
let renewal = null;

function renew() {
    const tokens = session.get();
    if (!tokens?.refresh_token) {
        return Promise.resolve(false);
    }
    renewal ??= api('POST', '/auth/refresh',
                    {body: {refresh_token: tokens.refresh_token}, token: false})
        .then((pair) => {
            // signed out meanwhile: the new pair is nobody's, so revoked
            if (session.get()?.refresh_token !== tokens.refresh_token) {
                api('POST', '/auth/logout', {token: pair.access_token})
                    .catch(() => {});
                return false;
            }
            session.set(pair);
            return true;
        }, () => false)
        .finally(() => {
            renewal = null;
        });
    return renewal;
}

// every call of the console: on a 401 the session is renewed once, and
// when it cannot be, it ends (back to the sign-in form)
async function call(method, path, opts) {
    const sent = session.get()?.access_token;
    try {
        return await api(method, path, opts);
    } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 401) {
            throw e;
        }
        if (session.get()?.access_token !== sent || await renew()) {
            try {
                return await api(method, path, opts);
            } catch (again) {
                if (!(again instanceof ApiError) || again.status !== 401) {
                    throw again;
                }
            }
        }
        if (session.get()) {
            signedOut('Your session has ended: sign in again.');
        }
        throw e;
    }
}

function message(e) {
    if (!(e instanceof ApiError)) {
        return String(e.message ?? e);
    }
    return e.field ? `${e.message} (${e.field})` : e.message;
}

// a failed call's message in the status line ID (a 401 has gone to sign-in)
function failed(id, e) {
    if (e instanceof ApiError && e.status === 401) {
        return;
    }
    show(id, 'error', message(e));
}

function signedOut(why) {
    session.clear();
    $('console').hidden = true;
    $('whoami').hidden = true;
    $('signin').hidden = false;
    if (why) {
        show('signin-status', 'error', why);
    }
    $('signin-email').focus();
}

function signedIn() {
    $('whoami-email').textContent = '';
    call('GET', '/users/me').then((me) => {
        $('whoami-email').textContent = me.email;
    }, () => {});
    $('whoami').hidden = false;
    $('signin').hidden = true;
    hide('signin-status');
    $('console').hidden = false;
    route();
}

$('signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const email = $('signin-email').value.trim();
    const password = $('signin-password').value;
    if (!email || !password) {
        show('signin-status', 'error', 'Enter your e-mail and password.');
        return;
    }
    await busy($('signin-submit'), async () => {
        try {
            const tokens = await api('POST', '/auth/login',
                                     {body: {email, password}, token: false});
            if (claims(tokens.access_token).role !== 'admin') {
                show('signin-status', 'error',
                     'This account is not an admin: the console is for operators.');
                return;
            }
            session.set(tokens);
            $('signin-password').value = '';
            signedIn();
        } catch (e) {
            show('signin-status', 'error', message(e));
        }
    });
});

$('sign-out').addEventListener('click', async () => {
    const tokens = session.get();
    session.clear();
    if (tokens) {
        // the server forgets the session too; signed out here whatever it says
        api('POST', '/auth/logout', {token: tokens.access_token}).catch(() => {});
    }
    signedOut();
    show('signin-status', 'info', 'Signed out.');
});

// --- views ----------------------------------------------------------------------

const loaders = {};

function route() {
    if (!session.get()) {
        signedOut();
        return;
    }
    const name = VIEWS.includes(location.hash.slice(1))
        ? location.hash.slice(1) : 'sources';
    for (const v of VIEWS) {
        $('view-' + v).hidden = v !== name;
    }
    for (const a of document.querySelectorAll('nav.tabs a')) {
        if (a.dataset.view === name) {
            a.setAttribute('aria-current', 'page');
        } else {
            a.removeAttribute('aria-current');
        }
    }
    loaders[name]();
}

window.addEventListener('hashchange', route);

// a keyset list: first page (replace) or the next (append); an answer
// to an older request (a search typed over a loading list) is dropped
function pager(listId, moreId, statusId, path, render, empty) {
    let next = null;
    let latest = 0;
    const load = async (more) => {
        const sep = path().includes('?') ? '&' : '?';
        const url = more ? `${path()}${sep}cursor=${encodeURIComponent(next)}`
                         : path();
        const mine = ++latest;
        const list = $(listId);
        list.setAttribute('aria-busy', 'true');
        try {
            const page = await call('GET', url);
            if (mine !== latest) {
                return;
            }
            const items = page.items.map(render);
            if (more) {
                list.append(...items);
            } else {
                list.replaceChildren(...items);
            }
            // how many times it was filled: a test waits for the next
            list.dataset.loads = Number(list.dataset.loads ?? 0) + 1;
            next = page.next_cursor;
            $(moreId).hidden = !next;
            if (!more && !page.items.length) {
                show(statusId, 'info', empty);
            } else {
                hide(statusId);
            }
        } catch (e) {
            failed(statusId, e);
        } finally {
            if (mine === latest) {
                list.removeAttribute('aria-busy');
            }
        }
    };
    $(moreId).addEventListener('click', () => load(true));
    return load;
}

// --- sources --------------------------------------------------------------------

let adapters = [];
let editing = null;     // the source being edited, or null for a new one

function sourcesPath() {
    const q = new URLSearchParams({limit: '50'});
    if ($('sources-health').value) {
        q.set('health', $('sources-health').value);
    }
    if ($('sources-active').value) {
        q.set('active', $('sources-active').value);
    }
    return '/admin/sources?' + q;
}

function sourceCard(src) {
    const kind = {healthy: 'ok', degraded: 'warn', failing: 'error'}[src.health_status];
    const out = el('div', {class: 'card-out', 'aria-live': 'polite'});
    const title = `${src.company.name} · ${src.scraper_class}`;
    return el('li', {class: 'card', dataset: {sourceId: src.id}},
        el('h2', {class: 'card-title'}, title, ' ',
           src.is_active ? badge(src.health_status, kind)
                         : badge('inactive', 'muted')),
        facts([
            ['URL', el('span', {class: 'url'}, src.source_url)],
            ['Next check', src.is_active
                ? when(src.polling?.next_check_at, 'due now') : 'not scheduled'],
            ['Last run', when(src.last_scraped_at)],
            ['Failures in a row', String(src.consecutive_failures)],
            src.last_error && ['Last error', el('span', {class: 'error-text'},
                                                 src.last_error)],
        ]),
        el('div', {class: 'actions'},
           el('button', {type: 'button', class: 'secondary',
                         'aria-label': `Edit ${title}`,
                         onclick: () => openEditor(src)}, 'Edit'),
           el('button', {type: 'button', 'aria-label': `Run ${title} now`,
                         onclick: (ev) => runNow(ev.currentTarget, src, out)},
              'Run now'),
           el('button', {type: 'button', class: 'secondary',
                         'aria-label': `Jobs of ${src.company.name}`,
                         onclick: (ev) => showJobs(ev.currentTarget, src, out)},
              'Jobs'),
           el('a', {href: '#logs', class: 'button-link',
                    onclick: () => { logSource = src; }}, 'Runs')),
        out);
}

const loadSources = pager('sources-list', 'sources-more', 'sources-status',
                          sourcesPath, sourceCard, 'No source matches.');

async function runNow(button, src, out) {
    await busy(button, async () => {
        try {
            const t = await call('POST', `/admin/sources/${src.id}/scrape`);
            out.replaceChildren(el('p', {class: 'status', 'data-kind': 'ok'},
                `Queued (task ${t.task_id}): the scrape log shows the run.`));
        } catch (e) {
            out.replaceChildren(el('p', {class: 'status', 'data-kind': 'error'},
                                   message(e)));
        }
    });
}

async function showJobs(button, src, out) {
    await busy(button, async () => {
        try {
            const page = await call('GET',
                `/companies/${encodeURIComponent(src.company.slug)}/jobs?limit=20`);
            out.replaceChildren(
                el('p', {class: 'muted'}, page.items.length
                   ? `${src.company.name}'s newest active jobs:`
                   : `${src.company.name} has no active job.`),
                el('ul', {class: 'jobs source-jobs'}, page.items.map((j) =>
                    el('li', {}, el('strong', {}, j.title),
                       j.location ? ` · ${j.location}` : ''))));
        } catch (e) {
            out.replaceChildren(el('p', {class: 'status', 'data-kind': 'error'},
                                   message(e)));
        }
    });
}

async function loadCatalogues() {
    if (!adapters.length) {
        adapters = (await call('GET', '/admin/adapters')).items;
        $('source-class').replaceChildren(...adapters.map(
            (a) => el('option', {value: a.name}, a.name)));
    }
    // every active company, page after page
    const companies = [];
    let cursor = null;
    do {
        const page = await call('GET', '/admin/companies?limit=100&active=true'
                                + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
        companies.push(...page.items);
        cursor = page.next_cursor;
    } while (cursor);
    $('source-company').replaceChildren(
        ...companies.map((c) => el('option', {value: c.id}, c.name)),
        el('option', {value: 'new'}, 'A new company…'));
}

// the source's own company among the choices, even when it is inactive
function companyOption(company) {
    const options = [...$('source-company').options];
    if (!options.some((o) => o.value === company.id)) {
        $('source-company').prepend(
            el('option', {value: company.id}, `${company.name} (inactive)`));
    }
}

function adapterHelp() {
    const a = adapters.find((x) => x.name === $('source-class').value);
    if (!a) {
        $('source-class-help').replaceChildren();
        return;
    }
    $('source-class-help').replaceChildren(
        el('p', {}, a.description ?? ''),
        el('ul', {class: 'small'}, (a.keys ?? []).map((k) => el('li', {},
            el('code', {}, k.name), ` (${k.type}${k.required ? ', required' : ''})`,
            k.description ? `: ${k.description}` : '',
            k.keys?.length ? ` Fields: ${k.keys.map((f) => f.name).join(', ')}.`
                           : ''))));
}

function companyChoice() {
    $('source-company-name-label').hidden = $('source-company').value !== 'new';
}

// the form emptied at once, filled (and its buttons usable) once the
// companies and adapters are in: never a save of the previous source's
async function openEditor(src) {
    editing = src;
    hide('source-form-status');
    hide('source-preview');
    $('source-form').reset();
    $('source-save').disabled = $('source-test').disabled = true;
    $('source-editor-title').textContent = src
        ? `Edit ${src.company.name} · ${src.scraper_class}` : 'Add a source';
    $('source-editor').hidden = false;
    try {
        await loadCatalogues();
    } catch (e) {
        failed('source-form-status', e);
        return;
    }
    if (editing !== src) {
        return;     // another source was opened meanwhile
    }
    if (src) {
        companyOption(src.company);
    }
    $('source-company').value = src ? src.company.id
        : $('source-company').options[0].value;
    $('source-company-name').value = '';
    $('source-class').value = src ? src.scraper_class : 'html';
    $('source-url').value = src ? src.source_url : '';
    $('source-config').value = JSON.stringify(src ? src.config : {}, null, 2);
    $('source-priority').value = src ? src.priority : 'normal';
    $('source-interval').value = src?.scrape_interval_seconds ?? '';
    companyChoice();
    adapterHelp();
    $('source-save').disabled = $('source-test').disabled = false;
    $('source-editor').scrollIntoView();
    $('source-company').focus();
}

function closeEditor() {
    $('source-editor').hidden = true;
    editing = null;
    $('source-add').focus();
}

// the form as the API takes it, or a message naming the field at fault
function sourceForm() {
    let config;
    try {
        config = JSON.parse($('source-config').value || '{}');
    } catch (e) {
        return {error: 'Config is not JSON: ' + e.message, field: 'source-config'};
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
        return {error: 'Config must be a JSON object.', field: 'source-config'};
    }
    if (!$('source-url').value.trim()) {
        return {error: 'Enter the URL.', field: 'source-url'};
    }
    const company = $('source-company').value;
    if (!company) {
        return {error: 'Choose the company.', field: 'source-company'};
    }
    if (company === 'new' && !$('source-company-name').value.trim()) {
        return {error: "Enter the new company's name.", field: 'source-company-name'};
    }
    const body = {scraper_class: $('source-class').value,
                  source_url: $('source-url').value.trim(), config,
                  priority: $('source-priority').value};
    const interval = $('source-interval').value;
    body.scrape_interval_seconds = interval === '' ? null : Number(interval);
    return {body, company};
}

function formError(text, field) {
    show('source-form-status', 'error', text);
    if (field) {
        $(field).focus();
    }
}

$('source-test').addEventListener('click', async (ev) => {
    const f = sourceForm();
    if (f.error) {
        formError(f.error, f.field);
        return;
    }
    const body = {scraper_class: f.body.scraper_class,
                  source_url: f.body.source_url, config: f.body.config,
                  max_pages: Number($('source-pages').value) || 1};
    if (f.company !== 'new') {
        body.company_id = f.company;
    }
    show('source-form-status', 'info', 'Testing: jobscoutd reads the board…');
    await busy(ev.currentTarget, async () => {
        try {
            preview(await call('POST', '/admin/sources/test', {body}));
            hide('source-form-status');
        } catch (e) {
            failed('source-form-status', e);
        }
    });
});

function preview(r) {
    const jobs = r.jobs ?? [];
    $('source-preview-summary').replaceChildren(r.ok
        ? `${jobs.length} job${jobs.length === 1 ? '' : 's'} would be saved`
          + ` (${r.duration_ms} ms).`
        : el('span', {class: 'error-text'}, `The test failed: ${r.error}`));
    $('source-preview-jobs').replaceChildren(...jobs.map((j) => el('li', {},
        el('strong', {class: 'job-title'}, j.title),
        j.location ? ` · ${j.location}` : '',
        j.employment_type ? ` · ${j.employment_type}` : '',
        j.apply_url ? el('div', {class: 'url small'}, j.apply_url) : null)));
    $('source-preview-pages').replaceChildren(...(r.pages ?? []).map((p) =>
        el('li', {class: 'url'}, `${p.status ?? '-'} ${p.url} (${p.bytes ?? 0} bytes,`
           + ` ${p.duration_ms ?? 0} ms)${p.error ? ': ' + p.error : ''}`)));
    $('source-preview-warnings').replaceChildren(...(r.warnings ?? []).map(
        (w) => el('li', {}, typeof w === 'string' ? w : JSON.stringify(w))));
    $('source-preview').hidden = false;
}

$('source-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = sourceForm();
    if (f.error) {
        formError(f.error, f.field);
        return;
    }
    await busy($('source-save'), async () => {
        try {
            let company = f.company;
            if (company === 'new') {
                company = (await call('POST', '/admin/companies',
                    {body: {name: $('source-company-name').value.trim()}})).id;
            }
            const body = {...f.body, company_id: company};
            const saved = editing
                ? await call('PATCH', `/admin/sources/${editing.id}`, {body})
                : await call('POST', '/admin/sources', {body});
            closeEditor();
            show('sources-status', 'ok',
                 `Saved: ${saved.company.name} · ${saved.scraper_class}.`);
            await loadSources(false);
        } catch (e) {
            failed('source-form-status', e);
        }
    });
});

$('source-add').addEventListener('click', () => openEditor(null));
$('source-cancel').addEventListener('click', closeEditor);
$('source-class').addEventListener('change', adapterHelp);
$('source-company').addEventListener('change', companyChoice);
$('sources-refresh').addEventListener('click', () => loadSources(false));
$('sources-health').addEventListener('change', () => loadSources(false));
$('sources-active').addEventListener('change', () => loadSources(false));
loaders.sources = () => loadSources(false);

// --- the scrape log -----------------------------------------------------------

let logSource = null;   // the source whose runs are shown, or null: all

function logsPath() {
    const q = new URLSearchParams({limit: '50'});
    if ($('logs-status').value) {
        q.set('status', $('logs-status').value);
    }
    if (logSource) {
        q.set('source', logSource.id);
    }
    return '/admin/scrape-logs?' + q;
}

function logCard(l) {
    const kind = {success: 'ok', partial: 'warn', failed: 'error'}[l.status];
    return el('li', {class: 'card log', dataset: {logId: l.id}},
        el('h2', {class: 'card-title'},
           `${l.source?.company_slug ?? l.source_id} · ${l.source?.scraper_class ?? ''} `,
           badge(l.status ?? 'running', kind)),
        facts([
            ['Started', when(l.started_at)],
            ['Trigger', l.trigger],
            ['Jobs', `found ${l.jobs_found ?? 0}, new ${l.new_jobs ?? 0},`
                     + ` updated ${l.updated_jobs ?? 0}, expired ${l.expired_jobs ?? 0}`],
            ['Took', l.duration_ms === null ? 'running'
                     : `${l.duration_ms} ms, ${l.pages ?? 0} page(s)`],
            l.error_message && ['Error', el('span', {class: 'error-text'},
                                            l.error_message)],
        ]));
}

const loadLogs = pager('logs-list', 'logs-more', 'logs-status-line', logsPath,
                       logCard, 'No run yet.');

loaders.logs = () => {
    $('logs-source').hidden = !logSource;
    $('logs-all').hidden = !logSource;
    if (logSource) {
        $('logs-source').textContent =
            `Runs of ${logSource.company.name} · ${logSource.scraper_class}`;
    }
    return loadLogs(false);
};
$('logs-refresh').addEventListener('click', () => loadLogs(false));
$('logs-status').addEventListener('change', () => loadLogs(false));
$('logs-all').addEventListener('click', () => {
    logSource = null;
    loaders.logs();
});

// --- users ------------------------------------------------------------------------

function usersPath() {
    const q = new URLSearchParams({limit: '50'});
    for (const [k, id] of [['q', 'users-q'], ['admin', 'users-admin'],
                           ['active', 'users-active']]) {
        const v = $(id).value.trim();
        if (v) {
            q.set(k, v);
        }
    }
    return '/admin/users?' + q;
}

function userCard(u) {
    const card = el('li', {class: 'card', dataset: {userId: u.id}});
    const act = (verb, label) => el('button', {
        type: 'button', class: verb === 'disable' || verb === 'demote'
            ? 'secondary' : undefined,
        'aria-label': `${label} ${u.email}`,
        onclick: (ev) => busy(ev.currentTarget, async () => {
            try {
                card.replaceWith(userCard(await call('POST',
                    `/admin/users/${u.id}/${verb}`)));
                show('users-status', 'ok', `${u.email}: ${verb}d.`);
            } catch (e) {
                failed('users-status', e);
            }
        }),
    }, label);
    card.append(
        el('h2', {class: 'card-title'}, u.email, ' ',
           u.is_admin ? badge('admin', 'info') : null,
           u.is_active ? null : badge('disabled', 'error'),
           u.email_verified ? null : badge('unverified', 'warn')),
        facts([
            ['Name', u.full_name ?? ''],
            ['Joined', when(u.created_at)],
            ['Last sign-in', when(u.last_login_at)],
            ['Alerts, applications, devices',
             `${u.counts?.alerts ?? 0}, ${u.counts?.applications ?? 0},`
             + ` ${u.counts?.devices ?? 0}`],
        ]),
        el('div', {class: 'actions'},
           u.is_active ? act('disable', 'Disable') : act('enable', 'Enable'),
           u.is_admin ? act('demote', 'Demote') : act('promote', 'Promote')));
    return card;
}

const loadUsers = pager('users-list', 'users-more', 'users-status', usersPath,
                        userCard, 'No user matches.');
$('users-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadUsers(false);
});
loaders.users = () => loadUsers(false);

// --- stats ------------------------------------------------------------------------

function hourLabel(iso) {
    return new Date(iso).toISOString().slice(11, 13) + 'h';
}

async function loadStats() {
    try {
        const s = await call('GET', '/admin/stats');
        const lat = s.push_latency_24h;
        const ms = (v) => (v === null ? '-' : `${v} ms`);
        $('stats-facts').replaceChildren(...facts([
            ['Users', `${s.users.total} (${s.users.verified} verified,`
                      + ` ${s.users.active_7d} active this week,`
                      + ` ${s.users.disabled} disabled, ${s.users.admins} admins)`],
            ['Jobs', `${s.jobs.active} active, ${s.jobs.new_24h} new in 24 h`],
            ['Sources', `${s.sources.healthy} healthy, ${s.sources.degraded}`
                        + ` degraded, ${s.sources.failing} failing,`
                        + ` ${s.sources.inactive} inactive`],
            ['Alerts (24 h)', String(s.alerts_24h.created)],
            ['Pushes (24 h)', `${s.pushes_24h.accepted} accepted,`
                              + ` ${s.pushes_24h.failed} failed`],
            ['Push latency (24 h)', `p50 ${ms(lat.p50_ms)}, p95 ${ms(lat.p95_ms)},`
                                    + ` p99 ${ms(lat.p99_ms)} over ${lat.count}`],
            ['Delayed retries', String(s.delayed)],
            ['Dead letters', String(s.dead_letters)],
        ]).childNodes);
        const hours = s.hourly.map((h) => hourLabel(h.hour));
        barChart($('chart-hourly'), hours,
                 [{name: 'alerts', values: s.hourly.map((h) => h.alerts)},
                  {name: 'pushes', values: s.hourly.map((h) => h.pushes)}],
                 `Alerts and pushes per hour; last hour: `
                 + `${s.hourly.at(-1).alerts} alerts, ${s.hourly.at(-1).pushes} pushes`);
        lineChart($('chart-latency'), hours,
                  [{name: 'p50', values: s.hourly.map((h) => h.push_p50_ms)},
                   {name: 'p95', values: s.hourly.map((h) => h.push_p95_ms)}],
                  `Push latency per hour; 24 hours: p50 ${ms(lat.p50_ms)},`
                  + ` p95 ${ms(lat.p95_ms)}`);
        const queues = Object.entries(s.queues).map(([name, q]) =>
            ({name, values: [q.ready, q.processing]}));
        stackedBars($('chart-queues'), queues, ['ready', 'in process'],
                    'Queue depths: ' + queues.map(
                        (q) => `${q.name} ${q.values.join('/')}`).join(', '));
        hide('stats-status');
    } catch (e) {
        failed('stats-status', e);
    }
}

$('stats-refresh').addEventListener('click', loadStats);
loaders.stats = loadStats;

// --- dead letters -------------------------------------------------------------

function deadCard(d) {
    const card = el('li', {class: 'card', dataset: {taskId: d.id}});
    const done = (text) => {
        card.replaceChildren(el('p', {class: 'status', 'data-kind': 'ok'}, text));
    };
    const del = el('button', {type: 'button', class: 'secondary',
                              'aria-label': `Delete task ${d.id}`}, 'Delete');
    del.addEventListener('click', () => busy(del, async () => {
        if (del.dataset.armed !== 'yes') {
            // a second press deletes: the task is gone for good
            del.dataset.armed = 'yes';
            del.textContent = 'Press again to delete';
            return;
        }
        try {
            await call('DELETE', `/admin/dead-letters/${d.id}`);
            done(`Task ${d.id} deleted.`);
        } catch (e) {
            failed('dead-status', e);
        }
    }));
    card.append(
        el('h2', {class: 'card-title'}, d.kind, ' ',
           badge(`attempt ${d.attempt}`, 'warn')),
        facts([
            ['Task', el('code', {}, d.id)],
            ['Queue', d.queue ?? ''],
            ['Failed', when(d.failed_at ? new Date(d.failed_at).toISOString()
                                        : null)],
            ['Error', el('span', {class: 'error-text'}, d.error ?? '')],
            ['Arguments', el('pre', {}, JSON.stringify(d.args, null, 2))],
        ]),
        el('div', {class: 'actions'},
           el('button', {type: 'button', 'aria-label': `Requeue task ${d.id}`,
                         onclick: (ev) => busy(ev.currentTarget, async () => {
                             try {
                                 await call('POST',
                                     `/admin/dead-letters/${d.id}/requeue`);
                                 done(`Task ${d.id} requeued on ${d.queue}.`);
                             } catch (e) {
                                 failed('dead-status', e);
                             }
                         })}, 'Requeue'),
           del));
    return card;
}

const loadDead = pager('dead-list', 'dead-more', 'dead-status',
                       () => '/admin/dead-letters?limit=50', deadCard,
                       'No dead letter.');
$('dead-refresh').addEventListener('click', () => loadDead(false));
loaders.dead = () => loadDead(false);

// --- start ----------------------------------------------------------------------

if (session.get()) {
    signedIn();
} else {
    signedOut();
}
