// The web UI in a real browser (Debian's chromium, driven by playwright-core).
// Run by ../browser_e2e.py, which starts the server and sends the mail.
// Env: BASE_URL, UI_USER, UI_PASS, SHOTS (folder for screenshots),
// HAM_SUBJECT (a ham message the model quarantined), PHISH_SUBJECT,
// XSS_SUBJECT, SCAN_MESSAGE (a message to paste into "Check a message").
// Expects more than 100 messages and three with "Bulk notice" in the
// subject. Prints one JSON line with what it did.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const base = process.env.BASE_URL;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
// CTest runs two suites at once on two cores (e2e_scale's five processes,
// PostgreSQL and RabbitMQ beside this one): a busy machine is slow, not
// broken. Waits fail after two minutes rather than Playwright's 30 s.
page.setDefaultTimeout(120000);
let dialogs = 0;
page.on("dialog", async d => { if (d.type() !== "confirm") dialogs++; await d.dismiss(); });
const out = {};

// Log in.
await page.goto(base + "/");
await page.waitForSelector("#login:not([hidden])");
// Before login nothing but the form shows: no navigation, no "Log out".
assert.equal(await page.isVisible("#nav"), false, "the navigation is hidden before login");
assert.equal(await page.isVisible("#logout"), false, "Log out is hidden before login");
await page.fill("input[name=user]", process.env.UI_USER);
await page.fill("input[name=password]", "wrong password");
await page.click("#login-form button");
await page.waitForSelector("#login-error:not(:empty)");
await page.fill("input[name=password]", process.env.UI_PASS);
await page.click("#login-form button");
await page.waitForSelector("#messages tbody tr");
assert.equal(await page.isVisible("#logout"), true, "Log out shows once logged in");
// The list shows recipients and the first reason, and pages past 100.
out.first_page = await page.locator("#messages tbody tr").count();
assert.equal(out.first_page, 100, "the first page holds 100 messages");
await page.click("#load-more");
for (let i = 0; i < 200 && (await page.locator("#messages tbody tr").count()) <= 100; i++) await page.waitForTimeout(100);
out.after_more = await page.locator("#messages tbody tr").count();
assert.ok(out.after_more > 100, "Load more shows the messages past the first 100");
const cookies = await page.context().cookies();
const session = cookies.find(c => c.name === "ps_session");
assert.ok(session && session.httpOnly && session.sameSite === "Strict", "session cookie is HttpOnly, SameSite=Strict");
// A phishing message that came in over SMTP: filter to quarantine and open it.
await page.selectOption("select[name=action]", "quarantine");
await page.locator("#messages tbody tr", { hasText: process.env.PHISH_SUBJECT }).first().waitFor();
const quarantined = page.locator("#messages tbody tr", { hasText: process.env.PHISH_SUBJECT }).first();
assert.ok((await quarantined.locator("td.rcpt").textContent()).includes("tom@alpine-robotics.de"), "the To column names the recipient");
const hamRowFirst = page.locator("#messages tbody tr", { hasText: process.env.HAM_SUBJECT }).first();
assert.ok((await hamRowFirst.locator("td.from").textContent()).includes("Payroll"), "the From column shows the display name");
assert.ok((await quarantined.locator("td.why").textContent()).length > 0, "the Why column gives the first reason");
await page.screenshot({ path: process.env.SHOTS + "/ui-messages.png" });
const phishRow = page.locator("#messages tbody tr", { hasText: process.env.PHISH_SUBJECT });
await phishRow.first().waitFor();
await phishRow.first().click();
await page.waitForSelector("#reasons li");
out.phish_reasons = await page.locator("#reasons li").allTextContents();
assert.ok(out.phish_reasons.length > 0, "a quarantined phish explains itself");
// Long URLs and header values wrap inside their cards instead of running out of them.
const overflowing = await page.evaluate(() =>
  [...document.querySelectorAll(".card")].filter(c => c.scrollWidth > c.clientWidth + 1).length);
assert.equal(overflowing, 0, "no card on the detail page overflows");
await page.screenshot({ path: process.env.SHOTS + "/ui-detail.png", fullPage: true });

