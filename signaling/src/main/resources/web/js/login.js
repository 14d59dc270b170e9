import { api, saveLogin, nextPath, show, takeNotice, header, el } from './api.js';

const notice = document.getElementById('notice');
const form = document.getElementById('form');

// Back from the organisation's sign-in service: a login token (or why there is none) in the fragment, which no
// server ever sees. It is kept, the fragment dropped from the address bar and history, and we go on.
const back = new URLSearchParams(location.hash.slice(1));
history.replaceState(null, '', location.pathname + location.search);
if (back.get('token')) {
  signedIn(back.get('token'));
} else {
  header();
  const pending = back.get('error') || takeNotice();
  if (pending) show(notice, pending, 'error');
  offerProviders();
}

async function signedIn(token) {
  try {
    const user = await api('GET', '/api/me', undefined, { token, auth: false });
    saveLogin({ token, user });
    location.replace(nextPath('/'));
  } catch (err) {
    header();
    show(notice, err.message, 'error');
  }
}

/** "Sign in with …" for each configured provider; without passwords (oidc-only) the form goes. */
async function offerProviders() {
  let info;
  try {
    info = await api('GET', '/api/auth/providers', undefined, { auth: false });
  } catch {
    return;
  }
  const box = document.getElementById('providers');
  for (const p of info.providers || []) {
    box.append(el('a', { class: 'button', id: 'sign-in-' + p.id,
      href: p.start + '?next=' + encodeURIComponent(nextPath('/')), text: 'Sign in with ' + p.name }));
  }
  if (info.passwords === false) {
    form.classList.add('hidden');
    document.getElementById('register-hint').classList.add('hidden');
  }
}
document.getElementById('to-register').href = '/register.html' + location.search;
form.elements.email.focus();

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const login = await api('POST', '/api/login',
      { email: form.elements.email.value.trim(), password: form.elements.password.value }, { auth: false });
    saveLogin(login);
    location.assign(nextPath('/'));
  } catch (err) {
    show(notice, err.code === 'invalid-credentials' ? 'Wrong email or password.' : err.message);
    button.disabled = false;
  }
});
