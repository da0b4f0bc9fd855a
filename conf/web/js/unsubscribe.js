// /unsubscribe?token=...: a job mail's "no more of these e-mails" link.
// Opening the page changes nothing (a link scanner opens it too): the
// button POSTs the signed token to the API.
import {api, ApiError, show} from '/assets/api.js';

const form = document.getElementById('unsubscribe-form');
const token = new URLSearchParams(location.search).get('token');

if (!token || !/^[0-9a-f]{32}[A-Za-z0-9_-]+$/.test(token)) {
    show('result', 'error', 'This link is not valid: check that the whole '
         + 'address was opened.');
} else {
    form.hidden = false;
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        form.querySelector('button').disabled = true;
        try {
            const done = await api('POST', '/unsubscribe?token='
                                   + encodeURIComponent(token), {token: false});
            form.hidden = true;
            show('result', 'ok', 'Done: no more job e-mails to '
                 + done.email + '.');
            document.getElementById('settings-link').hidden = false;
        } catch (e) {
            if (!(e instanceof ApiError)) {
                throw e;
            }
            // a refused link or a gone account is final: no button to retry
            form.hidden = e.code === 'invalid_token' || e.status === 404;
            show('result', 'error', e.code === 'invalid_token'
                ? 'This link is not valid: check that the whole address '
                  + 'was opened.'
                : e.status === 404
                ? 'No account has this address any more: nothing is sent '
                  + 'to it.'
                : 'Not done: ' + e.message + '. Try again.');
        } finally {
            form.querySelector('button').disabled = false;
        }
    });
}
