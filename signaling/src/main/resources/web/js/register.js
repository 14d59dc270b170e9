import { api, saveLogin, nextPath, show, header } from './api.js';

header();
const notice = document.getElementById('notice');
const form = document.getElementById('form');
document.getElementById('to-login').href = '/login.html' + location.search;
form.elements.email.focus();

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  try {
    await api('POST', '/api/register', { email, name: form.elements.name.value.trim(), password }, { auth: false });
    saveLogin(await api('POST', '/api/login', { email, password }, { auth: false }));
    location.assign(nextPath('/'));
  } catch (err) {
    show(notice, err.code === 'email-taken' ? 'An account with this email already exists. Log in instead.'
      : err.message);
    button.disabled = false;
  }
});
