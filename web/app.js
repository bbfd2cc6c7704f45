// phishstream web UI. Plain JavaScript, no dependencies. Every value that
// comes from mail (subjects, names, text, links) is put on the page with
// textContent, never as HTML, and links are shown, not made clickable.
"use strict";

const state = { csrf: sessionStorage.getItem("csrf") || "", role: sessionStorage.getItem("role") || "", timer: null };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (opts.method && opts.method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
  }
  const r = await fetch(path, { method: opts.method || "GET", headers, body: opts.body, credentials: "same-origin" });
  if (r.status === 401) { showLogin(); throw new Error("not logged in"); }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data.error && data.error.message) || r.statusText);
  return data;
}

function badge(action) { return el("span", { class: "badge " + action }, action); }
function pct(x) { return (100 * (x || 0)).toFixed(1) + "%"; }
function when(ms) { return ms ? new Date(ms).toLocaleString() : ""; }

function showLogin() {
  clearInterval(state.timer);
  document.getElementById("nav").hidden = true;
  document.getElementById("page").replaceChildren();
  document.getElementById("login").hidden = false;
}

async function login(ev) {
  ev.preventDefault();
  const f = ev.target;
  const err = document.getElementById("login-error");
  err.textContent = "";
  const r = await fetch("/v1/login", { method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
    body: JSON.stringify({ user: f.user.value, password: f.password.value }) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) { err.textContent = (data.error && data.error.message) || "login failed"; return; }
  state.csrf = data.csrf; state.role = data.role;
  sessionStorage.setItem("csrf", data.csrf); sessionStorage.setItem("role", data.role);
  f.password.value = "";
  document.getElementById("login").hidden = true;
  route();
}

async function logout() {
  await api("/v1/logout", { method: "POST" }).catch(() => {});
  sessionStorage.clear();
  state.csrf = ""; state.role = "";
  showLogin();
}

// ---- Messages ------------------------------------------------------------

async function messagesPage(page) {
  const action = el("select", { name: "action" }, el("option", { value: "" }, "any action"),
    ...["inbox", "junk", "quarantine", "reject"].map(a => el("option", { value: a }, a)));
  const sender = el("input", { name: "sender", placeholder: "sender" });
  const subject = el("input", { name: "subject", placeholder: "subject contains" });
  const hours = el("select", { name: "since" }, ...[["", "all time"], ["1", "last hour"], ["24", "last day"], ["168", "last week"]]
    .map(([v, t]) => el("option", { value: v }, t)));
  const body = el("tbody");
  const all = el("input", { type: "checkbox", id: "select-all", title: "select all shown" });
  const table = el("table", { id: "messages" }, el("thead", {}, el("tr", {}, el("th", {}, all),
    ...["Received", "Action", "P(phish)", "P(spam)", "From", "To", "Subject", "Why"].map(h => el("th", {}, h)))), body);
  const more = el("button", { type: "button", id: "load-more", hidden: "" }, "Load more");
  const done = el("span", { id: "bulk-result", class: "muted" });
  let next = null, pages = 0;
  const checked = () => [...body.querySelectorAll("input[type=checkbox]:checked")].map(c => c.value);
  const row = m => el("tr", { class: "row", "data-id": m.id, onclick: () => { location.hash = "#/message/" + m.id; } },
    el("td", { onclick: e => e.stopPropagation() }, el("input", { type: "checkbox", value: m.id, "aria-label": "select" })),
    el("td", {}, when(m.received_ms)), el("td", {}, badge(m.action)), el("td", { class: "num" }, pct(m.phish)),
    el("td", { class: "num" }, pct(m.spam)),
    el("td", { class: "from" }, m.from_name ? el("span", { class: "name" }, m.from_name) : "", m.from_name ? " " : "", el("span", { class: m.from_name ? "muted" : "" }, m.from || m.mail_from)),
    el("td", { class: "rcpt" }, (m.rcpt || []).join(", ")),
    el("td", {}, m.subject), el("td", { class: "why" }, (m.reasons || [])[0] || ""));
  const query = () => {
    const q = new URLSearchParams({ limit: "100" });
    if (action.value) q.set("action", action.value);
    if (sender.value) q.set("sender", sender.value);
    if (subject.value) q.set("subject", subject.value);
    if (hours.value) q.set("since", String(Date.now() - Number(hours.value) * 3600000));
    return q;
  };
  async function load() {
    const data = await api("/v1/messages?" + query());
    const keep = new Set(checked());  // a refresh that lands after a click keeps the selection
    body.replaceChildren(...data.messages.map(row));
    for (const c of body.querySelectorAll("input[type=checkbox]")) c.checked = keep.has(c.value);
    if (!keep.size) all.checked = false;
    next = data.next; pages = 1;
    more.hidden = !next;
  }
  async function loadMore() {
    if (!next) return;
    const q = query();
    q.set("before", next);
    const data = await api("/v1/messages?" + q);
    body.append(...data.messages.map(row));
    next = data.next; pages++;
    more.hidden = !next;
  }
  // One action on every selected message; what failed is said, the rest stands.
  async function bulk(label, path, opts) {
    const ids = checked();
    if (!ids.length) { done.textContent = "select messages first"; return; }
    if (opts.method === "DELETE" && !confirm(`Delete ${ids.length} message(s)?`)) return;
    let ok = 0;
    const failed = [];
    for (const id of ids) {
      try { await api(path(id), opts); ok++; } catch (e) { failed.push(`${id}: ${e.message}`); }
    }
    done.textContent = `${label}: ${ok} of ${ids.length} done` + (failed.length ? `; ${failed.join("; ")}` : "");
    for (const c of body.querySelectorAll("input[type=checkbox]")) c.checked = false;
    all.checked = false;
    await load();
  }
  more.addEventListener("click", loadMore);
  all.addEventListener("change", () => { for (const c of body.querySelectorAll("input[type=checkbox]")) c.checked = all.checked; });
  for (const c of [action, sender, subject, hours]) c.addEventListener("change", load);
  const bulkBar = el("div", { class: "actions", id: "bulk" },
    el("button", { type: "button", id: "bulk-release", onclick: () => bulk("released", id => `/v1/messages/${encodeURIComponent(id)}/release`, { method: "POST" }) }, "Release selected"),
    el("button", { type: "button", id: "bulk-phish", onclick: () => bulk("reported phishing", id => `/v1/messages/${encodeURIComponent(id)}/feedback`, { method: "POST", json: { label: "phish" } }) }, "Report phishing"),
    el("button", { type: "button", id: "bulk-ham", onclick: () => bulk("reported not phishing", id => `/v1/messages/${encodeURIComponent(id)}/feedback`, { method: "POST", json: { label: "ham" } }) }, "Not phishing"),
    state.role !== "admin" ? "" : el("button", { type: "button", class: "danger", id: "bulk-delete", onclick: () => bulk("deleted", id => `/v1/messages/${encodeURIComponent(id)}`, { method: "DELETE" }) }, "Delete selected"),
    done);
  page.append(el("h2", {}, "Messages"), el("div", { class: "filters" }, action, sender, subject, hours,
    el("span", { class: "muted" }, "updates live while nothing is selected")), bulkBar, table, more);
  await load();
  // Live: the first page again, unless someone is choosing or reading further.
  state.timer = setInterval(() => { if (!checked().length && pages <= 1) load().catch(() => {}); }, 5000);
}

async function messagePage(page, id) {
  const m = await api("/v1/messages/" + encodeURIComponent(id));
  const act = async (path, opts) => {
    try { await api(path, opts); } catch (e) { alert(e.message); return; }
    route();
  };
  // Held: quarantined or purged (docs/architecture.md, "Message status").
  const held = m.status === "quarantined" || m.status === "purged";
  page.append(
    el("p", {}, el("a", { href: "#/messages" }, "← all messages")),
    el("h2", {}, m.subject || "(no subject)"),
    el("div", { class: "card" },
      el("p", {}, badge(m.action), " ", el("span", {}, `P(phish) ${pct(m.phish)} · P(spam) ${pct(m.spam)} · status ${m.status} · model ${m.model}`)),
      el("p", { class: "muted" }, `From ${m.from || ""} · envelope ${m.mail_from} → ${(m.rcpt || []).join(", ")} · ${when(m.received_ms)}`),
      el("div", { class: "actions" },
        el("button", { type: "button", id: "report-phish", onclick: () => act(`/v1/messages/${id}/feedback`, { method: "POST", json: { label: "phish" } }) }, "Report phishing"),
        el("button", { type: "button", id: "not-phish", onclick: () => act(`/v1/messages/${id}/feedback`, { method: "POST", json: { label: "ham" } }) }, "Not phishing"),
        el("button", { type: "button", id: "report-spam", onclick: () => act(`/v1/messages/${id}/feedback`, { method: "POST", json: { label: "spam" } }) }, "Report spam"),
        held ? el("button", { type: "button", id: "release", onclick: () => act(`/v1/messages/${id}/release`, { method: "POST" }) }, "Release from quarantine") : "",
        state.role !== "admin" ? "" : el("button", { type: "button", class: "danger", id: "delete", onclick: async () => { if (confirm("Delete this message?")) { await api(`/v1/messages/${id}`, { method: "DELETE" }); location.hash = "#/messages"; } } }, "Delete"))),
    el("div", { class: "grid" },
      el("div", { class: "card" }, el("h2", {}, "Why"), el("ul", { id: "reasons" }, ...(m.reasons || []).map(r => el("li", {}, r)))),
      el("div", { class: "card" }, el("h2", {}, "Top model contributions"),
        el("table", {}, el("tbody", {}, ...(m.explanation || []).map(x => el("tr", {}, el("td", {}, x.text), el("td", { class: "num" }, x.weight.toFixed(2)))))))),
    el("div", { class: "card" }, el("h2", {}, "Links (where they really go)"),
      el("table", { id: "links" }, el("thead", {}, el("tr", {}, el("th", {}, "Text"), el("th", {}, "Goes to"), el("th", {}, "Domain"))),
        el("tbody", {}, ...(m.links || []).map(l => el("tr", {}, el("td", {}, l.text), el("td", {}, l.href), el("td", {}, l.domain)))))),
    el("div", { class: "card" }, el("h2", {}, "Message text (safe rendering)"), el("pre", { class: "body", id: "body" }, m.text || "")),
    el("div", { class: "card" }, el("h2", {}, "Headers"),
      el("table", {}, el("tbody", {}, ...(m.headers || []).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v)))))));
}

