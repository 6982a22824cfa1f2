// A real browser against the simulated device running the default app (examples/demo, as
// `make sim` starts it): headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) loads the page through the sim's user-space gateway on 127.0.0.1 (loopback
// only), sees the live counters update, toggles the LED (checked on the board through its console
// and its pin) and stores the device name.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn, ChildProcess } from "child_process";
import { SIM_CLI } from "./lib/netns";

const CHROMIUM = "/usr/bin/chromium";
declare const document: any; // evaluated in the page

describe("browser: headless Chromium loads the device's page", function () {
  this.timeout(120000);
  let sim: ChildProcess | null = null;
  let out = "";
  let browser: any = null;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "http-browser-"));

  function waitOut(re: RegExp, from: number, ms: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const check = (): void => {
        const m = out.substring(from).match(re);
        if (m) return resolve(m);
        if (!sim || sim.exitCode !== null) return reject(new Error("sim exited:\n" + out));
        if (Date.now() - t0 > ms) return reject(new Error("timed out waiting for " + re + ":\n" + out));
        setTimeout(check, 20);
      };
      check();
    });
  }
  let chain: Promise<unknown> = Promise.resolve();
  function consoleEval(expr: string): Promise<string> {
    const p = chain.then(async () => {
      const from = out.length;
      sim!.stdin!.write(expr + "\n");
      const m = await waitOut(/^(=|Uncaught )(.*)$/m, from, 10000);
      if (m[1] !== "=") throw new Error("console: " + m[0]);
      return m[2];
    });
    chain = p.catch(() => undefined);
    return p;
  }

  before(async function () {
    const missing = [SIM_CLI, CHROMIUM].filter((f) => !fs.existsSync(f));
    let pw: any = null;
    try { pw = require("playwright-core"); } catch { missing.push("playwright-core"); }
    if (missing.length) {
      if (process.env.CI === "true") throw new Error("browser test cannot run: missing " + missing.join(", "));
      console.log("      (skipped: missing " + missing.join(", ") + ")");
      this.skip();
    }
    sim = spawn(process.execPath, [SIM_CLI, "--port", "0", "--ip", "192.0.2.2", "--storage", path.join(tmp, "storage")], { stdio: ["pipe", "pipe", "pipe"] });
    sim.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    sim.stderr!.on("data", (d: Buffer) => { out += d.toString(); });
    sim.stdin!.on("error", () => undefined);
    await waitOut(/gateway on 127\.0\.0\.1:(\d+)/, 0, 20000);
    // A fresh --user-data-dir: playwright passes it itself with launchPersistentContext.
    browser = await pw.chromium.launchPersistentContext(path.join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-proxy-server"],
      timeout: 30000,
    });
  });

  after(async () => {
    if (browser) await browser.close().catch(() => undefined);
    if (sim && sim.exitCode === null && sim.pid) {
      process.kill(sim.pid, "SIGTERM");
      await new Promise((r) => { const t = setTimeout(r, 5000); sim!.once("exit", () => { clearTimeout(t); r(null); }); });
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("shows the device, updates the counters, toggles the LED, stores the name", async () => {
    const port = +(/gateway on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const page = browser.pages()[0] || (await browser.newPage());
    const failed: string[] = [];
    page.on("requestfailed", (r: any) => failed.push(r.url()));
    page.on("response", (r: any) => { if (r.status() >= 400) failed.push(r.status() + " " + r.url()); });
    page.on("pageerror", (e: any) => failed.push("pageerror: " + e.message));
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: 20000 });
    await page.waitForFunction(() => document.getElementById("ip")!.textContent === "192.0.2.2", null, { timeout: 15000 });
    assert.equal(await page.textContent("#mac"), "02:45:4e:43:00:02");
    // the name is the board's ("sim"): shown once, as "simulated board" (not "sim  sim board")
    assert.equal(await page.textContent("#name"), "simulated board");
    assert.equal(await page.textContent("#host"), "");
    assert.equal(await page.getAttribute("label[for=nm]", "for"), "nm", "the name field has a label");
    assert.match((await page.textContent("#link"))!, /link up/);

    // the counters move: each refresh is one more API request on the device
    const reqs = async () => +((await page.textContent("#traffic"))!.match(/API requests(\d+)/) || [])[1];
    const first = await reqs();
    await page.waitForFunction((n: number) => {
      const m = document.getElementById("traffic")!.textContent!.match(/API requests(\d+)/);
      return m && +m[1] > n;
    }, first, { timeout: 10000 });
    assert.ok((await reqs()) > first);
    assert.match((await page.textContent("#conns"))!, /ESTABLISHED\d+/);

    // the LED
    assert.equal(await consoleEval("ledOn"), "false");
    await page.click("#tog");
    await page.waitForFunction(() => document.getElementById("ledst")!.textContent === "on", null, { timeout: 10000 });
    assert.equal(await consoleEval("ledOn"), "true");
    assert.equal(await consoleEval("digitalRead(D2)"), "1");
    await page.click("#tog");
    await page.waitForFunction(() => document.getElementById("ledst")!.textContent === "off", null, { timeout: 10000 });
    assert.equal(await consoleEval("digitalRead(D2)"), "0");

    // the setting
    // (the settings form shows what is stored: no host name, no static address yet)
    assert.equal(await page.inputValue("#hn"), "");
    assert.equal(await page.inputValue("#ip4"), "");
    await page.fill("#nm", "Browser bench");
    await page.fill("#hn", "bench-1");
    await page.click("#set button");
    await page.waitForFunction(() => /Saved: Browser bench/.test(document.getElementById("msg")!.textContent!), null, { timeout: 10000 });
    assert.equal(await consoleEval("settings.name"), '"Browser bench"');
    assert.equal(await consoleEval('require("Storage").read("enc-settings")'), '"{\\"name\\":\\"Browser bench\\",\\"hostname\\":\\"bench-1\\"}"');
    await page.reload();
    await page.waitForFunction(() => document.title === "Browser bench", null, { timeout: 15000 });
    assert.equal(await page.textContent("#name"), "Browser bench");
    assert.equal(await page.textContent("#host"), "simulated board");
    await page.waitForFunction(() => (document.getElementById("hn") as any).value === "bench-1", null, { timeout: 10000 });
    assert.deepEqual(failed, [], "no failed request, not even /favicon.ico");
  });
});
