// The pages' one way to the API: JSON in and out, the API's errors thrown
// as ApiError (status, code, message, field, data), and the session's tokens kept
// in sessionStorage (gone with the tab), never in localStorage.

const BASE = '/api/v1';
const SESSION_KEY = 'jobscout.session';

export class ApiError extends Error {
    constructor(status, code, message, field, data) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.field = field;
        this.data = data;   // the whole answer, when it was JSON
    }
}

export const session = {
    get() {
        try {
            return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null;
        } catch {
            return null;
        }
    },
    set(tokens) {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify({
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        }));
    },
    clear() {
        sessionStorage.removeItem(SESSION_KEY);
    },
};

// api('POST', '/auth/login', {body: {...}}): the answer's JSON (null when
// it has none); an absolute path ("/health/ready") is taken as it is.
// The session's access token goes along unless token is given (or false).
export async function api(method, path, {body, token} = {}) {
    const headers = {Accept: 'application/json'};
    const init = {method, headers, credentials: 'same-origin'};
    const bearer = token === undefined ? session.get()?.access_token : token;
    if (bearer) {
        headers.Authorization = 'Bearer ' + bearer;
    }
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const url = path.startsWith('/api/') || path.startsWith('/health')
        ? path : BASE + path;
    let res;
    try {
        res = await fetch(url, init);
    } catch {
        throw new ApiError(0, 'unreachable',
                           'The server could not be reached. Try again.');
    }
    const text = await res.text();
    let data = null;
    if (text) {
        try {
            data = JSON.parse(text);
        } catch {
            throw new ApiError(res.status, 'bad_answer',
                               'The server answered something unexpected.');
        }
    }
    if (!res.ok) {
        const e = data?.error ?? {};
        throw new ApiError(res.status, e.code ?? 'http_' + res.status,
                           e.message ?? res.statusText, e.field, data);
    }
    return data;
}

// The query parameter NAME of this page's address, or null.
export function param(name) {
    return new URLSearchParams(location.search).get(name);
}

// Show TEXT in the element with id ID as a status: kind is "ok", "error"
// or "info" (the CSS colours it; role=status/alert is in the page).
export function show(id, kind, text) {
    const el = document.getElementById(id);
    el.dataset.kind = kind;
    el.textContent = text;
    el.hidden = false;
}
