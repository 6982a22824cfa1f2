// Published limits of the HTTP server (see docs/http.md). A request that breaks one gets the
// status named next to it and the connection is closed after the response.

/** Request line (method, target, version), without the CRLF. Longer: 414 (400 if it is not a request line at all). */
export const REQUEST_LINE_MAX = 256;
/** All header lines together, CRLFs included, without the request line. Longer: 431. */
export const HEADERS_MAX = 1024;
/** Request body (Content-Length). Larger: 413. Transfer-Encoding (chunked) bodies: 501. */
export const BODY_MAX = 512;
/** Bytes an input buffer holds (the server's pool of `inBuffers`, taken by a connection whose
 *  request is split or pipelined): one whole request at the limits above, CRLFs included. */
export const REQUEST_MAX = REQUEST_LINE_MAX + 2 + HEADERS_MAX + 2 + BODY_MAX;
/** Room for the response status line and headers (per connection). */
export const RESPONSE_HEAD_MAX = 256;
/** Largest body a handler can build with res.begin()/res.body (bigger bodies: res.send(Uint8Array)). */
export const HANDLER_BODY_MAX = 768;

/** No complete request within this long after its first byte: 408. */
export const HEADER_TIMEOUT_MS = 5000;
/** A fresh connection that sends nothing for this long: 408. */
export const FIRST_REQUEST_TIMEOUT_MS = 5000;
/** An idle keep-alive connection (after at least one response) is closed after this long (no 408). */
export const KEEPALIVE_IDLE_MS = 5000;
/** A response that makes no progress for this long (peer window stuck at 0): connection aborted. */
export const SEND_STALL_MS = 20000;

/** Largest piece handed to tcp.write() at once (and read from a chunk source). */
export const WRITE_PIECE_MAX = 1460;
