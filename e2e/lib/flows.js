// What a person does in the web client, step by step, through the visible page.
let seq = 0;
const RUN = Date.now().toString(36);

/** Registers a fresh account on the page it is on (or on /register.html) and ends logged in. */
export async function register(b, base, { from } = {}) {
  const { page } = b;
  if (!from) await page.goto(base + '/register.html');
  const email = `${b.name.toLowerCase()}-${RUN}-${++seq}@example.org`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Your name').fill(b.name);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/register.html'));
  return email;
}

/** Creates a room through the home page form; returns its join link. */
export async function createRoom(b, base, { name = 'Standup', max, lobby = false, password, limitMinutes, opensAt }
  = {}) {
  const { page } = b;
  await page.goto(base + '/');
  const form = page.locator('#create');
  await form.getByLabel('Room name').fill(name);
  if (max) await form.getByLabel('Participant limit').fill(String(max));
  if (lobby) await form.getByLabel(/Lobby/).check();
  if (password) await form.getByLabel(/^Password/).fill(password);
  if (limitMinutes) await form.getByLabel(/Time limit/).fill(String(limitMinutes));
  // datetime-local takes the browser's local time, to the minute: YYYY-MM-DDTHH:MM.
  if (opensAt) await form.getByLabel(/Opens at/).fill(localMinute(opensAt));
  await form.getByRole('button', { name: 'Create room' }).click();
  const href = await page.locator('#room-link').getAttribute('href');
  return base + href;
}

function localMinute(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + pad(date.getMinutes());
}

/** Opens a room link and waits until the page shows the call. */
export async function enterRoom(b, link) {
  await b.page.goto(link);
  await b.page.locator('#room').waitFor({ state: 'visible' });
}

/** Waits until the page's alert says `text`. */
export async function told(b, text, timeout = 20_000) {
  await b.page.locator('#notice', { hasText: text }).waitFor({ state: 'visible', timeout });
}

/** The visible tiles' connection labels, keyed by the name shown. */
export function tileStates(b) {
  return b.page.$$eval('#grid .tile:not(.local)', (tiles) => tiles.map((t) => ({
    name: t.querySelector('.name').textContent, state: t.querySelector('.state').dataset.state })));
}