// ---- Dashboard -------------------------------------------------------------

function bars(values, labels, color) {
  const w = 480, h = 140, max = Math.max(1, ...values), bw = w / Math.max(1, values.length);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h + 16}`);
  svg.setAttribute("width", "100%");
  values.forEach((v, i) => {
    const r = document.createElementNS(svg.namespaceURI, "rect");
    const bh = (v / max) * h;
    r.setAttribute("x", i * bw + 1); r.setAttribute("y", h - bh); r.setAttribute("width", bw - 2); r.setAttribute("height", bh);
    r.setAttribute("fill", color);
    const t = document.createElementNS(svg.namespaceURI, "title"); t.textContent = `${labels[i]}: ${v}`; r.append(t);
    svg.append(r);
    if (i % Math.ceil(values.length / 8) === 0) {
      const tx = document.createElementNS(svg.namespaceURI, "text");
      tx.setAttribute("x", i * bw + 2); tx.setAttribute("y", h + 12); tx.textContent = labels[i];
      svg.append(tx);
    }
  });
  return svg;
}

async function dashboardPage(page) {
  const s = await api("/v1/stats");
  const hours = [], byAction = { inbox: [], junk: [], quarantine: [], reject: [] };
  const start = Math.floor((Date.now() - 23 * 3600000) / 3600000) * 3600000;
  for (let i = 0; i < 24; i++) { hours.push(new Date(start + i * 3600000).getHours() + "h"); for (const a in byAction) byAction[a].push(0); }
  for (const b of s.volume_24h || []) {
    const i = Math.round((b.start_ms - start) / 3600000);
    if (i >= 0 && i < 24 && byAction[b.action]) byAction[b.action][i] += b.count;
  }
  const fb = s.feedback || { total: 0 };
  const colors = { inbox: "#2e7d32", junk: "#b26a00", quarantine: "#c62828", reject: "#6a1b9a" };
  page.append(el("h2", {}, "Dashboard"),
    el("div", { class: "grid", id: "dashboard" },
      ...Object.keys(byAction).map(a => el("div", { class: "card" }, el("h2", {}, `Volume: ${a} (24 h)`), bars(byAction[a], hours, colors[a]))),
      el("div", { class: "card" }, el("h2", {}, "P(phish) histogram (24 h)"),
        bars(s.phish_score_histogram_24h || [], ["0", ".1", ".2", ".3", ".4", ".5", ".6", ".7", ".8", ".9"], "#1f77b4")),
      el("div", { class: "card" }, el("h2", {}, "Latency, 250 → delivered"),
        el("p", {}, `p50 ${(s.latency.p50_ms || 0).toFixed(1)} ms · p99 ${(s.latency.p99_ms || 0).toFixed(1)} ms over ${s.latency.count || 0} messages`),
        el("p", { class: "muted" }, `queue depth ${s.queue.depth}, oldest ${(s.queue.oldest_age_ms / 1000).toFixed(0)} s, dead letters ${s.queue.dead_letters}`)),
      el("div", { class: "card" }, el("h2", {}, "Feedback"),
        el("p", {}, `${fb.total} reports: ${fb.phish || 0} phishing, ${fb.spam || 0} spam, ${fb.ham || 0} not phishing`),
        el("p", {}, `False positives reported: ${fb.false_positives || 0} (${s.messages ? pct((fb.false_positives || 0) / s.messages) : "0%"} of ${s.messages} messages); false negatives: ${fb.false_negatives || 0}`)),
      el("div", { class: "card", id: "live-model" }, el("h2", {}, "Live model"), el("p", {}, s.model)),
      ...topCards(s.top_24h || {})));
  const models = await api("/v1/models").catch(() => null);
  const live = models && models.models.find(x => x.version === models.live);
  if (live && live.metrics && live.metrics.auc !== undefined)
    document.getElementById("live-model").append(el("p", {}, `held-back AUC ${live.metrics.auc.toFixed(5)}, ham out of inbox ${pct(live.metrics.ham_out_of_inbox)}`));
  else if (live)
    document.getElementById("live-model").append(el("p", { class: "muted" }, live.trained_on));
}

// The day's most frequent sender domains, claimed brands and signals.
function topCards(t) {
  const span = t.truncated ? `24 h, newest ${t.messages}` : "24 h";
  const list = (id, title, rows) => el("div", { class: "card", id }, el("h2", {}, title.replace("24 h", span)),
    rows && rows.length ? el("table", {}, el("tbody", {}, ...rows.map(([k, n]) => el("tr", {}, el("td", {}, k), el("td", { class: "num" }, n)))))
      : el("p", { class: "muted" }, "none"));
  return [list("top-senders", "Top sender domains (24 h)", t.sender_domains),
    list("top-flagged", "Top sender domains out of the inbox (24 h)", t.flagged_sender_domains),
    list("top-brands", "Brands flagged mail claimed (24 h)", t.claimed_brands),
    list("top-signals", "Signals behind flagged mail (24 h)", t.flagged_signals)];
}

// ---- Models ----------------------------------------------------------------

function rocChart(points) {
  const w = 300, h = 200, svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", "300");
  const x = f => 30 + (Math.log10(Math.max(f, 1e-4)) + 4) / 4 * (w - 40), y = t => 10 + (1 - t) * (h - 30);
  const line = document.createElementNS(svg.namespaceURI, "polyline");
  line.setAttribute("points", points.map(([f, t]) => `${x(f).toFixed(1)},${y(t).toFixed(1)}`).join(" "));
  line.setAttribute("fill", "none"); line.setAttribute("stroke", "#c62828"); line.setAttribute("stroke-width", "2");
  svg.append(line);
  for (const [label, f] of [["1e-4", 1e-4], ["1e-2", 1e-2], ["1", 1]]) {
    const t = document.createElementNS(svg.namespaceURI, "text");
    t.setAttribute("x", x(f) - 8); t.setAttribute("y", h - 5); t.textContent = label; svg.append(t);
  }
  return svg;
}

async function modelsPage(page) {
  const m = await api("/v1/models");
  const admin = state.role === "admin";
  const act = async (path) => { try { await api(path, { method: "POST" }); } catch (e) { alert(e.message); } route(); };
  const chart = el("div", { class: "card", id: "roc" }, el("p", { class: "muted" }, "Select a retrained model to see its ROC curve."));
  const showRoc = (x) => {
    chart.replaceChildren(el("h2", {}, `ROC, phish against ham: ${x.version}`), rocChart(x.metrics.roc || []),
      el("p", {}, x.metrics.reason || ""));
  };
  const fig = (x, k, f) => (x.metrics && x.metrics[k] !== undefined ? f(x.metrics[k]) : "");
  page.append(el("h2", {}, "Models"), el("p", {}, "Live: ", el("strong", {}, m.live)),
    admin ? el("div", { class: "actions" },
      el("button", { type: "button", id: "rollback", onclick: () => act("/v1/models/rollback") }, "Roll back"),
      el("button", { type: "button", id: "retrain", onclick: () => act("/v1/models/retrain") }, "Retrain now")) : "",
    el("table", { id: "models" }, el("thead", {}, el("tr", {}, ...["Version", "Parent", "Status", "Created", "How", "AUC", "Ham out of inbox", ""].map(h => el("th", {}, h)))),
      el("tbody", {}, ...m.models.map(x => el("tr", { class: x.metrics && x.metrics.roc ? "row" : "", onclick: () => { if (x.metrics && x.metrics.roc) showRoc(x); } },
        el("td", {}, x.version), el("td", {}, x.parent), el("td", {}, x.status),
        el("td", {}, when(x.created_ms)), el("td", {}, x.trained_on),
        el("td", { class: "num" }, fig(x, "auc", v => v.toFixed(5))), el("td", { class: "num" }, fig(x, "ham_out_of_inbox", pct)),
        el("td", {}, admin && x.status !== "live" && x.status !== "rejected" ? el("button", { type: "button", onclick: (e) => { e.stopPropagation(); act(`/v1/models/${encodeURIComponent(x.version)}/promote`); } }, "Promote") : ""))))),
    chart);
}

// ---- Tokens (admin) --------------------------------------------------------

async function tokensPage(page) {
  const t = await api("/v1/tokens");
  const role = el("select", { name: "role" }, el("option", { value: "analyst" }, "analyst"), el("option", { value: "admin" }, "admin"),
    el("option", { value: "reporter" }, "reporter (mailbox feedback only)"));
  const label = el("input", { name: "label", placeholder: "what it is for" });
  const shown = el("p", { id: "new-token", class: "muted" });
  const create = async () => {
    const r = await api("/v1/tokens", { method: "POST", json: { role: role.value, label: label.value } });
    shown.replaceChildren("New token (copy it now, it is shown once): ", el("code", {}, r.token));
    const page2 = document.getElementById("page");
    await refresh(page2.querySelector("tbody"));
  };
  const refresh = async (body) => {
    const data = await api("/v1/tokens");
    body.replaceChildren(...data.tokens.map(x => el("tr", {}, el("td", {}, x.id), el("td", {}, x.label), el("td", {}, x.role), el("td", {}, when(x.created_ms)), el("td", { class: "last-used" }, x.last_used_ms ? when(x.last_used_ms) : "never"),
      el("td", {}, x.revoked ? "revoked" : "active"),
      el("td", {}, x.revoked ? "" : el("button", { type: "button", onclick: async () => { await api(`/v1/tokens/${encodeURIComponent(x.id)}`, { method: "DELETE" }); refresh(body); } }, "Revoke")))));
  };
  const body = el("tbody");
  page.append(el("h2", {}, "API tokens"), el("div", { class: "filters" }, role, label, el("button", { type: "button", id: "create-token", onclick: create }, "Create token")), shown,
    el("table", { id: "tokens" }, el("thead", {}, el("tr", {}, ...["Id", "Label", "Role", "Created", "Last used", "State", ""].map(h => el("th", {}, h)))), body));
  await refresh(body);
  void t;
}

// ---- Release requests (from the quarantine digest) ---------------------------

async function requestsPage(page) {
  const stateSel = el("select", { name: "request-state" }, ...["pending", "approved", "denied", "released", "all"].map(v => el("option", { value: v }, v)));
  const body = el("tbody");
  const msg = el("p", { id: "requests-result", class: "muted" });
  const decide = async (q, decision) => {
    try {
      await api("/v1/release-requests", { method: "POST", json: { message_id: q.message_id, rcpt: q.rcpt, decision } });
      msg.textContent = `${q.rcpt}: ${decision === "approve" ? "approved and delivered" : "denied"}`;
    } catch (e) { msg.textContent = `${q.rcpt}: ${e.message}`; }
    await refresh();
  };
  const refresh = async () => {
    const data = await api(`/v1/release-requests?state=${stateSel.value}&limit=200`);
    body.replaceChildren(...data.requests.map(q => el("tr", { "data-rcpt": q.rcpt },
      el("td", {}, when(q.requested_ms)), el("td", { class: "rcpt" }, q.rcpt),
      el("td", { class: "from" }, q.from_name ? `${q.from_name} <${q.from || ""}>` : (q.from || "")),
      el("td", {}, el("a", { href: `#/message/${encodeURIComponent(q.message_id)}` }, q.subject || "(no subject)")),
      el("td", {}, q.action ? badge(q.action) : "", " ", q.phish !== undefined ? pct(q.phish) : ""),
      el("td", { class: "why" }, q.why || ""), el("td", { class: "why" }, q.note || ""),
      el("td", {}, q.state === "pending"
        ? el("span", { class: "actions" }, el("button", { type: "button", class: "approve", onclick: () => decide(q, "approve") }, "Approve"),
            el("button", { type: "button", class: "danger deny", onclick: () => decide(q, "deny") }, "Deny"))
        : `${q.state}${q.decided_by ? " by " + q.decided_by : ""} ${when(q.decided_ms)}`))));
    if (!data.requests.length) body.append(el("tr", {}, el("td", { colspan: "8", class: "muted" }, "No requests.")));
  };
  stateSel.addEventListener("change", refresh);
  const send = el("button", { type: "button", id: "send-digest", hidden: "" }, "Send digests now");
  send.hidden = state.role !== "admin";
  send.addEventListener("click", async () => {
    try { await api("/v1/digest/send", { method: "POST" }); msg.textContent = "digests are being sent"; }
    catch (e) { msg.textContent = e.message; }
  });
  page.append(el("h2", {}, "Release requests"),
    el("p", { class: "muted" }, "Recipients ask for held mail through the links of their quarantine digest. Approving delivers the message to that recipient's inbox, once."),
    el("div", { class: "filters" }, stateSel, send), msg,
    el("table", { id: "requests" }, el("thead", {}, el("tr", {}, ...["Asked", "Recipient", "From", "Subject", "Verdict", "Why", "Note", ""].map(h => el("th", {}, h)))), body));
  await refresh();
}

