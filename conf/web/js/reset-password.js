// /reset-password?token=...: the link of the "forgot password" mail.
import {api, ApiError, show} from '/assets/api.js';
import {explain, linkToken, loginForm, newMailForm} from '/assets/account.js';

const NEW_LINK = 'Ask for a new link below.';
const form = document.getElementById('reset-form');

function refused(text) {
    show('result', 'error', text);
    document.getElementById('reset').hidden = true;
    document.getElementById('newlink').hidden = false;
}

loginForm(document.getElementById('login-form'), 'signin-status', (me) => {
    show('signin-status', 'ok', 'Signed in as ' + me.email + '.');
});
newMailForm(document.getElementById('newlink-form'), 'newlink-status',
            '/auth/forgot-password');

const token = linkToken();
if (!token) {
    refused('This link is not valid: check that the whole address was '
            + 'opened, or ask for a new link below.');
} else {
    document.getElementById('reset').hidden = false;
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const password = form.elements.password.value;
        if (password !== form.elements.confirm.value) {
            show('result', 'error', 'The two passwords differ.');
            form.elements.confirm.focus();
            return;
        }
        form.querySelector('button').disabled = true;
        try {
            await api('POST', '/auth/reset-password',
                      {body: {token, password}, token: false});
            show('result', 'ok', 'Your password is changed, and every '
                 + 'session signed out. Log in with the new one.');
            document.getElementById('reset').hidden = true;
            document.getElementById('signin').hidden = false;
        } catch (e) {
            if (e instanceof ApiError && e.code === 'validation_failed') {
                show('result', 'error', 'Choose another password: '
                     + e.message + '.');
                form.elements.password.focus();
            } else {
                refused(explain(e, NEW_LINK));
            }
        } finally {
            form.querySelector('button').disabled = false;
        }
    });
}
