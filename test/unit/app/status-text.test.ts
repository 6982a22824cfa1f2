// GET /api/status's bytes, the same as before the reply became one string (issue #12, fewer
// statements per request): the handler as it was (with the writer as it was: num() digit by
// digit above 2^31, jstr() byte by byte) is kept below as the reference, and both answer the same
// device in a few states: a fresh one, names that need escapes, counters above 2^31, non-zero
// drops of every layer, so many drops that the room runs out, fewer slots than configured, every
// TCP state, no output buffer free. And the writer's num()/jstr() against the old ones (num():
// the engine's own conversion now, also above 2^31, where the old one went digit by digit).
import { strict as assert } from "assert";
import { Rig } from "../http/rig";
import { installPage } from "../../../firmware/app/routes";
import { AppConfig, Device } from "../../../firmware/app/device";
import { asciiWriter, AsciiWriter, NON_ASCII, jsonText } from "../../../firmware/http/ascii";
import { STATE_NAMES, STATE_COUNT } from "../../../firmware/tcp/states";
import { C as TcpCnt, eachTcpDrop } from "../../../firmware/tcp/tcp";
import { Cnt } from "../../../firmware/net/counters";
import { stackCount, stackDrops } from "../../../firmware/net/stack";
import { sum, stringToBytes } from "../../../hal/natives";
import { Rec as DriverRec, St as DrvSt } from "../../../drivers/enc28j60/access";
import { W } from "../../../firmware/net/state";
import { S as DhcpS } from "../../../firmware/net/dhcp";

const HEAD = 256, BODY = 768;   // RESPONSE_HEAD_MAX, HANDLER_BODY_MAX (http/limits.ts)

/** The writer's methods as they were (before numText/jsonText). */
const OLD_WRITER = {
  byte(this: AsciiWriter, b: number): AsciiWriter {
    if (this.pos < this.end) this.buf[this.pos++] = b; else this.over = true;
    return this;
  },
  str(this: AsciiWriter, s: string): AsciiWriter {
    let n = s.length, p = this.pos;
    const b = this.buf;
    if (p + n > this.end) { this.over = true; n = this.end - p; s = s.substring(0, n); }
    if (!NON_ASCII.test(s) && p + n <= b.length) { if (n > 0) b.set(stringToBytes(s), p); p += n; }
    else for (let i = 0; i < n; i++) { const c = s.charCodeAt(i); b[p++] = c <= 255 ? c : 0x3f; }
    this.pos = p;
    return this;
  },
  num(this: AsciiWriter, n: number): AsciiWriter {
    if (n < 0) { this.byte(0x2d); n = -n; }
    n = Math.floor(n);
    if (n < 0x7fffffff) return this.str("" + n);
    let d = 1;
    for (; d * 10 <= n; d *= 10);
    for (; d >= 1; d /= 10) { const q = Math.floor(n / d); this.byte(0x30 + q); n -= q * d; }
    return this;
  },
  hex(this: AsciiWriter, n: number, digits: number): AsciiWriter {
    while (digits--) this.byte("0123456789abcdef".charCodeAt((n >>> (digits * 4)) & 15));
    return this;
  },
  jstr(this: AsciiWriter, s: string): AsciiWriter {
    if (!/[^\x20-\x7e]/.test(s)) return this.str(JSON.stringify(s));
    this.byte(0x22);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22 || c === 0x5c) this.byte(0x5c).byte(c);
      else if (c < 0x20 || c > 0x7e) this.byte(0x5c).byte(0x75).hex(c, 4);
      else this.byte(c);
    }
    return this.byte(0x22);
  },
};

/** A writer with the old methods over buf [pos, end). */
function oldWriter(buf: Uint8Array, pos: number, end: number): AsciiWriter {
  const w = asciiWriter().reset(buf, pos, end);
  return Object.assign(w, OLD_WRITER);
}

