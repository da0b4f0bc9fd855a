// /verify-email?token=...: the link of the mail sent at registration.
import {api, show} from '/assets/api.js';
import {explain, linkToken, loginForm, newMailForm} from '/assets/account.js';

const NEW_LINK = 'Ask for a new link below.';

loginForm(document.getElementById('login-form'), 'signin-status', (me) => {
    show('signin-status', 'ok', 'Signed in as ' + me.email + '.');
});
newMailForm(document.getElementById('newlink-form'), 'newlink-status',
            '/auth/resend-verification');

const token = linkToken();
if (!token) {
    show('result', 'error', 'This link is not valid: check that the whole '
         + 'address was opened, or ask for a new link below.');
    document.getElementById('newlink').hidden = false;
} else {
    try {
        const verified = await api('POST', '/auth/verify-email',
                                   {body: {token}, token: false});
        show('result', 'ok', verified.email + ' is verified. You can log in.');
        document.getElementById('signin').hidden = false;
        document.querySelector('#login-form [name=email]').value =
            verified.email;
    } catch (e) {
        show('result', 'error', explain(e, NEW_LINK));
        // a used link may have been this user's own: they can log in
        document.getElementById('signin').hidden = e.code !== 'token_used';
        document.getElementById('newlink').hidden = false;
    }
}
