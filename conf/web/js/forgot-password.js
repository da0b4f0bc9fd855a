// /forgot-password: the link of the "failed sign-ins" mail.
import {newMailForm} from '/assets/account.js';

newMailForm(document.getElementById('forgot-form'), 'forgot-status',
            '/auth/forgot-password');
