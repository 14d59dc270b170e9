import { api, saveLogin, nextPath, show, takeNotice, header } from './api.js';

header();
const notice = document.getElementById('notice');
const form = document.getElementById('form');
const pending = takeNotice();
if (pending) show(notice, pending, 'error');
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