// The XSS message renders inert: its script never runs, its links are text.
await page.goto(base + "/#/messages");
await page.selectOption("select[name=action]", "");
await page.fill("input[name=subject]", "Quarterly");
await page.locator("input[name=subject]").dispatchEvent("change");
const xssRow = page.locator("#messages tbody tr", { hasText: process.env.XSS_SUBJECT });
await xssRow.first().waitFor();
await xssRow.first().click();
await page.waitForSelector("#body");
const title = await page.locator("#page h2").first().textContent();
assert.ok(title.includes("<script>"), "the subject's markup is shown as text");
const bodyText = await page.locator("#body").textContent();
assert.ok(bodyText.includes("Figures attached"), "the body is shown as text");
assert.equal(await page.evaluate(() => window.__pwned === undefined), true, "no injected script ran");
assert.equal(await page.locator("#links a").count(), 0, "links are not clickable");
assert.equal(await page.locator("main script, main iframe, main img[src^='http']").count(), 0);
out.xss_title = title;
await page.screenshot({ path: process.env.SHOTS + "/ui-xss-inert.png", fullPage: true });

// A ham message the model quarantined: "Not phishing", then release.
await page.goto(base + "/#/messages");
await page.selectOption("select[name=action]", "quarantine");
const hamRow = page.locator("#messages tbody tr", { hasText: process.env.HAM_SUBJECT });
await hamRow.first().waitFor();
out.ham_id = await hamRow.first().getAttribute("data-id");
await hamRow.first().click();
await page.waitForSelector("#not-phish");
await page.click("#not-phish");
await page.waitForSelector("#release");
await page.click("#release");
await page.waitForSelector("text=status released");

// Bulk: the bulk messages selected at once and reported as phishing.
await page.goto(base + "/#/messages");
await page.fill("input[name=subject]", "Bulk notice");
await page.locator("input[name=subject]").dispatchEvent("change");
await page.locator("#messages tbody tr", { hasText: "Bulk notice" }).first().waitFor();
for (let i = 0; i < 200 && (await page.locator("#messages tbody tr").count()) !== 3; i++) await page.waitForTimeout(100);
assert.equal(await page.locator("#messages tbody tr").count(), 3, "the filter shows the three bulk messages");
await page.check("#select-all");
await page.click("#bulk-phish");
for (let i = 0; i < 600 && !(await page.locator("#bulk-result").textContent()).includes("done"); i++) await page.waitForTimeout(100);
assert.ok((await page.locator("#bulk-result").textContent()).includes("3 of 3 done"), "bulk: " + await page.locator("#bulk-result").textContent());
out.bulk = await page.locator("#bulk-result").textContent();

// Check a message: pasted, scored, explained, not stored.
await page.goto(base + "/#/scan");
await page.fill("#scan-text", process.env.SCAN_MESSAGE);
await page.click("#scan-check");
await page.waitForSelector("#scan-reasons li");
out.scan_reasons = await page.locator("#scan-reasons li").allTextContents();
out.scan_scores = await page.locator("#scan-scores").textContent();
await page.screenshot({ path: process.env.SHOTS + "/ui-check.png", fullPage: true });

// Users: added, promoted, disabled; the admin cannot disable themselves.
await page.goto(base + "/#/users");
await page.waitForSelector("#users tbody tr");
await page.fill("input[name=new-user]", "eve");
await page.fill("input[name=new-password]", "eve's long password");
await page.click("#add-user");
const eve = page.locator("#users tbody tr[data-user=eve]");
await eve.waitFor();
await eve.locator("select").selectOption("admin");
await page.waitForSelector("#users-result:has-text('eve: changed')");
await page.locator("#users tbody tr[data-user=eve] button").click();
await page.waitForSelector("#users tbody tr[data-user=eve] >> text=disabled");
const evelogin = await fetch(base + "/v1/login", { method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ user: "eve", password: "eve's long password" }) });
assert.equal(evelogin.status, 401, "a disabled user cannot log in");
assert.equal(await page.locator("#users tbody tr[data-user=eve] select").inputValue(), "admin");
await page.locator(`#users tbody tr[data-user=${process.env.UI_USER}] button`).click();
await page.waitForSelector("#users-result:has-text('cannot disable')");
await page.screenshot({ path: process.env.SHOTS + "/ui-users.png", fullPage: true });

