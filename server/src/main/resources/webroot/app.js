// The chargers tab of the back office: a live table fed by the REST API and the SSE stream.
// Plain JavaScript, no build step. Every value from the server is written with textContent.
"use strict";

const STATUSES = ["Available", "Preparing", "Charging", "Finishing", "Completed", "Paused", "Faulted", "Offline", "Unknown", "Unavailable"];
// Problems first: sorting by Status puts what needs attention on top.
const SEVERITY = ["Faulted", "Offline", "Unavailable", "Paused", "Unknown", "Preparing", "Finishing", "Completed", "Charging", "Available"];
// A connected charger not heard of for this long is marked stale (it should heartbeat or answer pings).
const STALE_MS = 15 * 60 * 1000;
const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem("cs-token"),
  descriptions: {},
  accounts: [],
  account: "",
  history: null,         // {step, points: [{at, counts}]} of the trend chart
  chargers: new Map(),   // id -> charger row
  sites: new Map(),      // site id -> name
  rows: new Map(),       // id -> <tr>
  filter: null,
  search: "",
  sort: { key: "id", dir: 1 },
  events: null,
  lastEventId: null,
  detail: null,
};

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((body && body.message) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function time(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

// "3 min ago"; the absolute time goes in the cell's title.
function ago(iso) {
  if (!iso) return "—";
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return "just now";
  const units = [["d", 86400], ["h", 3600], ["min", 60]];
  for (const [unit, size] of units) {
    if (seconds >= size) return Math.floor(seconds / size) + " " + unit + " ago";
  }
  return "just now";
}

function timeCell(td, iso) {
  td.textContent = ago(iso);
  td.title = time(iso);
}

function siteName(c) {
  return c.siteId ? state.sites.get(c.siteId) || c.siteId : "";
}

function stale(c) {
  return c.online && c.lastSeenAt && Date.now() - new Date(c.lastSeenAt).getTime() > STALE_MS;
}

// ---- sign in -------------------------------------------------------------------------------

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  state.token = $("token").value.trim();
  await start();
});

$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem("cs-token");
  location.reload();
});

async function start() {
  $("sign-in-error").textContent = "";
  try {
    const [accounts, statuses] = await Promise.all([api("/api/v1/accounts"), api("/api/v1/statuses")]);
    sessionStorage.setItem("cs-token", state.token);
    state.accounts = accounts;
    statuses.forEach((s) => (state.descriptions[s.status] = s.description));
    fillAccounts();
    $("sign-in").hidden = true;
    $("board").hidden = false;
    $("sign-out").hidden = false;
    await load();
  } catch (err) {
    $("sign-in").hidden = false;
    $("sign-in-error").textContent = err.status === 401 ? "This token is not valid." : "Cannot reach the service: " + err.message;
  }
}

function fillAccounts() {
  const select = $("account");
  select.replaceChildren();
  if (state.accounts.length !== 1) {
    select.append(new Option("All accounts", ""));
  }
  state.accounts.forEach((a) => select.append(new Option(a.name + " (" + a.id + ")", a.id)));
  state.account = state.accounts.length === 1 ? state.accounts[0].id : "";
  select.value = state.account;
  $("account-box").hidden = false;
}

$("account").addEventListener("change", async (e) => {
  state.account = e.target.value;
  await load();
});

// ---- table ---------------------------------------------------------------------------------

async function load() {
  const query = state.account ? "?accountId=" + encodeURIComponent(state.account) : "";
  const historyQuery = (query ? query + "&" : "?") + "step=" + TREND_STEP_S;
  const [rows, sites, history] = await Promise.all([
    api("/api/v1/chargers" + query), api("/api/v1/sites" + query), api("/api/v1/status-history" + historyQuery)]);
  state.history = history;
  state.sites = new Map(sites.map((s) => [s.id, s.name || s.id]));
  state.chargers = new Map(rows.map((r) => [r.id, r]));
  state.rows = new Map();
  render();
  connect();
  loadIncidents();
  loadSubscriptions();
  loadUptime();
  loadRoaming();
}

// ---- incidents: what is broken now, at the top; acknowledged with a note -------------------------

let incidentsTimer = null;
// Status events come by the thousand in a storm: the list is read again at most every two seconds.
function incidentsSoon() {
  if (incidentsTimer) return;
  incidentsTimer = setTimeout(() => { incidentsTimer = null; loadIncidents(); }, 2000);
}
setInterval(() => { if (state.token && !$("board").hidden) loadIncidents(); }, 30000);

function incidentWhat(i) {
  if (i.kind === "SiteOffline") return "site " + (state.sites.get(i.siteId) || i.siteId) + " (" + (i.chargers || []).length + " chargers)";
  return i.chargerId + (i.connectorId != null ? " connector " + i.connectorId : "");
}