// ---- Recipient policies (admin) -----------------------------------------------

async function policyPage(page) {
  const text = el("textarea", { id: "policy-text", rows: "16", spellcheck: "false" });
  const note = el("input", { name: "policy-note", placeholder: "what changes, and why", size: "50" });
  const msg = el("p", { id: "policy-result", class: "muted", role: "status" });
  const head = el("p", { id: "policy-version", class: "muted" });
  const body = el("tbody");
  let base = 0;
  const load = async () => {
    const p = await api("/v1/policy");
    base = p.version;
    text.value = p.text;
    head.textContent = p.version ? `Version ${p.version} is in force.` : "The configuration file's [[recipient_policy]] tables are in force; saving makes version 1, which replaces them.";
    body.replaceChildren(...p.versions.map(v => el("tr", { "data-version": v.version }, el("td", {}, v.version), el("td", {}, when(v.at_ms)),
      el("td", {}, v.actor), el("td", {}, v.note),
      el("td", {}, el("button", { type: "button", onclick: async () => {
        const old = await api(`/v1/policy/${v.version}`);
        text.value = old.text;
        msg.textContent = `version ${v.version} loaded into the editor: save to put it back in force`;
      } }, "Load")))));
  };
  const save = async () => {
    try {
      const r = await api("/v1/policy", { method: "PUT", json: { text: text.value, note: note.value, base } });
      msg.textContent = `saved as version ${r.version}; in force now`;
      note.value = "";
      await load();
    } catch (e) { msg.textContent = e.message; msg.className = "error"; return; }
    msg.className = "muted";
  };
  page.append(el("h2", {}, "Recipient policies"),
    el("p", { class: "muted" }, "Domains and addresses with thresholds, sender lists and digest settings of their own, as [[recipient_policy]] tables (docs/configuration.md). Every process applies a saved version within seconds, without a restart."),
    head, el("div", { class: "card" }, text, el("div", { class: "actions" }, note, el("button", { type: "button", id: "policy-save", onclick: save }, "Save"))), msg,
    el("h2", {}, "Versions"),
    el("table", { id: "policy-versions" }, el("thead", {}, el("tr", {}, ...["Version", "Saved", "By", "Note", ""].map(h => el("th", {}, h)))), body));
  await load();
}

