// The library module's pieces (pay for what you use): the module "ENC28J60" always holds the
// core (driver, IP stack with ARP, ICMP, UDP and the DHCP client, TCP: firmware/lib/eth.ts);
// each piece below is added when the app uses it (detected from the app's source, or named
// with PIECES=... / --pieces). Adding a piece is one row here: a device file under build/device/
// exporting a function that installs the piece (it adds methods to ETH_PROTO, or functions to
// ETH_START, firmware/lib/eth.ts), and what in an app's source means it is used.

export interface Piece {
  /** Its name in PIECES=... and in the printed lists. */
  name: string;
  /** The device module (path under build/device/, without .js) and its install function. */
  file: string;
  install: string;
  /** An app uses the piece when its source matches this. */
  detect: RegExp;
  /** What the detection looks for, in words (printed). */
  uses: string;
  /** Also used when the app has page files (a www/ folder: tools/image.ts) and uses the pieces it needs. */
  www?: boolean;
  /** Pieces this one needs (included with it). */
  needs?: string[];
  /** In every build unless the app leaves it out (PIECES=-name, or a list of names without it). */
  default?: boolean;
}

export const PIECES: Piece[] = [
  // the stack's optional parts (firmware/net/state.ts, Parts), first: connect() builds the stack
  { name: "acd", file: "firmware/lib/eth-acd", install: "installAcd", detect: /(?!)/, default: true, uses: "in every build unless left out (PIECES=-acd): RFC 5227 probing of a DHCP lease, defence of the address" },
  { name: "lease", file: "firmware/lib/eth-lease", install: "installLease", detect: /(?!)/, default: true, uses: "in every build unless left out (PIECES=-lease): the last DHCP address kept in Storage, asked for first at the next start (INIT-REBOOT)" },
  { name: "reasm", file: "firmware/lib/eth-reasm", install: "installReasm", detect: /require\(\s*["']dgram["']\s*\)/, uses: "require(\"dgram\") (UDP datagrams over the MTU arrive as fragments)" },
  { name: "counters", file: "firmware/lib/eth-counters", install: "installCounters", detect: /\.counters\b/, uses: ".counters (the IP stack's counters by name)" },
  { name: "http", file: "firmware/lib/eth-http", install: "installHttp", detect: /(?<!require\(\s*["'](?:http|net)["']\s*\)|\bhttp|\bnet)\.createServer\s*\(/, uses: "createServer() on the eth" },
  { name: "files", file: "firmware/lib/eth-files", install: "installFiles", detect: /\.asset\s*\(/, www: true, uses: "a www/ folder, or srv.asset()", needs: ["http"] },
  { name: "dns", file: "firmware/lib/eth-dns", install: "installDns", detect: /\.resolve\s*\(/, uses: "eth.resolve()" },
  { name: "mdns", file: "firmware/lib/eth-mdns", install: "installMdns", detect: /\bmdns\b|\.local\b/, uses: "mdns or .local" },
  { name: "networkjs", file: "firmware/lib/eth-networkjs", install: "installNetworkJs", detect: /require\(\s*["'](http|net|dgram)["']\s*\)/, uses: "require(\"http\"|\"net\"|\"dgram\")", needs: ["dns"] },
  { name: "stop", file: "firmware/lib/eth-stop", install: "installStop", detect: /\.stop\s*\(\s*\)/, uses: "eth.stop() (DHCPRELEASE, the address dropped)" },
  // (after networkjs: its start-up hands tcpKeepAlive to the driver that networkjs's start-up made)
  { name: "keepalive", file: "firmware/lib/eth-keepalive", install: "installKeepAlive", detect: /\bkeepAlive/, uses: "keepAlive (net.connect()'s TCP keep-alive option)", needs: ["networkjs"] },
];

/** The core's parts, for the size figures (device modules by path prefix). */
export const CORE_PARTS: { name: string; prefixes: string[] }[] = [
  { name: "driver", prefixes: ["drivers/", "hal/"] },
  { name: "ip", prefixes: ["firmware/net/"] },
  { name: "dhcp", prefixes: ["firmware/net/dhcp"] },
  { name: "tcp", prefixes: ["firmware/tcp/"] },
  { name: "lib", prefixes: ["firmware/lib/eth.", "firmware/lib/eth-run", "firmware/lib/eth-mac"] },
];

export interface PieceChoice {
  pieces: Piece[];
  /** Why each is in: "detected: <uses>", "named", "needed by <piece>". */
  why: { [name: string]: string };
}

/**
 * The pieces for an app: those its source uses (and, with hasWww, those that serve page files),
 * or exactly those `named` (a list separated by
 * spaces or commas; "+name" adds to and "-name" removes from the detected ones). Unknown names
 * throw, naming the pieces there are.
 */
export function choosePieces(appSource: string, named?: string, hasWww?: boolean): PieceChoice {
  const why: { [name: string]: string } = {};
  const byName = (n: string): Piece => {
    const p = PIECES.find((x) => x.name === n);
    if (!p) throw new Error(`unknown piece '${n}'; pieces: ${PIECES.map((x) => x.name).join(", ") || "none"}`);
    return p;
  };
  const words = (named || "").split(/[\s,]+/).filter(Boolean);
  const relative = words.length > 0 && words.every((w) => /^[+-]/.test(w));
  if (!words.length || relative) {
    for (const p of PIECES) {
      if (p.default) why[p.name] = "default";
      else if (p.detect.test(appSource)) why[p.name] = "detected: " + p.uses;
      // page files: for an app on a piece this one needs (the project's server; not for one on Espruino's own http)
      else if (p.www && hasWww && (p.needs || []).every((n) => why[n])) why[p.name] = "detected: www/ files";
    }
  }
  for (const w of words) {
    const n = w.replace(/^[+-]/, "");
    byName(n);
    if (w[0] === "-") delete why[n];
    else why[n] = "named";
  }
  // what the chosen ones need
  for (let changed = true; changed;) {
    changed = false;
    for (const n of Object.keys(why)) {
      for (const d of byName(n).needs || []) if (!why[d]) { byName(d); why[d] = "needed by " + n; changed = true; }
    }
  }
  return { pieces: PIECES.filter((p) => why[p.name]), why };
}

/** The device entry of a module with these pieces (ES module source, in build/device/). */
export function moduleEntrySource(pieces: Piece[], exportsAlias: string, fromDir: string, toRel: (file: string) => string): string {
  const lines = [`import { connect } from ${JSON.stringify(toRel("firmware/lib/eth"))};`];
  for (const p of pieces) lines.push(`import { ${p.install} } from ${JSON.stringify(toRel(p.file))};`);
  for (const p of pieces) lines.push(`${p.install}();`);
  lines.push(`${exportsAlias}.connect = connect;`);
  void fromDir;
  return lines.join("\n") + "\n";
}