async function loadIncidents() {
  const query = "?state=open&limit=100" + (state.account ? "&accountId=" + encodeURIComponent(state.account) : "");
  let open;
  try {
    open = await api("/api/v1/incidents" + query);
  } catch (e) {
    return; // the next status event or the periodic look tries again
  }
  $("incidents").hidden = open.length === 0;
  $("incident-list").replaceChildren(...open.map((i) => {
    const li = document.createElement("li");
    li.className = "incident " + i.kind;
    const text = document.createElement("span");
    text.textContent = i.kind + " — " + incidentWhat(i) + ", since " + time(i.startedAt) + " (" + ago(i.startedAt) + ")"
      + (i.faultCode ? " — " + i.faultCode : "")
      + (i.acknowledgedAt ? " — acknowledged by " + i.acknowledgedBy + (i.note ? ": " + i.note : "") : "");
    li.append(text);
    if (!i.acknowledgedAt) {
      const ack = document.createElement("button");
      ack.type = "button";
      ack.textContent = "Acknowledge";
      ack.addEventListener("click", async () => {
        const note = window.prompt("Acknowledge " + i.kind + " of " + incidentWhat(i) + ": a note for the others (optional)", "");
        if (note === null) return; // dismissed: nothing sent
        await api("/api/v1/incidents/" + encodeURIComponent(i.id) + "/acknowledge",
          { method: "POST", body: JSON.stringify(note ? { note } : {}) });
        loadIncidents();
      });
      li.append(ack);
    }
    if (i.chargerId) {
      li.addEventListener("dblclick", () => openDetail(i.chargerId));
    }
    return li;
  }));
}

// ---- subscriptions and their delivery log ------------------------------------------------------------

async function loadSubscriptions() {
  const query = state.account ? "?accountId=" + encodeURIComponent(state.account) : "";
  let hooks;
  try {
    hooks = await api("/api/v1/webhooks" + query);
  } catch (e) {
    return;
  }
  $("webhook-list").replaceChildren(...hooks.map((h) => {
    const li = document.createElement("li");
    li.textContent = h.url + " — " + h.events.join(", ") + " ";
    const log = document.createElement("button");
    log.type = "button";
    log.textContent = "Delivery log";
    log.addEventListener("click", () => showDeliveries(h));
    li.append(log);
    return li;
  }));
}

async function showDeliveries(h) {
  const attempts = await api("/api/v1/webhooks/" + encodeURIComponent(h.id) + "/deliveries?limit=50");
  $("delivery-log").replaceChildren(...attempts.map((a) => {
    const li = document.createElement("li");
    li.textContent = time(a.attemptedAt) + " — " + a.type + " " + a.messageId + ": " + a.outcome
      + (a.httpStatus != null ? " (HTTP " + a.httpStatus + ")" : "") + (a.error ? " — " + a.error : "")
      + (a.nextAttemptAt ? ", next try " + time(a.nextAttemptAt) : "");
    return li;
  }));
}

// ---- uptime: per port and per site, the month and the trailing twelve months (docs/uptime.md) -------

const NEVI_TARGET = 97;

function uptimeMonth() {
  const input = $("uptime-month");
  if (!input.value) {
    const now = new Date();
    input.value = now.getUTCFullYear() + "-" + String(now.getUTCMonth() + 1).padStart(2, "0");
  }
  return input.value;
}

function monthRange(month) {
  const [y, m] = month.split("-").map(Number);
  const from = new Date(Date.UTC(y, m - 1, 1));
  const to = new Date(Date.UTC(y, m, 1));
  return { from: from.toISOString().replace(".000", ""), to: to.toISOString().replace(".000", "") };
}

function percent(value) {
  return value == null ? "—" : value.toFixed(2) + " %";
}

// Each load takes a ticket; a response that arrives after a newer load began (another month or account picked
// meanwhile) is dropped, so the table always shows what was asked for last.
let uptimeTicket = 0;