// ---- Audit log (admin) -----------------------------------------------------

async function auditPage(page) {
  const data = await api("/v1/audit?limit=200");
  page.append(el("h2", {}, "Audit log"),
    el("table", { id: "audit" }, el("thead", {}, el("tr", {}, ...["When", "Who", "Role", "Path", "Client", "Action", "Message", "Detail"].map(h => el("th", {}, h)))),
      el("tbody", {}, ...data.entries.map(x => el("tr", {}, el("td", {}, new Date(x.at_ms).toLocaleString()), el("td", {}, x.actor),
        el("td", {}, x.role), el("td", {}, x.path), el("td", {}, x.client), el("td", {}, x.action),
        el("td", {}, x.message ? el("a", { href: `#/message/${encodeURIComponent(x.message)}` }, x.message) : ""), el("td", {}, x.detail))))));
}

// ---- Check a message --------------------------------------------------------

async function scanPage(page) {
  const text = el("textarea", { id: "scan-text", rows: "14", placeholder: "Paste a whole message here (headers, a blank line, the body), or choose a file." });
  const file = el("input", { type: "file", id: "scan-file", accept: ".eml,message/rfc822,text/plain" });
  const out = el("div", { id: "scan-result" });
  file.addEventListener("change", async () => { if (file.files[0]) text.value = await file.files[0].text(); });
  const check = async () => {
    out.replaceChildren();
    if (!text.value.trim()) { out.append(el("p", { class: "error" }, "nothing to check")); return; }
    let v;
    try {
      v = await api("/v1/scan", { method: "POST", headers: { "Content-Type": "message/rfc822" }, body: text.value.replace(/\r?\n/g, "\r\n") });
    } catch (e) { out.append(el("p", { class: "error" }, e.message)); return; }
    out.append(el("div", { class: "card" },
      el("p", {}, badge(v.action), " ", el("span", { id: "scan-scores" }, `P(phish) ${pct(v.phish)} · P(spam) ${pct(v.spam)} · model ${v.model}`)),
      el("h2", {}, "Why"), el("ul", { id: "scan-reasons" }, ...(v.reasons || []).map(r => el("li", {}, r))),
      el("p", { class: "muted" }, "signals: " + ((v.signals || []).join(", ") || "none")),
      el("p", { class: "muted" }, "Nothing was stored or delivered.")));
  };
  page.append(el("h2", {}, "Check a message"),
    el("p", { class: "muted" }, "The live model's scores and the global thresholds' action; sender lists, DMARC, block lists and recipient policies are not applied. The message is not kept."),
    el("div", { class: "card" }, text, el("div", { class: "actions" }, file, el("button", { type: "button", id: "scan-check", onclick: check }, "Check"))),
    out);
}

