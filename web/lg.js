// tsbgp looking glass: asks the daemon's JSON API (docs/HTTP.md) and draws the answers. Text from the API is
// only ever put in the page as text (textContent), never parsed as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

/** Seconds as "2d 3h", "4h 05m", "12m 30s", "45s". */
function duration(s) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** A countdown as "H:MM:SS" (or "M:SS" under an hour). */
function clock(s) {
  s = Math.max(0, Math.ceil(s));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const td = (label, ...c) => el('td', { 'data-label': label }, ...c);
const sum = (o) => Object.values(o || {}).reduce((a, b) => a + b, 0);

// ---- neighbors --------------------------------------------------------------------------------------------

async function loadNeighbors() {
  let data;
  try {
    data = await api('/api/v1/neighbors');
  } catch (e) {
    $('status').textContent = `cannot reach tsbgp: ${e.message}`;
    return;
  }
  const list = data.neighbors;
  const up = list.filter((n) => n.state === 'established').length;
  $('status').textContent = `${up} of ${list.length} neighbor${list.length === 1 ? '' : 's'} established · ${new Date().toLocaleTimeString()}`;
  const rows = list.map((n) =>
    el(
      'tr',
      { 'data-peer': n.peerAddress },
      td('Neighbor', el('span', { class: 'mono' }, n.peerAddress), n.description ? el('div', { class: 'muted' }, n.description) : null),
      td('AS', n.peerAs === null ? '—' : `AS${n.peerAs}`),
      td('State', el('span', { class: `state ${n.state === 'established' ? 'established' : 'down'}` }, n.state)),
      td('Up for', n.state === 'established' ? duration(n.uptimeSeconds) : '—'),
      td('Received', sum(n.prefixes.received).toLocaleString()),
      td('Advertised', sum(n.prefixes.advertised).toLocaleString()),
      td('Flow rules', String(n.flowRules)),
      td(
        'Last error',
        n.lastNotification
          ? `NOTIFICATION ${n.lastNotification.direction}: ${n.lastNotification.text}`
          : n.lastError
            ? n.lastError.reason
            : '—',
      ),
    ),
  );
  $('neighbors').tBodies[0].replaceChildren(...rows);
  const sel = $('neighbor');
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '' }, 'all'), ...list.map((n) => el('option', { value: n.peerAddress }, n.peerAddress)));
  sel.value = list.some((n) => n.peerAddress === keep) ? keep : '';
}

// ---- FlowSpec rules, with a live countdown ------------------------------------------------------------------

/** Server time minus local time, so countdowns hold on a machine whose clock is off. */
let skew = 0;

async function loadFlows() {
  let data;
  try {
    data = await api('/api/v1/flows');
  } catch {
    return;
  }
  skew = Date.parse(data.now) - Date.now();
  const rows = data.flows.map((f) =>
    el(
      'tr',
      { 'data-rule': f.rule },
      td('Neighbor', el('span', { class: 'mono' }, f.neighbor)),
      td('Rule', el('code', {}, f.rule)),
      td('Actions', f.actions.length ? f.actions.join(', ') : '—'),
      td('Source', f.source),
      td('Age', el('span', { class: 'age', 'data-since': f.announcedAt }, duration(f.ageSeconds))),
      td(
        'Expires in',
        f.expiresAt
          ? el('span', { class: 'countdown', 'data-expires': f.expiresAt }, clock(f.expiresInSeconds))
          : el('span', { class: 'muted' }, 'never'),
      ),
    ),
  );
  $('flows').tBodies[0].replaceChildren(...rows);
  $('flows').hidden = rows.length === 0;
  $('flows-empty').hidden = rows.length !== 0;
  tick();
}

function tick() {
  const now = Date.now() + skew;
  for (const e of document.querySelectorAll('.countdown[data-expires]')) {
    const left = (Date.parse(e.dataset.expires) - now) / 1000;
    e.textContent = left > 0 ? clock(left) : 'expired';
    e.classList.toggle('soon', left < 60);
  }
  for (const e of document.querySelectorAll('.age[data-since]')) e.textContent = duration((now - Date.parse(e.dataset.since)) / 1000);
}

// ---- Loc-RIB and filtered routes, where a route reflector or route server keeps them ---------------------------

/** The Loc-RIB summary, or null when tsbgp keeps none. */
let locRib = null;