async function loadUptime() {
  const ticket = ++uptimeTicket;
  $("uptime-hint").hidden = !!state.account;
  $("uptime-body").hidden = !state.account;
  if (!state.account) return;
  const month = uptimeMonth();
  const range = monthRange(month);
  const account = "accountId=" + encodeURIComponent(state.account);
  let monthly, nevi, outages;
  try {
    [monthly, nevi, outages] = await Promise.all([
      api("/api/v1/uptime?" + account + "&from=" + range.from + "&to=" + range.to),
      api("/api/v1/uptime/nevi?" + account + "&month=" + month),
      api("/api/v1/outages?" + account + "&from=" + range.from + "&to=" + range.to)]);
  } catch (e) {
    if (ticket !== uptimeTicket) return;
    $("uptime-hint").hidden = false;
    $("uptime-hint").textContent = "Uptime not available: " + e.message;
    return;
  }
  if (ticket !== uptimeTicket) return;
  const key = (p) => p.chargerId + "/" + p.connectorId;
  const year = new Map(nevi.ports.map((p) => [key(p), p]));
  const siteOf = (chargerId) => (state.chargers.get(chargerId) || {}).siteId || null;
  const ports = monthly.ports.map((p) => ({ ...p, nevi: year.get(key(p)) }));
  // Below the target first (the worst on top), then by charger and port.
  ports.sort((a, b) => {
    const ya = a.nevi ? a.nevi.uptimePercent : 100, yb = b.nevi ? b.nevi.uptimePercent : 100;
    const la = ya < NEVI_TARGET, lb = yb < NEVI_TARGET;
    if (la !== lb) return la ? -1 : 1;
    if (la && ya !== yb) return ya - yb;
    return a.chargerId.localeCompare(b.chargerId) || a.connectorId - b.connectorId;
  });
  $("uptime-ports").tBodies[0].replaceChildren(...ports.map((p) => {
    const tr = document.createElement("tr");
    const below = p.nevi && p.nevi.uptimePercent < NEVI_TARGET;
    tr.className = below ? "below-target" : "";
    const site = siteOf(p.chargerId);
    const cells = [p.chargerId, String(p.connectorId), site ? (state.sites.get(site) || site) : "—",
      percent(p.uptimePercent),
      p.nevi ? percent(p.nevi.uptimePercent) + (p.nevi.provisional ? " (provisional)" : "") : "—",
      (p.outageS / 60).toFixed(1), (p.excludedS / 60).toFixed(1)];
    cells.forEach((text) => {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    });
    return tr;
  }));
  const sites = new Map();
  monthly.ports.forEach((p) => {
    const site = siteOf(p.chargerId) || "";
    const s = sites.get(site) || { ports: 0, counted: 0, outage: 0, excluded: 0 };
    s.ports += 1; s.counted += p.countedS; s.outage += p.outageS; s.excluded += p.excludedS;
    sites.set(site, s);
  });
  $("uptime-sites").tBodies[0].replaceChildren(...[...sites.entries()].map(([site, s]) => {
    const tr = document.createElement("tr");
    const up = s.counted ? (s.counted - (s.outage - s.excluded)) * 100 / s.counted : null;
    [site ? (state.sites.get(site) || site) : "no site", String(s.ports), percent(up)].forEach((text) => {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    });
    return tr;
  }));
  $("uptime-outages").replaceChildren(...outages.map((o) => {
    const li = document.createElement("li");
    li.textContent = o.chargerId + " port " + o.connectorId + ": " + o.status + (o.faultCode ? " (" + o.faultCode + ")" : "")
      + " from " + time(o.start) + (o.end ? " to " + time(o.end) : ", still lasting") + " — " + Math.round(o.durationS / 60) + " min"
      + (o.excludedS ? ", " + Math.round(o.excludedS / 60) + " min excluded (" + o.reasons.join(", ") + ")" : "");
    return li;
  }));
}

$("uptime-month").addEventListener("change", () => loadUptime());
$("uptime").addEventListener("toggle", () => { if ($("uptime").open) loadUptime(); });

// A CSV is fetched with the token (a plain link could not carry it), then saved as a file.
async function downloadCsv(path, name) {
  const response = await fetch(path, { headers: { "Authorization": "Bearer " + state.token, "Accept": "text/csv" } });
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

$("uptime-csv").addEventListener("click", () => {
  const month = uptimeMonth();
  downloadCsv("/api/v1/uptime/nevi?accountId=" + encodeURIComponent(state.account) + "&month=" + month,
    "nevi-" + state.account + "-" + month + ".csv");
});
$("outages-csv").addEventListener("click", () => {
  const month = uptimeMonth();
  const range = monthRange(month);
  downloadCsv("/api/v1/outages?accountId=" + encodeURIComponent(state.account) + "&from=" + range.from + "&to=" + range.to,
    "outages-" + state.account + "-" + month + ".csv");
});

$("exclusion-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const utc = (v) => (v.length === 16 ? v + ":00" : v) + "Z";
  const body = { accountId: state.account, chargerId: $("ex-charger").value.trim(),
    from: utc($("ex-from").value), to: utc($("ex-to").value), reason: $("ex-reason").value };
  if ($("ex-connector").value) body.connectorId = Number($("ex-connector").value);
  if ($("ex-note").value) body.note = $("ex-note").value;
  try {
    await api("/api/v1/outage-exclusions", { method: "POST", body: JSON.stringify(body) });
    $("ex-result").textContent = "Exclusion added.";
    loadUptime();
  } catch (err) {
    $("ex-result").textContent = "Not added: " + err.message;
  }
});