// Recipient policies, edited in the UI: a text the rules refuse is not
// saved; a good one is version 1, in force without a restart (the Python
// side then sends mail to both domains and checks each was decided by its
// own policy).
await page.click("nav a[data-page=policy]");
await page.waitForSelector("#policy-version:has-text('configuration file')");
await page.fill("#policy-text", '[[recipient_policy]]\nmatch = ["strict.example"]\nquarantine_phish = 7\n');
await page.fill("input[name=policy-note]", "a typo");
await page.click("#policy-save");
await page.waitForSelector("#policy-result:has-text('0..2')");
await page.fill("#policy-text", '[[recipient_policy]]\nmatch = ["strict.example"]\njunk_phish = 0.0\nquarantine_phish = 0.0\nblock_senders = ["blocked.example"]\n');
await page.fill("input[name=policy-note]", "strict.example holds everything");
await page.click("#policy-save");
await page.waitForSelector("#policy-result:has-text('saved as version 1')");
await page.waitForSelector("#policy-versions tbody tr[data-version='1'] >> text=strict.example holds everything");
out.policy_version = 1;
await page.screenshot({ path: process.env.SHOTS + "/ui-policy.png", fullPage: true });

// Dashboard.
await page.goto(base + "/#/dashboard");
await page.waitForSelector("#dashboard svg");
await page.waitForSelector("#top-senders tbody tr");
out.top_senders = await page.locator("#top-senders tbody tr").count();
await page.screenshot({ path: process.env.SHOTS + "/ui-dashboard.png", fullPage: true });
await page.goto(base + "/#/models");
await page.waitForSelector("#models tbody tr");
out.models = await page.locator("#models tbody tr").count();
// The corpus-trained model shows the figures `phishstream eval --figures`
// wrote beside it, and its ROC curve.
const batch = page.locator("#models tbody tr.row").first();
assert.match(await batch.locator("td.num").first().textContent(), /^0\.9\d{4}$/, "the batch model's AUC");
await batch.click();
await page.waitForSelector("#roc svg");
assert.ok((await page.locator("#roc").textContent()).includes("phishstream eval on"), "the ROC card says where the figures come from");
await page.screenshot({ path: process.env.SHOTS + "/ui-models.png", fullPage: true });

// API tokens are created and revoked in the UI (admin).
await page.goto(base + "/#/tokens");
await page.waitForSelector("#create-token");
await page.click("#create-token");
await page.waitForSelector("#new-token code");
const token = await page.locator("#new-token code").textContent();
assert.ok(token.startsWith("pst_"));
assert.ok((await page.locator("#tokens tbody tr").last().locator("td").nth(3).textContent()).length > 0, "tokens show when they were created");
const ok = await fetch(base + "/v1/queue", { headers: { Authorization: "Bearer " + token } });
assert.equal(ok.status, 200);
await page.goto(base + "/#/dashboard");
await page.goto(base + "/#/tokens");
await page.waitForSelector("#tokens tbody tr");
assert.notEqual(await page.locator("#tokens tbody tr", { hasText: "active" }).last().locator("td.last-used").textContent(), "never",
  "a token used once shows when");
// Revoked once the page lists it so (its DELETE answered, the list
// re-read), however long a busy machine takes; not after a fixed wait.
// (Counted with locators: the page's CSP forbids waitForFunction's eval.)
const revokedRows = () => page.locator("#tokens tbody tr", { hasText: "revoked" }).count();
const before = await revokedRows();
await page.locator("#tokens tbody tr", { hasText: "active" }).last().locator("button").click();
for (let i = 0; i < 200 && (await revokedRows()) <= before; i++) await page.waitForTimeout(100);
assert.ok((await revokedRows()) > before, "the page lists the token as revoked");
const revoked = await fetch(base + "/v1/queue", { headers: { Authorization: "Bearer " + token } });
assert.equal(revoked.status, 401, "a revoked token no longer works");

assert.equal(dialogs, 0, "no alert() from message content");
await browser.close();
console.log(JSON.stringify(out));
