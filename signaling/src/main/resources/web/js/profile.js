import { api, requireLogin, saveUser, saveLogin, show, header, download, el } from './api.js';

if (requireLogin()) {
  header();
  const notice = document.getElementById('notice');
  const nameForm = document.getElementById('name-form');
  const pwForm = document.getElementById('pw-form');

  const me = await api('GET', '/api/me');
  saveUser(me);
  document.getElementById('who').textContent = me.name;
  nameForm.elements.name.value = me.name;

  nameForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const user = await api('PATCH', '/api/me', { name: nameForm.elements.name.value.trim() });
      saveUser(user);
      document.getElementById('who').textContent = user.name;
      show(notice, 'Your name is saved.', 'ok');
    } catch (err) {
      show(notice, err.message);
    }
  });

  pwForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const res = await api('PATCH', '/api/me', {
        currentPassword: pwForm.elements.currentPassword.value, password: pwForm.elements.password.value });
      // A password change revokes every older token; the answer carries the new one.
      const { token: fresh, expiresAt, ...user } = res;
      if (fresh) saveLogin({ token: fresh, user });
      pwForm.reset();
      show(notice, 'Your password is changed. Other devices must log in again.', 'ok');
    } catch (err) {
      show(notice, err.status === 403 ? 'The current password is wrong.' : err.message);
    }
  });

  const { rooms } = await api('GET', '/api/rooms?closed=true'); // closed rooms keep their reports
  const roomList = document.getElementById('rooms');
  const reportList = document.getElementById('reports');
  if (!rooms.length) roomList.append(el('li', { class: 'muted', text: 'No rooms yet.' }));
  for (const room of rooms) {
    roomList.append(el('li', {},
      el('a', { href: '/r/' + room.id, class: 'grow', text: room.name }),
      el('span', { class: 'muted', text: (room.closed ? 'closed · ' : '') + 'limit ' + room.maxParticipants +
        (room.lobby ? ' · lobby' : '') + (room.locked ? ' · locked' : '') })));
  }
  let any = false;
  for (const room of rooms) {
    const { conferences } = await api('GET', '/api/rooms/' + encodeURIComponent(room.id) + '/conferences');
    for (const c of conferences) {
      any = true;
      const when = new Date(c.startedAt).toLocaleString();
      reportList.append(el('li', {},
        el('span', { class: 'grow', text: room.name + ' — ' + when + ' · ' + c.participantCount + (c.participantCount === 1 ? ' person' : ' people') + ', peak ' +
          c.peakParticipants + (c.endedAt ? ', ' + c.participantMinutes + ' participant-minutes' : ' · ongoing') }),
        el('button', { type: 'button', class: 'small secondary', text: 'CSV',
          'aria-label': 'Download the report of ' + room.name + ' on ' + when + ' as CSV',
          onclick: () => download('/api/conferences/' + encodeURIComponent(c.id) + '?format=csv',
            'conference-' + c.id + '.csv').catch((err) => show(notice, err.message)) })));
    }
  }
  if (!any) reportList.append(el('li', { class: 'muted', text: 'No conferences yet.' }));
}