// ---- roaming: the account's OCPI identity, its sites' locations, its ports' EVSE data (docs/roaming.md) ----

const roaming = { sites: [] };

async function loadRoaming() {
  $("roaming-hint").hidden = !!state.account;
  $("roaming-body").hidden = !state.account;
  if (!state.account || !$("roaming").open) return;
  const account = encodeURIComponent(state.account);
  try {
    const [ocpi, sites, parties] = await Promise.all([
      api("/api/v1/accounts/" + account + "/ocpi"),
      api("/api/v1/sites?accountId=" + account),
      api("/api/v1/ocpi/parties?accountId=" + account),
    ]);
    $("ocpi-country").value = ocpi.countryCode || "";
    $("ocpi-party").value = ocpi.partyId || "";
    $("ocpi-open").checked = !!ocpi.openData;
    roaming.sites = sites;
    const select = $("loc-site");
    const chosen = select.value;
    select.replaceChildren(...sites.map((site) => {
      const o = document.createElement("option");
      o.value = site.id;
      o.textContent = site.name ? site.name + " (" + site.id + ")" : site.id;
      return o;
    }));
    if (chosen) select.value = chosen;
    fillLocation();
    $("partner-list").replaceChildren(...parties.map((p) => {
      const li = document.createElement("li");
      li.textContent = p.name + " — " + p.state + (p.countryCode ? " (" + p.countryCode + "*" + p.partyId + ")" : "")
        + (p.registeredAt ? ", since " + time(p.registeredAt) : "");
      return li;
    }));
  } catch (e) {
    $("roaming-hint").hidden = false;
    $("roaming-hint").textContent = "Roaming settings not available: " + e.message;
  }
}

function fillLocation() {
  const site = roaming.sites.find((s) => s.id === $("loc-site").value);
  if (!site) return;
  $("loc-address").value = site.address || "";
  $("loc-city").value = site.city || "";
  $("loc-postal").value = site.postalCode || "";
  $("loc-country").value = site.country || "";
  $("loc-lat").value = site.coordinates ? site.coordinates.latitude : "";
  $("loc-lon").value = site.coordinates ? site.coordinates.longitude : "";
}

async function submitted(result, request, done) {
  try {
    await request();
    $(result).textContent = done;
    loadRoaming();
  } catch (err) {
    $(result).textContent = "Not saved: " + err.message;
  }
}

$("roaming").addEventListener("toggle", () => { if ($("roaming").open) loadRoaming(); });
$("loc-site").addEventListener("change", fillLocation);

$("ocpi-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const body = { countryCode: $("ocpi-country").value.trim(), partyId: $("ocpi-party").value.trim(), openData: $("ocpi-open").checked };
  submitted("ocpi-result", () => api("/api/v1/accounts/" + encodeURIComponent(state.account) + "/ocpi",
    { method: "PUT", body: JSON.stringify(body) }), "Identity saved.");
});

$("location-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const site = roaming.sites.find((s) => s.id === $("loc-site").value);
  if (!site) return;
  // A site is written whole: its other settings go back as they are.
  const body = { id: site.id, accountId: site.accountId, name: site.name, timezone: site.timezone,
    delayedCharging: site.delayedCharging, openingHours: site.openingHours,
    address: $("loc-address").value.trim(), city: $("loc-city").value.trim(),
    postalCode: $("loc-postal").value.trim() || null, country: $("loc-country").value.trim(),
    coordinates: { latitude: $("loc-lat").value.trim(), longitude: $("loc-lon").value.trim() } };
  submitted("loc-result", () => api("/api/v1/sites", { method: "POST", body: JSON.stringify(body) }), "Location saved.");
});

$("evse-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const body = { standard: $("evse-standard").value, format: $("evse-format").value, powerType: $("evse-power-type").value,
    maxVoltage: Number($("evse-voltage").value), maxAmperage: Number($("evse-amperage").value) };
  if ($("evse-power").value) body.maxElectricPower = Number($("evse-power").value);
  if ($("evse-id").value.trim()) body.evseId = $("evse-id").value.trim();
  const path = "/api/v1/chargers/" + encodeURIComponent($("evse-charger").value.trim()) + "/connectors/"
    + encodeURIComponent($("evse-port").value);
  submitted("evse-result", () => api(path, { method: "PUT", body: JSON.stringify(body) }), "Port saved.");
});

$("partner-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const created = await api("/api/v1/ocpi/parties", { method: "POST",
      body: JSON.stringify({ accountId: state.account, name: $("partner-name").value.trim() }) });
    // Shown once: the partner registers with this token A at this versions url.
    $("partner-result").textContent = "Give the partner its token A " + created.tokenA + " and the versions url " + created.versionsUrl;
    loadRoaming();
  } catch (err) {
    $("partner-result").textContent = "Not created: " + err.message;
  }
});

