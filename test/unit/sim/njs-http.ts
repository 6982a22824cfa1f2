// A plain HTTP GET for the NetworkJS sim tests (a fresh connection each time).
import * as http from "http";

export function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 20000 }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (d: string) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode || 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