async function loadLocRib() {
  try {
    locRib = await api('/api/v1/rib');
  } catch {
    locRib = null;
    return;
  }
  const sel = $('rib');
  const roles = (locRib.tables || [{ role: locRib.role }]).map((t) => t.role.replace('-', ' ')).join(' and ');
  if (!sel.querySelector('option[value="loc"]')) sel.prepend(el('option', { value: 'loc' }, `best paths (Loc-RIB, ${roles})`));
  const clients = locRib.clients || [];
  $('client').replaceChildren(el('option', { value: '' }, '(every path)'), ...clients.map((c) => el('option', { value: c }, c)));
  showClient();
}

/** The client selector (a route server's export view) makes sense for a prefix looked up in the Loc-RIB. */
function showClient() {
  const on = locRib !== null && (locRib.clients || []).length > 0 && $('rib').value === 'loc' && $('kind').value === 'prefix';
  $('client-label').hidden = !on;
  if (!on) $('client').value = '';
}

async function loadFiltered() {
  let data;
  try {
    data = await api('/api/v1/filtered?limit=1000');
  } catch {
    $('filtered-section').hidden = true;
    return;
  }
  $('filtered-section').hidden = false;
  const rows = data.routes.map((r) =>
    el(
      'tr',
      { 'data-prefix': r.prefix },
      td('Neighbor', el('span', { class: 'mono' }, r.neighbor)),
      td('Prefix', el('span', { class: 'mono' }, r.prefix)),
      td('AS path', el('span', { class: 'mono' }, r['as-path'].join(' '))),
      td('RPKI', el('span', { class: `badge ${r.rpki}` }, r.rpki)),
      td('Reason', el('span', { title: r.reason }, r.reasonText)),
    ),
  );
  $('filtered').tBodies[0].replaceChildren(...rows);
  $('filtered').hidden = rows.length === 0;
  $('filtered-empty').hidden = rows.length !== 0;
}

/** What became of a path in a route server's export to one client (export view). */
const FATE = {
  sent: 'sent to the client',
  own: "not sent: the client's own route",
  'other-client': 'not sent: written for another client',
  'action-community': 'not sent: an action community keeps it away',
  beaten: 'not sent: beaten',
};

/** One path of a Loc-RIB (rib/rib-query.ts PathInfo) as a card; `table` names the Loc-RIB when there are two. */
function pathCard(prefix, p, table) {
  // rib-query writes sets as "{ 1 2 }": as the other views, "{1,2}".
  const asPath = p.asPath.replace(/\{ ([^}]*) \}/g, (_, x) => `{${x.split(' ').join(',')}}`);
  const named = (list) => list.map((value) => ({ value, name: WELL_KNOWN[value] }));
  const rows = [
    ['Next hop', el('span', { class: 'mono' }, p.nextHop || '—')],
    ['AS path', asPathChips({ asPath, originAs: /[})]$/.test(asPath) ? null : 0 })],
    ['Origin', p.origin],
  ];
  if (p.med !== undefined) rows.push(['MED', String(p.med)]);
  if (p.localPref !== undefined) rows.push(['Local pref', String(p.localPref)]);
  rows.push(['Communities', communityChips(named(p.communities))]);
  if (p.largeCommunities.length) rows.push(['Large communities', communityChips(named(p.largeCommunities))]);
  if (p.originatorId) rows.push(['Originator', el('span', { class: 'mono' }, p.originatorId)]);
  if (p.pathId) rows.push(['Path id', String(p.pathId)]);
  const fate = p.export ? `${FATE[p.export]}${p.export === 'beaten' ? ` on ${p.beatenOn}` : ''}${p.prepend ? ` (AS put in front ${p.prepend} more times)` : ''}` : null;
  return el(
    'article',
    {
      class: 'route',
      'data-prefix': prefix,
      'data-neighbor': p.from,
      'data-best': p.best ? 'yes' : 'no',
      'data-table': table,
      'data-export': p.export,
      'data-reason': p.reason,
      'data-sent': p.sentTo,
    },
    el(
      'header',
      {},
      el('span', { class: 'prefix mono' }, prefix),
      el('span', { class: 'badge' }, `from ${p.from}`),
      table && (locRib?.tables || []).length > 1 ? el('span', { class: 'badge' }, table.replace('-', ' ')) : null,
      fate ? el('span', { class: `badge ${p.export === 'sent' ? 'valid' : ''}` }, fate) : null,
      p.sentTo
        ? el('span', { class: 'badge valid' }, `as ${p.sentTo} gets it`)
        : p.reason
        ? el('span', { class: 'badge invalid', title: p.reason }, `filtered: ${p.reasonText}`)
        : p.best
          ? el('span', { class: 'badge valid' }, 'best')
          : el('span', { class: 'badge' }, `lost on ${p.beatenOn}`),
      p.rpki ? el('span', { class: `badge ${p.rpki}` }, `RPKI ${p.rpki}`) : null,
    ),
    el('dl', {}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
  );
}