// ---- the trend: chargers per status over the last 24 hours, stacked bars, kept live --------------

const TREND_STEP_S = 900;
const COLORS = { Available: "#1a7f37", Preparing: "#8250df", Charging: "#0a6e6e", Finishing: "#bc4c00", Completed: "#0969da",
  Paused: "#bf8700", Faulted: "#b3261e", Offline: "#57606a", Unknown: "#8c959f", Unavailable: "#7d4e00" };
const SVG = "http://www.w3.org/2000/svg";

// The newest point follows the table: it is the network now; a new point starts every TREND_STEP_S.
function updateTrendNow() {
  if (!state.history) return;
  const points = state.history.points;
  const now = Date.now();
  const last = points[points.length - 1];
  if (!last || now - new Date(last.at).getTime() >= TREND_STEP_S * 1000) {
    points.push({ at: new Date(now).toISOString(), counts: counts() });
    if (points.length > 24 * 3600 / TREND_STEP_S + 1) points.shift();
  } else {
    last.counts = counts();
  }
}

// Bars of chargers per status over time, with a count axis and a time axis. Points before the first charger
// existed are left out (a fresh install showed 24 hours of empty space and one bar), keeping at least a few.
const AXIS_LEFT = 36, AXIS_BOTTOM = 18, MIN_SHOWN = 8;

function svgText(x, y, text, anchor) {
  const t = document.createElementNS(SVG, "text");
  t.setAttribute("x", x);
  t.setAttribute("y", y);
  t.setAttribute("text-anchor", anchor || "start");
  t.setAttribute("class", "axis");
  t.textContent = text;
  return t;
}

function total(p) {
  return STATUSES.reduce((sum, s) => sum + (p.counts[s] || 0), 0);
}

function renderTrend() {
  const svg = $("trend-svg");
  if (!state.history || !svg) return;
  updateTrendNow();
  const all = state.history.points;
  const first = all.findIndex((p) => total(p) > 0);
  const from = first < 0 ? all.length - 1 : Math.max(0, Math.min(first, all.length - MIN_SHOWN));
  const points = all.slice(from);
  const width = 960, height = 160;
  const plotW = width - AXIS_LEFT, plotH = height - AXIS_BOTTOM;
  const max = Math.max(1, ...points.map(total));
  const bar = plotW / Math.max(points.length, 1);
  const fragment = document.createDocumentFragment();
  // The count axis: 0 and the highest total, with a faint line at the top.
  const top = document.createElementNS(SVG, "line");
  top.setAttribute("x1", AXIS_LEFT); top.setAttribute("x2", width);
  top.setAttribute("y1", 4); top.setAttribute("y2", 4);
  top.setAttribute("class", "gridline");
  fragment.append(top, svgText(AXIS_LEFT - 4, 12, String(max), "end"), svgText(AXIS_LEFT - 4, plotH, "0", "end"));
  points.forEach((p, i) => {
    let y = plotH;
    const group = document.createElementNS(SVG, "g");
    const title = document.createElementNS(SVG, "title");
    title.textContent = time(p.at) + ": " + STATUSES.filter((s) => p.counts[s]).map((s) => s + " " + p.counts[s]).join(", ");
    group.append(title);
    for (const s of STATUSES) {
      const n = p.counts[s] || 0;
      if (!n) continue;
      const h = n / max * (plotH - 4);
      y -= h;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", (AXIS_LEFT + i * bar + 1).toFixed(1));
      rect.setAttribute("width", Math.max(1, bar - 2).toFixed(1));
      rect.setAttribute("y", y.toFixed(1));
      rect.setAttribute("height", h.toFixed(1));
      rect.setAttribute("fill", COLORS[s]);
      rect.dataset.status = s;
      group.append(rect);
    }
    fragment.append(group);
  });
  // The time axis: the first shown point, the middle one and now.
  const hhmm = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  fragment.append(svgText(AXIS_LEFT, height - 3, hhmm(points[0].at), "start"));
  if (points.length > 4) {
    const mid = Math.floor(points.length / 2);
    fragment.append(svgText(AXIS_LEFT + mid * bar + bar / 2, height - 3, hhmm(points[mid].at), "middle"));
  }
  fragment.append(svgText(width, height - 3, "now", "end"));
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.replaceChildren(fragment);
  svg.dataset.points = String(all.length);
  svg.dataset.shown = String(points.length);
  svg.dataset.last = JSON.stringify(points[points.length - 1].counts);
  $("trend-caption").textContent = from > 0
    ? "Chargers per status since " + hhmm(points[0].at) + " (every 15 minutes; the last bar is now)"
    : "Chargers per status, last 24 hours (every 15 minutes; the last bar is now)";
  const legend = $("trend-legend");
  if (legend.children.length === 0) {
    for (const s of STATUSES) {
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = COLORS[s];
      item.append(swatch, document.createTextNode(s));
      legend.append(item);
    }
  }
}

