// /settings/notifications: push and e-mail alerts on or off, and how
// often alert e-mails come (PATCH /users/me, preferences.notifications).
import {api, ApiError, show} from '/assets/api.js';
import {withSession} from '/assets/account.js';

const form = document.getElementById('settings-form');

function fill(me) {
    const n = me.preferences?.notifications ?? {};
    form.elements.push.checked = n.push ?? true;
    form.elements.email.checked = n.email ?? false;   // off unless chosen
    form.elements.email_digest.value = n.email_digest ?? 'instant';
    document.getElementById('settings-who').textContent =
        'Signed in as ' + me.email + '.';
}

form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
        fill(await api('PATCH', '/users/me', {body: {preferences: {
            notifications: {
                push: form.elements.push.checked,
                email: form.elements.email.checked,
                email_digest: form.elements.email_digest.value,
            },
        }}}));
        show('result', 'ok', 'Saved.');
    } catch (e) {
        if (!(e instanceof ApiError)) {
            throw e;
        }
        show('result', 'error', 'Not saved: ' + e.message + '.');
    } finally {
        button.disabled = false;
    }
});

await withSession(async (me) => {
    fill(me);
    form.hidden = false;
});