/** Names of the well-known communities (IANA), for Loc-RIB paths, whose communities come as bare values. */
const WELL_KNOWN = {
  '65535:0': 'graceful-shutdown',
  '65535:1': 'accept-own',
  '65535:6': 'llgr-stale',
  '65535:7': 'no-llgr',
  '65535:666': 'blackhole',
  '65535:65281': 'no-export',
  '65535:65282': 'no-advertise',
  '65535:65283': 'no-export-subconfed',
  '65535:65284': 'no-peer',
};

// ---- lookups ---------------------------------------------------------------------------------------------

function communityChips(list) {
  if (!list || list.length === 0) return '—';
  return el(
    'div',
    { class: 'chips' },
    list.map((c) =>
      el('span', { class: `chip${c.wellKnown ? ' wk' : ''}`, title: c.name || '' }, el('span', { class: 'mono' }, c.value), c.name ? el('span', { class: 'name' }, c.name) : null),
    ),
  );
}

function asPathChips(r) {
  if (!r.asPath) return el('span', { class: 'muted' }, '(empty: a route of the neighbor itself)');
  const words = r.asPath.split(' ');
  return el(
    'div',
    { class: 'chips', 'data-field': 'as-path' },
    words.map((w, i) => el('span', { class: `chip mono${i === words.length - 1 && r.originAs !== null ? ' origin' : ''}`, title: i === words.length - 1 ? 'origin AS' : '' }, w)),
  );
}