setInterval(renderTrend, 60_000);

function counts() {
  const n = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  state.chargers.forEach((c) => n[c.status]++);
  return n;
}

function renderCounters() {
  const n = counts();
  const box = $("counters");
  if (box.children.length === 0) {
    STATUSES.forEach((s) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "counter s-" + s;
      b.dataset.status = s;
      b.title = state.descriptions[s] || s;
      b.setAttribute("aria-pressed", "false");
      const count = document.createElement("span");
      count.className = "n";
      b.append(count, document.createTextNode(s));
      b.addEventListener("click", () => {
        state.filter = state.filter === s ? null : s;
        render();
      });
      box.append(b);
    });
  }
  for (const b of box.children) {
    b.querySelector(".n").textContent = n[b.dataset.status];
    b.setAttribute("aria-pressed", String(state.filter === b.dataset.status));
    b.setAttribute("aria-label", b.dataset.status + ": " + n[b.dataset.status] + " chargers" + (state.filter === b.dataset.status ? ", filtering" : ""));
  }
}

function visible(c) {
  if (state.filter && c.status !== state.filter) return false;
  if (!state.search) return true;
  const q = state.search.toLowerCase();
  return [c.id, c.name, c.siteId, siteName(c)].some((v) => v && v.toLowerCase().includes(q));
}

function compare(a, b) {
  const k = state.sort.key;
  if (k === "status") {
    return (SEVERITY.indexOf(a.status) - SEVERITY.indexOf(b.status)) * state.sort.dir
      || a.id.localeCompare(b.id, undefined, { numeric: true });
  }
  if (k === "siteId") {
    return siteName(a).localeCompare(siteName(b), undefined, { numeric: true }) * state.sort.dir;
  }
  const x = a[k] == null ? "" : String(a[k]);
  const y = b[k] == null ? "" : String(b[k]);
  return x.localeCompare(y, undefined, { numeric: true }) * state.sort.dir;
}

function rowFor(c) {
  let tr = state.rows.get(c.id);
  if (!tr) {
    tr = document.createElement("tr");
    tr.tabIndex = 0;
    tr.dataset.id = c.id;
    for (let i = 0; i < 7; i++) tr.append(document.createElement("td"));
    tr.children[6].className = "fault-col";
    tr.addEventListener("click", () => openDetail(c.id));
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openDetail(c.id); } });
    state.rows.set(c.id, tr);
  }
  fillRow(tr, c);
  return tr;
}

function fillRow(tr, c) {
  const cells = tr.children;
  cells[0].textContent = c.id;
  cells[1].textContent = c.name || "";
  cells[2].textContent = siteName(c);
  cells[2].title = c.siteId || "";
  const badge = document.createElement("span");
  badge.className = "badge s-" + c.status;
  badge.textContent = c.status;
  badge.title = state.descriptions[c.status] || "";
  // "connector 1 charging, connector 2 faulted" without opening the drawer: a numbered chip per connector.
  const chips = document.createElement("span");
  chips.className = "chips";
  if ((c.connectors || []).length > 1 || (c.connectors || []).some((k) => k.status !== c.status)) {
    for (const k of c.connectors || []) {
      const chip = document.createElement("span");
      chip.className = "chip s-" + k.status;
      chip.textContent = k.connectorId;
      chip.title = "connector " + k.connectorId + ": " + k.status;
      chip.setAttribute("aria-label", chip.title);
      chip.dataset.connector = k.connectorId;
      chip.dataset.status = k.status;
      chips.append(chip);
    }
  }
  cells[3].replaceChildren(badge, chips);
  timeCell(cells[4], c.statusSince);
  timeCell(cells[5], c.lastSeenAt);
  tr.classList.toggle("stale", Boolean(stale(c)));
  if (stale(c)) cells[5].title += " — not heard of for more than 15 minutes";
  cells[6].textContent = c.faultCode || "";
  tr.dataset.status = c.status;
}

function render() {
  renderCounters();
  renderTrend();
  const list = [...state.chargers.values()].filter(visible).sort(compare);
  const body = document.querySelector("#chargers tbody");
  const fragment = document.createDocumentFragment();
  list.forEach((c) => fragment.append(rowFor(c)));
  if (list.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 7;
    td.className = "empty";
    td.textContent = state.chargers.size === 0
      ? "No chargers in this account yet. Add one with POST /api/v1/chargers (see /openapi.json), then point it at /ocpp/{id}."
      : "No charger matches the filter or the search.";
    tr.append(td);
    fragment.append(tr);
  }
  body.replaceChildren(fragment);
  $("count").textContent = list.length + " of " + state.chargers.size + " chargers";
}