/** The status handler as it was (firmware/app/routes.ts before this change). */
function oldStatus(dev: Device, cfg: AppConfig, uptimeMs: () => number): (res: any) => void {
  const states = new Uint16Array(STATE_COUNT);
  const stack = dev.stack, tcp = dev.tcp, drv = dev.driver, http = dev.http, settings = dev.settings;
  const memory = cfg.memory || ((): number[] => [0, 0]);
  let w: AsciiWriter, first: boolean;
  const dst = (drv as any as DriverRec).st, tcpDrops = tcp.counts.subarray(TcpCnt.dropShort, TcpCnt.dropDuplicate + 1);
  function next(): AsciiWriter { if (!first) w.byte(0x2c); first = false; return w; }
  function pair(layer: string, name: string, n: number): void {
    next().byte(0x22).str(layer);
    if (layer) w.byte(0x2e);
    w.str(name).str('":').num(n);
  }
  function drop(layer: string, name: string, n: number): void { if (n > 0 && w.pos < w.end - 64) pair(layer, name, n); }
  function tcpDrop(name: string, n: number): void { drop("tcp", name, n); }
  let macText = "";
  for (let i = 0; i < 6; i++) macText += (i ? ":" : "") + ((cfg.mac[i] >> 4).toString(16)) + ((cfg.mac[i] & 0xf).toString(16));
  return (res: any): void => {
    const a = stack.addr, mem = memory();
    w = res.begin(200, "application/json").str('{"').str("name").str('":').jstr(settings.name).str(',"board":').jstr(cfg.board).str(',"ip":"' +
      (a >>> 24) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255) + '","mac":"' + macText + '","up":');
    w.num(uptimeMs() / 1000).str(',"link":' + drv.linkUp() + ',"dhcp":').jstr(stack.dhcpState()).str(',"led":' + dev.led() + ',"mem":[');
    w.num(mem[0]).byte(0x2c).num(mem[1]);
    if (dev.slots < cfg.slots) w.str('],"slots":[').num(dev.slots).byte(0x2c).num(cfg.slots);
    w.str('],"traffic":[');
    const tc = tcp.counts;
    w.num(dst[DrvSt.RX_FRAMES]).byte(0x2c).num(dst[DrvSt.TX_FRAMES]).byte(0x2c).num(stackCount(stack, Cnt.IP_RX)).byte(0x2c).num(stackCount(stack, Cnt.IP_TX)).byte(0x2c)
      .num(tc[TcpCnt.segIn]).byte(0x2c).num(tc[TcpCnt.segOut]).byte(0x2c).num(tc[TcpCnt.retransmits]).byte(0x2c).num(http.counters.requests).str('],"states":{');
    tcp.stateCounts(states);
    first = true;
    for (let i = 1; i < STATE_COUNT; i++) if (states[i] > 0) pair("", STATE_NAMES[i], states[i]);
    w.str('},"drops":{');
    first = true;
    drop("enc", "rxErrors", dst[DrvSt.RX_ERRORS]);
    drop("enc", "rxOverflows", dst[DrvSt.RX_OVERFLOWS]);
    drop("enc", "txErrors", dst[DrvSt.TX_ERRORS]);
    stackDrops(stack, drop);
    if (sum(tcpDrops)) eachTcpDrop(tc, tcpDrop);
    w.str("}}");
    res.end();
  };
}

/** A response whose begin() gives a writer over a fresh output buffer (none free: `busy`). */
function fakeRes(old: boolean, busy = false): { res: any; body(): string; over(): boolean } {
  const buf = new Uint8Array(HEAD + BODY);
  let w: AsciiWriter | null = null, ended = 0;
  const res = {
    begin(): AsciiWriter {
      w = busy ? (old ? oldWriter(new Uint8Array(0), 0, 0) : asciiWriter()) : old ? oldWriter(buf, HEAD, HEAD + BODY) : asciiWriter().reset(buf, HEAD, HEAD + BODY);
      return w;
    },
    end(): void { ended++; },
  };
  return {
    res,
    body: () => { assert.equal(ended, 1, "ended once"); return Buffer.from(buf.subarray(HEAD, w!.pos)).toString("latin1"); },
    over: () => w!.over,
  };
}

interface Setup { rig: Rig; cfg: AppConfig; mem: number[]; up: { ms: number }; oldH: (res: any) => void; newH: (req: any, res: any) => void }

function setup(board = "rig", slots = 6): Setup {
  const rig = new Rig({ slots: 6 });
  const mem = [1234, 5100], up = { ms: 0 };
  const cfg: AppConfig = { board, mac: new Uint8Array([2, 0x45, 0x4e, 0x43, 0, 2]), slots, memory: () => mem };
  const uptime = (): number => up.ms;
  installPage(rig.dev, cfg, uptime);     // (replaces the app's own /api/status route: this cfg, this clock)
  const rt = ((rig.dev.http as any).s.routes as any[]).find((r) => r.name === "/api/status");
  return { rig, cfg, mem, up, oldH: oldStatus(rig.dev, cfg, uptime), newH: rt.handler };
}

