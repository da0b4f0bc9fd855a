// /forgot-password: the link of the "failed sign-ins" mail.
import {newMailForm} from '/assets/account.js';

document.getElementById('newlink').hidden = false;
newMailForm(document.getElementById('newlink-form'), 'newlink-status',
            '/auth/forgot-password');