document.querySelectorAll("#chargers th").forEach((th) => {
  th.querySelector("button").addEventListener("click", () => {
    const key = th.dataset.key;
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
    document.querySelectorAll("#chargers th").forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", state.sort.dir === 1 ? "ascending" : "descending");
    render();
  });
});

$("search").addEventListener("input", (e) => {
  state.search = e.target.value.trim();
  render();
});

$("show-fault").addEventListener("change", (e) => {
  $("chargers").classList.toggle("show-fault", e.target.checked);
});

// ---- live updates --------------------------------------------------------------------------

function setLive(live) {
  $("live").textContent = live ? "live" : "not live";
  $("live").classList.toggle("on", live);
  $("banner").hidden = live;
}

function connect() {
  if (state.events) state.events.close();
  let url = "/api/v1/events?access_token=" + encodeURIComponent(state.token);
  if (state.account) url += "&accountId=" + encodeURIComponent(state.account);
  if (state.lastEventId) url += "&lastEventId=" + encodeURIComponent(state.lastEventId);
  const es = new EventSource(url);
  state.events = es;
  es.onopen = () => setLive(true);
  es.onerror = () => {
    setLive(false);
    // The browser reconnects by itself (sending Last-Event-ID); a refused stream is retried here.
    if (es.readyState === EventSource.CLOSED) setTimeout(() => { if (state.events === es) connect(); }, 3000);
  };
  es.addEventListener("status", (e) => {
    state.lastEventId = e.lastEventId;
    apply(JSON.parse(e.data));
  });
}

async function apply(event) {
  incidentsSoon();
  let c = state.chargers.get(event.chargerId);
  if (!c) {
    try {
      c = await api("/api/v1/chargers/" + encodeURIComponent(event.chargerId));
    } catch (err) {
      return;
    }
    state.chargers.set(c.id, c);
    render();
    return;
  }
  if (c.status !== event.status) c.statusSince = event.timestamp;
  c.status = event.status;
  c.faultCode = event.faultCode;
  c.lastSeenAt = event.receivedAt;
  c.online = event.status !== "Offline" && event.status !== "Unknown";
  if (event.connector) {
    const k = c.connectors.find((x) => x.connectorId === event.connector.connectorId);
    if (k) Object.assign(k, event.connector);
    else if (event.connector.connectorId > 0) c.connectors.push({ ...event.connector });
  }
  const tr = state.rows.get(c.id);
  if (tr) fillRow(tr, c);
  renderCounters();
  renderTrend();
  if (state.filter || state.sort.key === "status" || state.sort.key === "statusSince" || state.sort.key === "lastSeenAt") {
    render();
  } else {
    renderCounters();
  }
  if (state.detail === c.id) openDetail(c.id);
}

// ---- detail --------------------------------------------------------------------------------

