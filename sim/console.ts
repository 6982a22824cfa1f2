// The simulated board's console (stdin/stdout), as Espruino's feels: every line is evaluated in the
// device's global scope and echoed as `=<value>`; an open bracket, template or comment continues
// on the next line (prompt `:`). On a terminal: line editing and history (Up/Down), the prompt
// `>` stays below the device's log lines (a line printed while the user types is put above the
// prompt, and the typed text is redrawn), and Ctrl-C clears the line being typed, or, on an empty
// line, asks the sim to exit. Off a terminal (a pipe, a test): no prompt, no echo.

import * as readline from "readline";
import { isIncomplete } from "./board";

export interface ConsoleOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Line editing, history and prompts (default: whether input is a TTY). */
  terminal?: boolean;
  /** Runs one complete statement; returns the text to print (`=3`, `Uncaught ...`). */
  evaluate(code: string): string;
  /** Called around each evaluation (e.g. to let Ctrl-C and SIGTERM reach a busy run). */
  beforeEval?(): void;
  afterEval?(): void;
  /** Ctrl-C on an empty line (terminal only). */
  onInterrupt?(): void;
  /** The input ended. */
  onEnd?(): void;
  historySize?: number;
}

export interface SimConsole {
  /** Prints one line of output (device log, sim message) without disturbing the line being typed. */
  print(line: string): void;
  close(): void;
}

export function createConsole(o: ConsoleOptions): SimConsole {
  const tty = o.terminal !== undefined ? o.terminal : !!(o.input as any).isTTY;
  const rl = readline.createInterface({
    input: o.input, output: tty ? o.output : undefined, terminal: tty, prompt: ">",
    historySize: o.historySize || 200, removeHistoryDuplicates: true,
  });
  let pending = "";
  let closed = false;

  function print(line: string): void {
    if (!tty || closed) { o.output.write(line + "\n"); return; }
    // above the prompt: clear the prompt line, print, redraw the prompt and what was typed
    readline.clearLine(o.output as any, 0);
    readline.cursorTo(o.output as any, 0);
    o.output.write(line + "\n");
    rl.prompt(true);
  }

  rl.on("line", (line: string) => {
    if (!pending && !line.trim()) { if (tty) rl.prompt(); return; }
    pending += (pending ? "\n" : "") + line;
    if (isIncomplete(pending)) { if (tty) { rl.setPrompt(":"); rl.prompt(); } return; }
    const code = pending;
    pending = "";
    if (o.beforeEval) o.beforeEval();
    let result: string;
    try { result = o.evaluate(code); } finally { if (o.afterEval) o.afterEval(); }
    if (result) o.output.write(result + "\n");   // the real interpreter answers on its own output
    if (tty) { rl.setPrompt(">"); rl.prompt(); }
  });
  rl.on("SIGINT", () => {
    // (terminal only: readline turns Ctrl-C into this event)
    if (pending || (rl as any).line) {
      pending = "";
      (rl as any).line = "";
      (rl as any).cursor = 0;
      o.output.write("^C\n");
      rl.setPrompt(">");
      rl.prompt();
      return;
    }
    if (o.onInterrupt) o.onInterrupt();
  });
  rl.on("close", () => { closed = true; if (o.onEnd) o.onEnd(); });
  if (tty) rl.prompt();
  return {
    print,
    close(): void { if (!closed) rl.close(); },
  };
}
