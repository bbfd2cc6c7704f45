// The quarantine digest's links in a real browser (Debian's chromium,
// driven by playwright-core). Run by ../digest_e2e.py, which starts the
// service and Postfix and reads the digest. Env: BASE_URL, ENTRY_URL (a
// digest entry's link), PAGE_URL (the recipient's page), EXPIRED_URL,
// ALTERED_URL, UI_USER, UI_PASS (an analyst), HAM_SUBJECT (the held
// message), INBOX_SUBJECT (mail that reached the recipient), RCPT, SHOTS.
// Prints one JSON line with what it did.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const env = process.env;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = {};
const recipient = await browser.newPage({ viewport: { width: 1100, height: 700 } });
recipient.setDefaultTimeout(120000);

// The entry's link: the one held message, asked for with a note.
await recipient.goto(env.ENTRY_URL);
const row = recipient.locator("#held tbody tr", { hasText: env.HAM_SUBJECT });
await row.waitFor();
assert.equal(await recipient.locator("#held tbody tr").count(), 1, "an entry's link shows its one message");
assert.ok(!recipient.url().includes("#t="), "the credential leaves the address bar");
await row.locator("input.note").fill("my payroll notice, expected today");
await recipient.screenshot({ path: env.SHOTS + "/ui-self.png" });
await row.locator("button.release").click();
await recipient.locator("#self-result", { hasText: "Asked" }).waitFor();
await row.locator("td.state", { hasText: "asked for" }).waitFor();

// The same link again: nothing to press, and the API refuses a second request.
await recipient.goto(env.ENTRY_URL);
await recipient.locator("#held tbody tr td.state", { hasText: "asked for" }).waitFor();
assert.equal(await recipient.locator("#held button.release").count(), 0, "a used link offers no second request");
const token = new URL(env.ENTRY_URL).hash.slice(3);
const replay = await recipient.evaluate(async ([t, subjectId]) => {
  const s = await fetch("/v1/self", { headers: { "X-Phishstream-Link": t } }).then(r => r.json());
  const r = await fetch("/v1/self/release", { method: "POST", headers: { "X-Phishstream-Link": t, "Content-Type": "application/json" },
    body: JSON.stringify({ id: s.held[0].id }) });
  return { status: r.status, code: (await r.json()).error.code };
}, [token]);
assert.deepEqual(replay, { status: 409, code: "already_requested" });
out.replay = `${replay.status} ${replay.code}`;

// An expired link and an altered one are refused, saying why.
await recipient.goto(env.EXPIRED_URL);
await recipient.locator("#self-error", { hasText: "expired" }).waitFor();
out.expired = await recipient.locator("#self-error").textContent();
await recipient.goto(env.ALTERED_URL);
await recipient.locator("#self-error", { hasText: "not valid" }).waitFor();
out.altered = await recipient.locator("#self-error").textContent();
assert.equal(await recipient.isVisible("#self-held"), false, "a refused link shows no mail");

// The analyst approves on the Requests page.
const analyst = await browser.newPage({ viewport: { width: 1280, height: 800 } });
analyst.setDefaultTimeout(120000);
await analyst.goto(env.BASE_URL + "/");
await analyst.fill("input[name=user]", env.UI_USER);
await analyst.fill("input[name=password]", env.UI_PASS);
await analyst.click("#login-form button");
await analyst.waitForSelector("#messages tbody tr");
await analyst.click("nav a[data-page=requests]");
const req = analyst.locator("#requests tbody tr", { hasText: env.RCPT });
await req.waitFor();
assert.ok((await req.textContent()).includes(env.HAM_SUBJECT), "the request names the message");
assert.ok((await req.textContent()).includes("my payroll notice"), "and the recipient's note");
await analyst.screenshot({ path: env.SHOTS + "/ui-requests.png" });
await req.locator("button.approve").click();
await analyst.locator("#requests-result", { hasText: "approved and delivered" }).waitFor();
await analyst.locator("#requests tbody tr", { hasText: "No requests." }).waitFor();
await analyst.selectOption("select[name=request-state]", "approved");
await analyst.locator("#requests tbody tr", { hasText: "approved by " + env.UI_USER }).waitFor();

// The recipient's page: the message delivered now, and a miss reported.
await recipient.goto(env.PAGE_URL);
await recipient.locator("#held tbody tr", { hasText: env.HAM_SUBJECT }).locator("td.state", { hasText: "delivered" }).waitFor();
const miss = recipient.locator("#delivered tbody tr", { hasText: env.INBOX_SUBJECT });
await miss.waitFor();
await miss.locator("button.report").click();
await miss.locator("td", { hasText: "reported" }).waitFor();
out.reported = env.INBOX_SUBJECT;
await recipient.screenshot({ path: env.SHOTS + "/ui-self-page.png" });

await browser.close();
console.log(JSON.stringify(out));