/** Both handlers' bodies for the device's state now: equal, and returned. */
function same(s: Setup, busy = false): string {
  const a = fakeRes(true, busy), b = fakeRes(false, busy);
  s.oldH(a.res);
  s.newH({}, b.res);
  assert.equal(b.body(), a.body());
  assert.equal(b.over(), a.over());
  return b.body();
}

describe("app: GET /api/status's bytes (the one-string reply against the old writer's)", () => {
  it("a fresh device, then after traffic: the same JSON", () => {
    const s = setup();
    const t = same(s);
    assert.deepEqual(JSON.parse(t).drops, {});
    s.rig.run(300);
    const k = s.rig.connect(80);
    s.rig.write(k, "GET /api/led HTTP/1.1\r\nHost: d\r\n\r\n");
    s.rig.run(50);
    s.up.ms = 123456.7;
    const u = same(s);
    assert.equal(JSON.parse(u).up, 123);
    assert.ok(JSON.parse(u).states.ESTABLISHED >= 1, u);
  });

  it("names and a board name that need escapes (quotes, backslash, control characters, beyond ASCII)", () => {
    for (const name of ['a "quoted" \\ name', "tab\there\nnl", "caf\u00e9 \u2605 \ud83d\ude00", "\u007f\u0080\u00ff", ""]) {
      const s = setup('b"o\\ard\u00e9');
      s.rig.dev.settings.name = name;
      const t = same(s);
      assert.equal(JSON.parse(t).name, name);
    }
  });

  it("counters above 2^31, a large uptime and memory figures, fewer slots than configured", () => {
    const s = setup("rig", 9);
    const dst = (s.rig.dev.driver as any as DriverRec).st;
    dst[DrvSt.RX_FRAMES] = 0x7ffffffe; dst[DrvSt.TX_FRAMES] = 0x80000000;   // (the driver's words are an Int32Array: -2^31)
    (s.rig.dev.stack as any).c[Cnt.IP_RX] = 0x7fffffff; (s.rig.dev.stack as any).c[Cnt.IP_TX] = 4000000000;
    s.rig.dev.tcp.counts[TcpCnt.segIn] = 3000000000; s.rig.dev.tcp.counts[TcpCnt.retransmits] = 0x7ffffffe;
    s.rig.dev.http.counters.requests = 2 ** 40 + 5;
    s.up.ms = 2 ** 33 * 1000 + 999; s.mem[0] = 0; s.mem[1] = 16383;
    const t = JSON.parse(same(s));
    assert.deepEqual(t.traffic.slice(0, 5), [0x7ffffffe, -0x80000000, 0x7fffffff, 4000000000, 3000000000]);
    assert.equal(t.traffic[7], 2 ** 40 + 5);
    assert.deepEqual(t.slots, [6, 9]);
  });

  it("every TCP state, and non-zero drops of the driver, the stack and TCP", () => {
    const s = setup();
    (s.rig.dev.tcp as any).stateCounts = (out: Uint16Array): void => { for (let i = 0; i < out.length; i++) out[i] = i * 3 % 7; };
    const dst = (s.rig.dev.driver as any as DriverRec).st;
    dst[DrvSt.RX_ERRORS] = 3; dst[DrvSt.RX_OVERFLOWS] = 2 ** 31 + 1; dst[DrvSt.TX_ERRORS] = 0x7fffffff;   // (Int32Array: the first is negative, not shown)
    const c = (s.rig.dev.stack as any).c;
    c[Cnt.ETH_DROP_TYPE] = 1; c[Cnt.IP_DROP_VERSION] = 7; c[Cnt.DHCP_DROP_OTHER] = 0xffffffff; c[Cnt.ARP_DROP_SHORT] = 2;
    s.rig.dev.tcp.counts[TcpCnt.dropRst] = 5; s.rig.dev.tcp.counts[TcpCnt.dropDuplicate] = 1;
    const t = JSON.parse(same(s));
    assert.deepEqual(Object.keys(t.drops), ["enc.rxErrors", "enc.txErrors", "eth.dropType", "arp.dropShort", "ip.dropVersion", "dhcp.dropOther", "tcp.dropRst", "tcp.dropDuplicate"]);
    assert.equal(t.states.LISTEN, 3);
    // only the last drop counter of the stack (the native sum's early end must not stop before it)
    for (let i = 0; i < Cnt.COUNT; i++) c[i] = 0;
    dst[DrvSt.RX_ERRORS] = dst[DrvSt.TX_ERRORS] = 0;
    c[Cnt.DHCP_DROP_OTHER] = 1;
    assert.deepEqual(JSON.parse(same(s)).drops, { "dhcp.dropOther": 1, "tcp.dropRst": 5, "tcp.dropDuplicate": 1 });
  });

  it("so many drops that the room runs out: the same ones left out", () => {
    const s = setup("a board with a rather long name, to take room");
    s.rig.dev.settings.name = "x".repeat(32);
    const c = (s.rig.dev.stack as any).c;
    for (let i = 0; i < Cnt.COUNT; i++) c[i] = 4000000000 + i;
    s.rig.dev.tcp.counts.fill(3000000000);
    const dst = (s.rig.dev.driver as any as DriverRec).st;
    dst[DrvSt.RX_ERRORS] = dst[DrvSt.RX_OVERFLOWS] = dst[DrvSt.TX_ERRORS] = 2 ** 32 - 1;
    const t = same(s);
    assert.ok(t.length > BODY - 64 - 40 && t.length <= BODY, "near the end: " + t.length);
    assert.ok(JSON.parse(t).drops["ip.dropShort"] > 0);
  });

  it("no output buffer free: nothing written either way", () => {
    const s = setup();
    (s.rig.dev.stack as any).c[Cnt.IP_DROP_VERSION] = 7;
    assert.equal(same(s, true), "");
  });

  it("the DHCP state words as the old list gave them", () => {
    const s = setup();
    const c = (s.rig.dev.stack as any).c;
    assert.equal(s.rig.dev.stack.dhcpState(), "static");
    const words = "init selecting requesting rebooting probing bound renewing rebinding fallback releasing stopped".split(" ");
    c[W.DHCP_ON] = 1;
    for (let k = DhcpS.INIT; k <= DhcpS.STOPPED; k++) {
      c[W.DHCP_STATE] = k;
      assert.equal(s.rig.dev.stack.dhcpState(), words[k]);
      assert.equal(JSON.parse(same(s)).dhcp, words[k]);
    }
  });

  it("the writer's num() and jsonText() (its jstr()) as the old writer wrote them", () => {
    const nums = [0, 1, 9, 10, 0.5, -0.5, -3, 123.99, 0x7ffffffe, 0x7fffffff, 0x80000000, 4294967295, 1e15 + 3, 2 ** 53 - 1, -(2 ** 40)];
    const strs = ["", "plain", 'q"b\\', "\u0000\u001f\u007f", "\u00e9\u0100\u2605\ud83d\ude00", "~ !"];
    for (const n of nums) {
      const a = oldWriter(new Uint8Array(64), 0, 64).num(n), b = asciiWriter().reset(new Uint8Array(64), 0, 64).num(n);
      assert.equal(Buffer.from(b.buf.subarray(0, b.pos)).toString("latin1"), Buffer.from(a.buf.subarray(0, a.pos)).toString("latin1"), "num " + n);
    }
    for (const t of strs) {
      const a = oldWriter(new Uint8Array(64), 0, 64).jstr(t), b = asciiWriter().reset(new Uint8Array(64), 0, 64).jstr(t);
      assert.equal(Buffer.from(b.buf.subarray(0, b.pos)).toString("latin1"), Buffer.from(a.buf.subarray(0, a.pos)).toString("latin1"), "jstr " + JSON.stringify(t));
      assert.equal(jsonText(t), Buffer.from(a.buf.subarray(0, a.pos)).toString("latin1"));
      // and cut short the same way
      const c = oldWriter(new Uint8Array(64), 0, 5).jstr(t), d = asciiWriter().reset(new Uint8Array(64), 0, 5).jstr(t);
      assert.deepEqual([d.pos, d.over, Buffer.from(d.buf.subarray(0, d.pos))], [c.pos, c.over, Buffer.from(c.buf.subarray(0, c.pos))]);
    }
  });
});
