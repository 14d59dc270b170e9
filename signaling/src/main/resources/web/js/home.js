import { api, token, show, takeNotice, header, el } from './api.js';

header();
const notice = document.getElementById('notice');
const pending = takeNotice();
if (pending) show(notice, pending, 'ok');

const create = document.getElementById('create');
const created = document.getElementById('created');
create.addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = create.elements;
  const body = { name: f.name.value.trim(), lobby: f.lobby.checked };
  if (f.maxParticipants.value) body.maxParticipants = Number(f.maxParticipants.value);
  if (f.password.value) body.password = f.password.value;
  if (f.maxDurationMinutes.value) body.maxDurationMinutes = Number(f.maxDurationMinutes.value);
  // datetime-local is the person's own time zone; the API takes an instant.
  if (f.notBefore.value) body.notBefore = new Date(f.notBefore.value).toISOString();
  if (f.notAfter.value) body.notAfter = new Date(f.notAfter.value).toISOString();
  try {
    const room = await api('POST', '/api/rooms', body);
    created.replaceChildren('Room created. Share this link: ',
      el('a', { href: '/r/' + room.id, id: 'room-link', text: room.joinUrl }),
      ' ', el('a', { href: '/r/' + room.id, class: 'button', text: 'Enter the room' }));
    created.classList.remove('hidden');
  } catch (err) {
    show(notice, err.message, 'error');
  }
});

const join = document.getElementById('join');
join.addEventListener('submit', (e) => {
  e.preventDefault();
  const raw = join.elements.link.value.trim();
  const m = raw.match(/(?:\/r\/)?([A-Za-z0-9_-]{1,64})\/?$/);
  if (m) location.assign('/r/' + m[1]);
  else show(notice, 'That is not a room link or id.', 'error');
});

if (token()) document.getElementById('create').elements.name.focus();
