// What the pages behind the mails' links share: the token of the address,
// what a refused one means to the user, and the log-in form.
import {api, ApiError, session, show} from '/assets/api.js';

// the address's ?token=, when it has the form of one (64 hex digits)
export function linkToken() {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    return /^[0-9a-fA-F]{64}$/.test(token) ? token : null;
}

// The user's words for an error of the API.  NEWLINK says how to get
// a fresh link, for the refusals a fresh link cures.
export function explain(e, newLink) {
    if (!(e instanceof ApiError)) {
        throw e;
    }
    switch (e.code) {
    case 'token_expired':
        return 'This link has expired. ' + newLink;
    case 'token_used':
        return 'This link was used already, or a newer mail replaced it. '
               + newLink;
    case 'invalid_token':
        return 'This link is not valid: check that the whole address was '
               + 'opened, or ' + newLink.charAt(0).toLowerCase()
               + newLink.slice(1);
    case 'rate_limited':
        return 'Too many attempts from here: ' + e.message + '.';
    default:
        return 'Something went wrong: ' + e.message + '.';
    }
}

// Runs FORM (a <form> with email and password inputs) as a log-in: on
// success the session holds the tokens and onSignedIn gets GET /users/me.
export function loginForm(form, statusId, onSignedIn) {
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const button = form.querySelector('button');
        button.disabled = true;
        try {
            session.set(await api('POST', '/auth/login', {
                body: {email: form.elements.email.value,
                       password: form.elements.password.value},
                token: false,
            }));
            onSignedIn(await api('GET', '/users/me'));
        } catch (e) {
            if (!(e instanceof ApiError)) {
                throw e;
            }
            show(statusId, 'error', e.code === 'invalid_credentials'
                ? 'Wrong e-mail address or password.'
                : 'Not signed in: ' + e.message + '.');
        } finally {
            button.disabled = false;
        }
    });
}

// Runs FORM (one email input) as a request for a new mail by POST PATH.
export function newMailForm(form, statusId, path) {
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
            await api('POST', path,
                      {body: {email: form.elements.email.value}, token: false});
            show(statusId, 'ok', 'If that address has an account, a new '
                 + 'mail is on its way: follow its link.');
        } catch (e) {
            show(statusId, 'error', explain(e, ''));
        }
    });
}

// A page for signed-in users: RENDER(me) runs at once with this tab's
// session, else (or when the session is refused) after the log-in form of
// the page (#signin, #login-form, #signin-status) signs the user in.
export async function withSession(render) {
    const signin = document.getElementById('signin');
    const run = async (me) => {
        signin.hidden = true;
        await render(me);
    };
    loginForm(document.getElementById('login-form'), 'signin-status', run);
    if (session.get()) {
        try {
            await run(await api('GET', '/users/me'));
            return;
        } catch (e) {
            if (!(e instanceof ApiError) || e.status !== 401) {
                throw e;
            }
            session.clear();
        }
    }
    signin.hidden = false;
}
