// The words of HTTP the server names: methods, status codes and their reason phrases, request
// body kinds, content types by extension. The texts live in function bodies (switch), which stay
// in flash on Espruino: nothing here is a table in RAM; a lookup allocates only the short
// string it returns.

/** Methods: an index, and a bit per method (1 << index). */
export const enum Mi { GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT, COUNT }
export const M_GET = 1 << Mi.GET;
export const M_HEAD = 1 << Mi.HEAD;
export const M_POST = 1 << Mi.POST;
export const M_PUT = 1 << Mi.PUT;
export const M_DELETE = 1 << Mi.DELETE;
export const M_OPTIONS = 1 << Mi.OPTIONS;
export const M_PATCH = 1 << Mi.PATCH;
export const M_TRACE = 1 << Mi.TRACE;
export const M_CONNECT = 1 << Mi.CONNECT;

/** Request body kinds (req.contentType). */
export const CT_NONE = 0;
export const CT_FORM = 1;
export const CT_JSON = 2;
export const CT_OTHER = 3;

/** The status codes the server and the app answer with (their texts: statusText()). */
export const enum Status {
  OK = 200,
  NO_CONTENT = 204,
  SEE_OTHER = 303,
  NOT_MODIFIED = 304,
  BAD_REQUEST = 400,
  NOT_FOUND = 404,
  METHOD_NOT_ALLOWED = 405,
  REQUEST_TIMEOUT = 408,
  CONTENT_TOO_LARGE = 413,
  URI_TOO_LONG = 414,
  EXPECTATION_FAILED = 417,
  HEADERS_TOO_LARGE = 431,
  INTERNAL_ERROR = 500,
  NOT_IMPLEMENTED = 501,
  UNAVAILABLE = 503,
  VERSION_NOT_SUPPORTED = 505,
  /** The first code of a class (counters.status2xx...). */
  CLASS_3XX = 300,
  CLASS_4XX = 400,
  CLASS_5XX = 500,
}

/** The name of method index mi (Mi). */
export function methodName(mi: number): string {
  switch (mi) {
    case Mi.GET: return "GET";
    case Mi.HEAD: return "HEAD";
    case Mi.POST: return "POST";
    case Mi.PUT: return "PUT";
    case Mi.DELETE: return "DELETE";
    case Mi.OPTIONS: return "OPTIONS";
    case Mi.PATCH: return "PATCH";
    case Mi.TRACE: return "TRACE";
    case Mi.CONNECT: return "CONNECT";
  }
  return "";
}

/** The reason phrase of a status code, "" for a code the server does not send. */
export function statusText(code: number): string {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
  }
  return "";
}

/** Content type for a path by its extension (text types get "; charset=utf-8");
 *  application/octet-stream when unknown. Start-up use. */
export function mimeFor(path: string): string {
  var t: string;
  switch (path.substring(path.lastIndexOf(".") + 1).toLowerCase()) {
    case "html": case "htm": t = "text/html"; break;
    case "css": t = "text/css"; break;
    case "js": t = "text/javascript"; break;
    case "txt": t = "text/plain"; break;
    case "json": t = "application/json"; break;
    case "svg": t = "image/svg+xml"; break;
    case "png": t = "image/png"; break;
    case "jpg": case "jpeg": t = "image/jpeg"; break;
    case "gif": t = "image/gif"; break;
    case "ico": t = "image/x-icon"; break;
    case "wasm": t = "application/wasm"; break;
    default: t = "application/octet-stream";
  }
  return t.slice(0, 5) === "text/" ? t + "; charset=utf-8" : t;
}
