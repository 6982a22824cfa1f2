// Loads the model of Espruino's network modules (objects.ts, socketserver.ts, modules.ts, as tsc
// compiled them next to this file) INTO the simulated board's vm context: every object and
// function the app gets from require("http") and friends, and every event argument, then belongs
// to the device's realm, so nothing handed to device code leads back to the host's constructors
// (as for the rest of the sim's globals). Host tests use the same files directly (modules.ts).
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import type { EspruinoNet, NetEnv } from "./modules";

const FILES = ["objects", "socketserver", "modules"];

export function loadEspruinoNet(context: vm.Context, env: NetEnv): EspruinoNet {
  const mods: { [name: string]: any } = {};
  const req = (name: string): any => {
    const k = path.basename(name);
    if (!Object.prototype.hasOwnProperty.call(mods, k)) throw new Error("espruino-net: " + name + " is not loaded (the order in FILES)");
    return mods[k];
  };
  for (const f of FILES) {
    const file = path.join(__dirname, f + ".js");
    const wrapped = vm.runInContext("(function (exports, require) {" + fs.readFileSync(file, "utf8") + "\n})", context, { filename: file });
    const exp = vm.runInContext("({})", context);
    wrapped(exp, req);
    mods[f] = exp;
  }
  return mods.modules.createEspruinoNet(env);
}