// ---- Users (admin) -----------------------------------------------------------

async function usersPage(page) {
  const roles = ["analyst", "admin", "reporter"];
  const body = el("tbody");
  const msg = el("p", { id: "users-result", class: "muted" });
  const change = async (name, json) => {
    try { await api(`/v1/users/${encodeURIComponent(name)}`, { method: "PATCH", json }); msg.textContent = `${name}: changed`; }
    catch (e) { msg.textContent = `${name}: ${e.message}`; }
    await refresh();
  };
  const refresh = async () => {
    const data = await api("/v1/users");
    body.replaceChildren(...data.users.map(u => {
      const role = el("select", { "aria-label": "role of " + u.name }, ...roles.map(r => el("option", r === u.role ? { value: r, selected: "" } : { value: r }, r)));
      role.addEventListener("change", () => change(u.name, { role: role.value }));
      return el("tr", { "data-user": u.name }, el("td", {}, u.name), el("td", {}, role), el("td", {}, when(u.created_ms)),
        el("td", {}, u.disabled ? "disabled" : "active"),
        el("td", {}, el("button", { type: "button", class: u.disabled ? "" : "danger", onclick: () => change(u.name, { disabled: !u.disabled }) }, u.disabled ? "Enable" : "Disable")));
    }));
  };
  const name = el("input", { name: "new-user", placeholder: "user name" });
  const pw = el("input", { name: "new-password", type: "password", placeholder: "password (8 or more)", autocomplete: "new-password" });
  const role = el("select", { name: "new-role" }, ...roles.map(r => el("option", { value: r }, r)));
  const add = async () => {
    try { await api("/v1/users", { method: "POST", json: { name: name.value, role: role.value, password: pw.value } }); msg.textContent = `${name.value}: added`; name.value = ""; pw.value = ""; }
    catch (e) { msg.textContent = e.message; }
    await refresh();
  };
  page.append(el("h2", {}, "Users"), el("div", { class: "filters" }, name, role, pw, el("button", { type: "button", id: "add-user", onclick: add }, "Add user")), msg,
    el("table", { id: "users" }, el("thead", {}, el("tr", {}, ...["Name", "Role", "Created", "State", ""].map(h => el("th", {}, h)))), body));
  await refresh();
}

