// A current ClickHouse engine for tests: chDB (the ClickHouse engine as a library) behind the part of ClickHouse's
// HTTP interface that clickhouse-java's client-v2 and the tests use. Started by LocalChdb (test-support).
//
// Covered: GET /ping; POST / with the SQL in the body or in the `query` parameter; INSERT ... FORMAT <fmt> with the
// rows in the body; the output format from the SQL's FORMAT clause, the `default_format` parameter or the
// X-ClickHouse-Format header; errors as HTTP 500 with X-ClickHouse-Exception-Code. Not covered: sessions, query
// parameters ({name:Type}), compression, progress headers, authentication (every user is let in), several
// statements at once. Queries run one at a time.
//
// Usage: node chdb-front.js <port> <data dir>
"use strict";
const http = require("http");
const { Session } = require("chdb");

const port = Number(process.argv[2]);
const session = new Session(process.argv[3]);
const verbose = process.env.CHDB_FRONT_VERBOSE === "1";
let queue = Promise.resolve();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * The rows of an INSERT as text for the query string chDB takes: bytes that are not UTF-8 (a bytea value) become
 * TabSeparated's \xNN escape, which ClickHouse reads back as the same byte.
 */
function rowsAsText(body) {
  let out = "";
  let start = 0;
  let i = 0;
  while (i < body.length) {
    const b = body[i];
    const n = b < 0x80 ? 1 : (b & 0xE0) === 0xC0 ? 2 : (b & 0xF0) === 0xE0 ? 3 : (b & 0xF8) === 0xF0 ? 4 : 0;
    let ok = n > 0 && i + n <= body.length;
    for (let k = 1; ok && k < n; k++) ok = (body[i + k] & 0xC0) === 0x80;
    if (ok) {
      i += n;
      continue;
    }
    out += body.toString("utf8", start, i) + "\\x" + b.toString(16).padStart(2, "0");
    i += 1;
    start = i;
  }
  return out + body.toString("utf8", start, body.length);
}

async function run(sql, body, format) {
  const text = body.length > 0 ? sql + "\n" + rowsAsText(body) : sql;
  const result = await session.queryAsync(text, { format });
  return Buffer.from(result.bytes());
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/ping") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("Ok.\n");
    return;
  }
  let body;
  try {
    body = await readBody(req);
  } catch (e) {
    res.writeHead(400);
    res.end(String(e));
    return;
  }
  const query = url.searchParams.get("query");
  const sql = query !== null ? query : body.toString("utf8");
  const data = query !== null ? body : Buffer.alloc(0);
  const format = url.searchParams.get("default_format") || req.headers["x-clickhouse-format"] || "TabSeparated";
  queue = queue.then(async () => {
    try {
      const out = await run(sql.trim(), data, format);
      if (verbose) console.error("ok:", sql.slice(0, 200), data.length, "bytes in,", out.length, "out");
      res.writeHead(200, {
        "Content-Type": "text/plain; charset=UTF-8",
        "X-ClickHouse-Format": format,
        "X-ClickHouse-Server-Display-Name": "chdb-front",
        "X-ClickHouse-Query-Id": url.searchParams.get("query_id") || "",
        "X-ClickHouse-Summary": JSON.stringify({ read_rows: "0", read_bytes: "0", written_rows: "0", written_bytes: "0",
          total_rows_to_read: "0", result_rows: "0", result_bytes: "0", elapsed_ns: "0" }),
      });
      res.end(out);
    } catch (e) {
      const message = String(e && e.message ? e.message : e);
      const code = /Code: (\d+)/.exec(message);
      if (verbose) console.error("failed:", sql.slice(0, 200), message);
      res.writeHead(500, { "Content-Type": "text/plain; charset=UTF-8", "X-ClickHouse-Exception-Code": code ? code[1] : "1" });
      res.end(message.replace(/^Query failed: /, "") + "\n");
    }
  });
});
server.listen(port, "127.0.0.1", () => console.error("chdb-front listening on " + port));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    try { session.close(); } catch (e) { /* exiting */ }
    process.exit(0);
  });
}
