// A recipient's page, opened from a link of their quarantine digest. The
// link's credential is in the URL's fragment (#t=…), which the browser
// never sends to a server; this script sends it in a header. Like app.js,
// everything from mail is put on the page with textContent, never as HTML.
"use strict";

const link = new URLSearchParams(location.hash.slice(1)).get("t") || "";

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

async function call(path, json) {
  const opts = { headers: { "X-Phishstream-Link": link }, credentials: "omit" };
  if (json) { opts.method = "POST"; opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(json); }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data.error && data.error.message) || r.statusText);
  return data;
}

function when(ms) { return ms ? new Date(ms).toLocaleString() : ""; }
function sender(m) { return m.from_name ? `${m.from_name} <${m.from}>` : m.from; }
const result = document.getElementById("self-result");

function heldRow(m, release) {
  const cell = el("td", { class: "state" });
  const show = () => {
    if (!m.held) cell.replaceChildren("delivered to your inbox");
    else if (m.request === "pending") cell.replaceChildren("asked for: the mail team will decide");
    else if (m.request === "denied") cell.replaceChildren("the mail team kept it held");
    else if (m.request) cell.replaceChildren(m.request);
    else {
      const note = el("input", { class: "note", placeholder: "why you expected it (optional)", maxlength: "500" });
      const button = el("button", { type: "button", class: "release" }, release === "direct" ? "Deliver it to me" : "Ask for it");
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          const r = await call("/v1/self/release", { id: m.id, note: note.value });
          m.request = r.state; if (r.state === "released") m.held = false;
          result.textContent = r.state === "released" ? "Delivered to your inbox." : "Asked: the mail team will look at it.";
        } catch (e) { result.textContent = e.message; button.disabled = false; return; }
        show();
      });
      cell.replaceChildren(note, " ", button);
    }
  };
  show();
  return el("tr", { "data-id": m.id }, el("td", {}, when(m.received_ms)), el("td", {}, sender(m)),
    el("td", {}, m.subject || "(no subject)"), el("td", { class: "why" }, m.why), cell);
}

function deliveredRow(m) {
  const button = el("button", { type: "button", class: "report danger" }, "This is phishing");
  const cell = el("td", {}, button);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try { await call("/v1/self/report", { id: m.id }); cell.replaceChildren("reported, thank you"); }
    catch (e) { result.textContent = e.message; button.disabled = false; }
  });
  return el("tr", { "data-id": m.id }, el("td", {}, when(m.received_ms)), el("td", {}, sender(m)), el("td", {}, m.subject || "(no subject)"), cell);
}

async function main() {
  // The credential leaves the address bar (and the history) at once.
  history.replaceState(null, "", location.pathname);
  let data;
  try { data = await call("/v1/self"); }
  catch (e) { document.getElementById("self-error").textContent = e.message; return; }
  document.getElementById("self-rcpt").textContent = data.rcpt;
  document.getElementById("self-intro").textContent = data.message
    ? "The message your link is for. Links work until " + when(data.expires_ms) + "."
    : `Mail to you held in the last ${data.days} days. Links work until ${when(data.expires_ms)}.`;
  const held = document.querySelector("#held tbody");
  held.replaceChildren(...data.held.map(m => heldRow(m, data.release)));
  if (!data.held.length) held.append(el("tr", {}, el("td", { colspan: "5", class: "muted" }, "Nothing is held for you.")));
  document.getElementById("self-held").hidden = false;
  if (!data.message) {
    document.querySelector("#delivered tbody").replaceChildren(...data.delivered.map(deliveredRow));
    document.getElementById("self-delivered").hidden = false;
  }
}

// Another link opened in the same tab changes only the fragment: read it afresh.
window.addEventListener("hashchange", () => location.reload());
main();
