// The clinic's largest day, seeded through the API as the admin would set
// it up and the desk would book it: 12 providers each with a chair of their
// own, 300 appointments of 25 minutes (07:30–17:55, back to back) for 300
// different patients; and the working days before and after it with one
// appointment each, the quiet references. All are past the stack's seeded
// week.

const FIRST = ['Ana', 'Liam', 'Olivia', 'Noah', 'Emma', 'Sofia', 'Mateo', 'Chloé', 'Aarav', 'Mei', 'Yusuf', 'Zoë', 'Lucas', 'Inês', 'Ethan', 'Amara'];
const LAST = ['Silva', 'Santos', 'Smith', 'García', 'Müller', 'Nguyen', 'Kowalski', "O'Brien", 'Rossi', 'Haddad', 'Kim', 'Patel', 'Dubois', 'Costa', 'Okoye', 'Tanaka', 'Jensen', 'Berg', 'Novak', 'Ito'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const OPEN = '07:00';
const CLOSE = '18:00';
const FIRST_START = 7 * 60 + 30; // 07:30

/** Runs fn over items, `limit` at a time, keeping their order in the result. */
async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i], i);
    }),
  );
  return out;
}

/** YYYY-MM-DD of an instant in a time zone. */
const dateIn = (instant, timeZone) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);

/** The zone's offset from UTC at an instant, in minutes (east positive). */
function offsetMinutes(instant, timeZone) {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

/** The instant of a wall-clock time (minutes after midnight) on a date in a zone. */
export function zonedInstant(date, minutes, timeZone) {
  const [y, mo, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, 0, minutes);
  let at = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  at = wall - offsetMinutes(new Date(at), timeZone) * 60_000; // across a DST change
  return new Date(at);
}

/**
 * The first Tuesday–Thursday at least `ahead` days after today in the zone
 * (busy), and the working days either side of it (before, after).
 */
export function benchDay(timeZone, ahead = 10) {
  const [y, m, d] = dateIn(new Date(), timeZone).split('-').map(Number);
  const day = (i) => new Date(Date.UTC(y, m - 1, d + i));
  const iso = (i) => day(i).toISOString().slice(0, 10);
  for (let i = ahead; i < ahead + 7; i += 1) {
    if (day(i).getUTCDay() >= 2 && day(i).getUTCDay() <= 4) return { before: iso(i - 1), busy: iso(i), after: iso(i + 1) };
  }
  throw new Error('no Tuesday–Thursday in a week');
}

/**
 * Seeds the busy day and the quiet days either side from an admin's page
 * (pageApi: the harness's same-origin call). Returns { before, busy, after,
 * timeZone, appointments }.
 */
export async function seedBusyDay(pageApi, page, { providers = 12, perProvider = 25, minutes = 25, concurrency = 4 } = {}) {
  const call = async (method, url, body, want = [200, 201]) => {
    let res = await pageApi(page, method, url, body);
    // Some 640 calls from one admin pass the per-user budget (600 a minute):
    // wait for the bucket to refill (10 a second) as a client would.
    for (let tries = 0; res.status === 429 && tries < 30; tries += 1) {
      await new Promise((r) => setTimeout(r, 1000));
      res = await pageApi(page, method, url, body);
    }
    if (!want.includes(res.status)) {
      throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.json?.error ?? res.json)}`);
    }
    return res.json;
  };
  const me = await call('GET', '/api/auth/me');
  const timeZone = me.clinic.settings.timeZone;
  const { before, busy, after } = benchDay(timeZone);

  // One chair per provider; the seeded providers keep theirs and get one more.
  const chairs = await pool([...Array(providers).keys()], concurrency, (i) =>
    call('POST', '/api/operatories', { name: `Bench chair ${i + 1}` }),
  );
  const existing = (await call('GET', '/api/providers?limit=200')).items.filter((p) => p.active);
  const staff = await pool([...Array(providers).keys()], concurrency, async (i) => {
    const chair = chairs[i].id;
    const known = existing[i];
    const p = known
      ? await call('PATCH', `/api/providers/${known.id}`, { operatories: [...known.operatories, chair] })
      : await call('POST', '/api/providers', {
          name: `Dr. Bench ${String(i + 1).padStart(2, '0')}`,
          kind: i % 3 === 2 ? 'hygienist' : 'dentist',
          colour: `#${(0x1f6feb + i * 0x0a1b2c).toString(16).slice(-6)}`,
          operatories: [chair],
        });
    const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: OPEN, end: CLOSE }]]));
    await call('PUT', `/api/providers/${p.id}/hours`, { hours });
    return { id: p.id, chair };
  });
  const type = await call('POST', '/api/appointment-types', {
    name: 'Short visit',
    category: 'other',
    durationMinutes: minutes,
    colour: '#57606a',
    providerKinds: ['dentist', 'hygienist'],
  });

  const count = providers * perProvider;
  const patients = await pool([...Array(count).keys()], concurrency, (i) =>
    call('POST', '/api/patients', {
      firstName: FIRST[i % FIRST.length],
      lastName: `${LAST[Math.floor(i / FIRST.length) % LAST.length]}-${i}`,
      dateOfBirth: `${1950 + (i % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      phone: `+1212556${String(i).padStart(4, '0')}`,
      email: `bench.patient${i}@example.com`,
    }),
  );

  const bookings = [];
  for (let p = 0; p < providers; p += 1) {
    for (let k = 0; k < perProvider; k += 1) {
      bookings.push({
        patientId: patients[p * perProvider + k].id,
        providerId: staff[p].id,
        operatoryId: staff[p].chair,
        typeId: type.id,
        start: zonedInstant(busy, FIRST_START + k * minutes, timeZone).toISOString(),
      });
    }
  }
  for (const quiet of [before, after]) bookings.push({ ...bookings[0], start: zonedInstant(quiet, 9 * 60, timeZone).toISOString() });
  await pool(bookings, concurrency, (b) => call('POST', '/api/appointments', b));
  return { before, busy, after, timeZone, appointments: count };
}