// ---- Routing ---------------------------------------------------------------

async function route() {
  clearInterval(state.timer);
  const page = document.getElementById("page");
  page.replaceChildren();
  const [, name, arg] = (location.hash || "#/messages").split("/");
  document.getElementById("nav").hidden = false;
  document.getElementById("who").textContent = state.role ? `signed in (${state.role})` : "";
  document.getElementById("tokens-link").hidden = state.role !== "admin";
  document.getElementById("audit-link").hidden = state.role !== "admin";
  document.getElementById("users-link").hidden = state.role !== "admin";
  document.getElementById("policy-link").hidden = state.role !== "admin";
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === (name === "message" ? "messages" : name));
  try {
    if (name === "message") await messagePage(page, decodeURIComponent(arg || ""));
    else if (name === "dashboard") await dashboardPage(page);
    else if (name === "models") await modelsPage(page);
    else if (name === "tokens") await tokensPage(page);
    else if (name === "audit") await auditPage(page);
    else if (name === "requests") await requestsPage(page);
    else if (name === "policy") await policyPage(page);
    else if (name === "users") await usersPage(page);
    else if (name === "scan") await scanPage(page);
    else await messagesPage(page);
  } catch (e) {
    if (e.message !== "not logged in") page.append(el("p", { class: "error" }, e.message));
  }
}

document.getElementById("login-form").addEventListener("submit", login);
document.getElementById("logout").addEventListener("click", logout);
window.addEventListener("hashchange", route);
route();