function routeCard(r) {
  const rows = [
    ['Next hop', el('span', { class: 'mono' }, r.nextHop || '—')],
    ['AS path', asPathChips(r)],
    ['Origin AS', r.originAs === null ? '—' : `AS${r.originAs}`],
    ['Origin', r.origin || '—'],
  ];
  if (r.med !== null) rows.push(['MED', String(r.med)]);
  if (r.localPref !== null) rows.push(['Local pref', String(r.localPref)]);
  rows.push(['Communities', communityChips(r.communities)]);
  if (r.largeCommunities.length) rows.push(['Large communities', communityChips(r.largeCommunities)]);
  if (r.extendedCommunities.length)
    rows.push(['Extended communities', el('div', { class: 'chips' }, r.extendedCommunities.map((x) => el('span', { class: 'chip mono' }, x)))]);
  return el(
    'article',
    { class: 'route', 'data-prefix': r.prefix, 'data-neighbor': r.neighbor },
    el(
      'header',
      {},
      el('span', { class: 'prefix mono' }, r.prefix),
      el('span', { class: 'badge' }, `${r.rib === 'in' ? 'from' : 'to'} ${r.neighbor}`),
      r.pathId ? el('span', { class: 'badge' }, `path id ${r.pathId}`) : null,
      r.stale ? el('span', { class: 'badge invalid' }, 'stale') : null,
      r.rpki ? el('span', { class: `badge ${r.rpki}` }, `RPKI ${r.rpki}`) : null,
    ),
    el('dl', {}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
  );
}

/** The card of the path as a route server sends it to one client (AS path with the prepends). */
const sentCard = (a) => pathCard(a.prefix, { ...a.sent, sentTo: a.client }, null);

const KIND_TEXT = { 'origin-as': 'origin AS', 'as-path': 'AS in the path', community: 'community' };

/** The URL that answers a search and how to draw its answer. */
function request(q, rib, neighbor, kind, client) {
  if (kind === 'prefix') {
    const params = new URLSearchParams({ prefix: q });
    if (rib !== 'loc') params.set('rib', rib);
    if (neighbor && rib !== 'loc') params.set('neighbor', neighbor);
    if (client && rib === 'loc') params.set('client', client);
    return `${rib === 'loc' ? '/api/v1/rib/lookup' : '/api/v1/lookup'}?${params}`;
  }
  if (rib === 'loc') return `/api/v1/rib/routes?${new URLSearchParams({ [kind]: q, limit: '100' })}`;
  if (kind === 'as-path') return null;
  const params = new URLSearchParams({ [kind]: q, rib, limit: '100' });
  if (neighbor) params.set('neighbor', neighbor);
  return `/api/v1/routes?${params}`;
}

function cardsOf(data, rib, client) {
  if (rib !== 'loc') return data.routes.map(routeCard);
  if (client) return data.routes.flatMap((a) => [...(a.sent ? [sentCard(a)] : []), ...a.paths.map((p) => pathCard(a.prefix, p, a.table))]);
  return data.routes.flatMap((a) => a.paths.map((p) => pathCard(a.prefix, p, a.table)));
}

async function lookup(q, rib, neighbor, kind = 'prefix', client = '') {
  const note = $('lookup-note');
  const url = request(q, rib, neighbor, kind, client);
  if (url === null) {
    note.textContent = 'A search by AS in the path reads the Loc-RIB: choose the best paths table.';
    $('results').replaceChildren();
    return;
  }
  note.textContent = 'looking up…';
  const t0 = performance.now();
  let data;
  try {
    data = await api(url);
  } catch (e) {
    note.textContent = e.message;
    $('results').replaceChildren();
    return;
  }
  const ms = Math.round(performance.now() - t0);
  const cards = cardsOf(data, rib, client);
  const what = rib === 'loc' && kind === 'prefix' ? 'path' : 'route';
  const n = kind === 'prefix' ? cards.length : data.routes.length;
  const how =
    kind !== 'prefix'
      ? `with ${KIND_TEXT[kind]} ${q}`
      : `for ${q} (${data.match === 'longest' ? 'longest match' : 'exact prefix'})`;
  if (client && data.routes[0]) note.textContent = data.routes[0].sent ? `${q}: sent to ${client} · ${ms} ms` : `${q}: nothing sent to ${client} · ${ms} ms`;
  else if (n === 0) note.textContent = kind === 'prefix' ? `No route ${how}.` : `No route ${how}.`;
  else note.textContent = `${n} ${what}${n === 1 ? '' : 's'} ${how}${data.more ? ' (more not shown)' : ''} · ${ms} ms`;
  $('results').replaceChildren(...cards);
}

const PLACEHOLDER = {
  prefix: ['Prefix or address', '203.0.113.0/24 or 203.0.113.7'],
  'origin-as': ['AS number', '64500'],
  'as-path': ['AS number', '64500'],
  community: ['Community', '65000:1, 65000:1:2 or no-export'],
};

function kindChanged() {
  const [label, ph] = PLACEHOLDER[$('kind').value];
  $('q-label').textContent = label;
  $('q').placeholder = ph;
  showClient();
}

function fromHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const q = h.get('q');
  if (!q) return;
  $('q').value = q;
  const rib = h.get('rib');
  $('rib').value = rib === 'out' || (rib === 'loc' && locRib) ? rib : 'in';
  const kind = h.get('kind');
  $('kind').value = PLACEHOLDER[kind] ? kind : 'prefix';
  kindChanged();
  if (h.get('client') && !$('client-label').hidden) $('client').value = h.get('client');
  void lookup(q, $('rib').value, h.get('neighbor') || '', $('kind').value, $('client').value);
}

document.addEventListener('DOMContentLoaded', () => {
  $('lookup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = $('q').value.trim();
    if (!q) return;
    const kind = $('kind').value;
    const h = new URLSearchParams({ q, rib: $('rib').value });
    if (kind !== 'prefix') h.set('kind', kind);
    if ($('neighbor').value) h.set('neighbor', $('neighbor').value);
    if ($('client').value) h.set('client', $('client').value);
    history.replaceState(null, '', `#${h}`);
    void lookup(q, $('rib').value, $('neighbor').value, kind, $('client').value);
  });
  $('kind').addEventListener('change', kindChanged);
  $('rib').addEventListener('change', showClient);
  void Promise.all([loadNeighbors(), loadLocRib()]).then(fromHash);
  void loadFiltered();
  setInterval(loadFiltered, 15000);
  window.addEventListener('hashchange', fromHash);
  void loadFlows();
  setInterval(loadNeighbors, 5000);
  setInterval(loadFlows, 5000);
  setInterval(tick, 1000);
});
