// Device code never compares two typed arrays (or ArrayBuffers) with ==, ===, != or !==.
// On Espruino such a comparison does not compare references: both operands are converted to
// strings ("0,12,255,...") and the strings compared. For the driver's 1.2 KB receive buffer that
// is about 2 ms and 300 variables per comparison on a host, and two different arrays with equal
// contents compare equal. One such test per checksum (a remembered view in
// firmware/net/checksum.ts) was about half of every request's instructions before #12's
// request-path round. The type checker finds them: both operands of an equality typed as
// typed arrays or ArrayBuffers (or unions of them with undefined or null).
import { strict as assert } from "assert";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

function isBufferType(t: ts.Type, checker: ts.TypeChecker): boolean {
  if (t.isUnion()) {
    const parts = t.types.filter((p) => !(p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    return parts.length > 0 && parts.every((p) => isBufferType(p, checker));
  }
  const name = checker.typeToString(t);
  // (TypeScript 5.7 and later name them with their buffer: Uint8Array<ArrayBufferLike>)
  return /^((Uint8|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64|Uint8Clamped)Array|ArrayBuffer)(<.*>)?$/.test(name);
}

describe("gate: no equality test between typed arrays in device code (Espruino compares them as strings)", function () {
  this.timeout(120000);
  it("no ==, ===, != or !== with a typed array or ArrayBuffer on both sides", () => {
    const file = path.join(ROOT, "tsconfig.device.json");
    const cfg = ts.readConfigFile(file, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT);
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
    const checker = program.getTypeChecker();
    const found: string[] = [];
    const EQ = [ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken];
    let files = 0;
    for (const sf of program.getSourceFiles()) {
      if (sf.isDeclarationFile || !sf.fileName.startsWith(ROOT) || sf.fileName.includes("node_modules")) continue;
      files++;
      const visit = (n: ts.Node): void => {
        if (ts.isBinaryExpression(n) && EQ.includes(n.operatorToken.kind) &&
          isBufferType(checker.getTypeAtLocation(n.left), checker) && isBufferType(checker.getTypeAtLocation(n.right), checker)) {
          const { line } = sf.getLineAndCharacterOfPosition(n.getStart());
          found.push(path.relative(ROOT, sf.fileName) + ":" + (line + 1) + ": " + n.getText());
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    assert.ok(files > 50, "the device sources were found (" + files + ")");
    assert.deepEqual(found, [], "typed arrays compared (on Espruino: both converted to strings):\n" + found.join("\n"));
  });

  it("finds such a comparison (the check itself)", () => {
    const src = "var a = new Uint8Array(4), b: Uint8Array | undefined; var c = new Uint16Array(2);\nif (a === b) {} if (c !== c) {} if (a.length === 4) {}";
    const opts: ts.CompilerOptions = { strict: true, lib: ["lib.es5.d.ts"], types: [], noEmit: true };
    const host = ts.createCompilerHost(opts);
    const orig = host.getSourceFile;
    host.getSourceFile = (name, lang) => name === "x.ts" ? ts.createSourceFile(name, src, lang, true) : orig.call(host, name, lang);
    const program = ts.createProgram(["x.ts"], opts, host);
    const checker = program.getTypeChecker();
    let hits = 0;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(n.operatorToken.kind) &&
        isBufferType(checker.getTypeAtLocation(n.left), checker) && isBufferType(checker.getTypeAtLocation(n.right), checker)) hits++;
      ts.forEachChild(n, visit);
    };
    visit(program.getSourceFile("x.ts")!);
    assert.equal(hits, 2);
  });
});