async function openDetail(id) {
  state.detail = id;
  const panel = $("detail");
  const wasHidden = panel.hidden;
  panel.hidden = false;
  const [c, history, security, incidents] = await Promise.all([
    api("/api/v1/chargers/" + encodeURIComponent(id)),
    api("/api/v1/chargers/" + encodeURIComponent(id) + "/history?limit=20"),
    api("/api/v1/chargers/" + encodeURIComponent(id) + "/security-events?limit=10"),
    api("/api/v1/incidents?limit=10&chargerId=" + encodeURIComponent(id)),
  ]);
  $("detail-incidents-section").hidden = incidents.length === 0;
  $("detail-incidents").replaceChildren(...incidents.map((i) => {
    const li = document.createElement("li");
    li.textContent = i.kind + (i.connectorId != null ? " (connector " + i.connectorId + ")" : "") + ", " + i.state
      + ", since " + time(i.startedAt) + (i.resolvedAt ? ", back " + time(i.backAt) : "")
      + " — " + Math.round(i.durationS / 60) + " min" + (i.note ? " — " + i.note : "");
    return li;
  }));
  state.detailCharger = c;
  enableCommands(c);
  $("detail-title").textContent = c.name ? c.name + " (" + c.id + ")" : c.id;
  const facts = $("detail-facts");
  facts.replaceChildren();
  [["Status", c.status], ["Fault code", c.faultCode || "—"], ["Online", c.online ? "yes" : "no"], ["Site", siteName(c) || "—"],
   ["Vendor / model", [c.vendor, c.model].filter(Boolean).join(" ") || "—"], ["Firmware", c.firmwareVersion || "—"],
   ["OCPP", c.ocppVersion || "—"],
   ["Secured", c.secured ? "yes (app or RFID)" : "no (plug & charge)"], ["Last seen", time(c.lastSeenAt)]].forEach(([k, v]) => {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    facts.append(dt, dd);
  });
  const body = document.querySelector("#detail-connectors tbody");
  body.replaceChildren(...c.connectors.map((k) => {
    const tr = document.createElement("tr");
    // OCPP 2.0.1 EVSEs: the connector status and the running transaction's charging state.
    [k.connectorId, k.status, k.chargingState ? k.ocppStatus + " · " + k.chargingState : k.ocppStatus,
     [k.errorCode, k.vendorErrorCode].filter(Boolean).join("/"), time(k.since),
     k.transactionId == null ? "—" : k.transactionId].forEach((v) => {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    });
    return tr;
  }));
  // "long-string (BootNotification.chargeBoxSerialNumber, 33 characters) x 2, last ..."
  const deviations = c.deviations || [];
  $("detail-deviations-section").hidden = deviations.length === 0;
  $("detail-deviations").replaceChildren(...deviations.map((d) => {
    const li = document.createElement("li");
    li.textContent = d.rule + " (" + d.field + (d.detail ? ", " + d.detail : "") + ") × " + d.count + ", last " + time(d.lastSeenAt);
    return li;
  }));
  $("detail-security-section").hidden = security.length === 0;
  $("detail-security").replaceChildren(...security.map((e) => {
    const li = document.createElement("li");
    li.textContent = time(e.timestamp) + " — " + e.type + (e.critical ? " (critical)" : "") + (e.techInfo ? ": " + e.techInfo : "");
    return li;
  }));
  $("detail-history").replaceChildren(...history.map((e) => {
    const li = document.createElement("li");
    const what = e.connector ? "connector " + e.connector.connectorId + " " + e.connector.ocppStatus : "charger";
    li.textContent = time(e.timestamp) + " — " + e.status + " (" + what + ")" + (e.applied === false ? " — late, not applied" : "");
    return li;
  }));
  if (wasHidden) $("detail-close").focus();
}

$("detail-close").addEventListener("click", closeDetail);
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !$("detail").hidden) closeDetail(); });

function closeDetail() {
  const id = state.detail;
  state.detail = null;
  $("detail").hidden = true;
  const tr = state.rows.get(id);
  if (tr) tr.focus();
}

// Commands: the ones that interrupt a driver or change what the charger offers ask first; the ones that need
// input ask for it; all are disabled while the charger has no session (the answer would only be a 409).
function commandBody(b) {
  const ask = (question, fallback) => {
    const v = prompt(question, fallback);
    return v === null || v.trim() === "" ? null : v.trim();
  };
  switch (b.dataset.input) {
    case "firmware": {
      const location = ask("Firmware location (URL)");
      return location && { location };
    }
    case "connector": {
      const connectorId = ask("Connector", "1");
      return connectorId && { connectorId: Number(connectorId) };
    }
    case "start": {
      const connectorId = ask("Connector", "1");
      const idTag = connectorId && ask("Id tag (RFID card or app user) to start for");
      return idTag && { connectorId: Number(connectorId), idTag };
    }
    case "stop": {
      const running = (state.detailCharger?.connectors || []).filter((k) => k.transactionId != null);
      const id = ask("Transaction to stop", running.length ? String(running[0].transactionId) : "");
      return id && { transactionId: /^\d+$/.test(id) ? Number(id) : id };
    }
    default:
      return b.dataset.body ? JSON.parse(b.dataset.body) : {};
  }
}

document.querySelectorAll("[data-command]").forEach((b) => {
  b.addEventListener("click", async () => {
    if (b.dataset.confirm && !confirm(b.dataset.confirm.replace("{id}", state.detail))) return;
    const body = commandBody(b);
    if (!body) return;
    $("command-result").textContent = b.textContent + "…";
    try {
      const r = await api("/api/v1/chargers/" + encodeURIComponent(state.detail) + "/commands/" + b.dataset.command,
        { method: "POST", body: JSON.stringify(body) });
      $("command-result").textContent = b.textContent + ": " + (r.status || "answered");
    } catch (err) {
      $("command-result").textContent = b.textContent + " failed: " + err.message;
    }
  });
});

function enableCommands(c) {
  document.querySelectorAll("[data-command]").forEach((b) => {
    b.disabled = !c.online;
    b.title = c.online ? "" : "the charger is offline: commands need its live session";
  });
  $("commands-offline").hidden = c.online;
}

if (state.token) start();

// Relative times age: refresh them (and the stale marks) without waiting for an event.
setInterval(() => {
  state.rows.forEach((tr, id) => {
    const c = state.chargers.get(id);
    if (c) fillRow(tr, c);
  });
}, 30_000);
