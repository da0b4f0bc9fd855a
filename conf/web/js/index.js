// The landing page: the server's readiness at a glance.
import {api, ApiError, show} from '/assets/api.js';

function fill(ready) {
    const checks = ready.checks ?? {};
    document.getElementById('check-database').textContent = checks.database ?? '?';
    document.getElementById('check-redis').textContent = checks.redis ?? '?';
    document.getElementById('check-scrapers').textContent =
        checks.scrapers_failing ?? 'unknown';
    document.getElementById('check-time').textContent = ready.timestamp ?? '';
    document.getElementById('checks').hidden = false;
}

try {
    fill(await api('GET', '/health/ready'));
    show('health', 'ok', 'Ready: every check passed.');
} catch (e) {
    if (!(e instanceof ApiError)) {
        throw e;
    }
    if (e.data?.checks) {
        fill(e.data);
    }
    show('health', 'error', 'Not ready: ' + e.message);
}
