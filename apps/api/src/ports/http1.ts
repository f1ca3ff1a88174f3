import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

// Strict HTTP/1.1 message heads for the port proxy's fast path (RFC 9112). Anything these
// functions do not accept is never guessed at: requests go to Node's own HTTP server instead,
// responses are refused with 502, exactly as llhttp's strict mode refuses them. In particular
// a header name must be a token directly followed by ':' (no whitespace, which browsers would
// trim), lines end in CRLF only (no bare CR or LF, which browsers split on), and there is no
// obsolete line folding.

/** Node's default limit for a message head (--max-http-header-size). */
export const MAX_HEAD_BYTES = 16 * 1024;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters other than tab are not allowed in a value (CR, LF and NUL are caught earlier).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const BARE_CR_LF_OR_NUL = /\r(?!\n)|(?<!\r)\n|\0/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: [\t\x20-\x7e\x80-\xff]*)?$/;

// Framing and routing headers that may appear once only: llhttp refuses a repeated Content-Length
// (even with equal values), and a message with two of these is refused here too, never guessed at.
const ONCE_ONLY = new Set(["content-length", "transfer-encoding", "host"]);

// As Node's IncomingMessage: a repeat of these is dropped, the first one counts.
const SINGLE = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
]);

export interface RequestHead {
  method: string;
  target: string;
  minor: number;
  headers: IncomingHttpHeaders;
}

export interface ResponseHead {
  status: number;
  minor: number;
  headers: IncomingHttpHeaders;
}

/** Where the head ends (the index after CRLFCRLF), -1 if it has not all arrived yet. */
export function headEnd(buffer: Buffer): number {
  const at = buffer.indexOf("\r\n\r\n", 0, "latin1");
  return at < 0 ? -1 : at + 4;
}

/** The head's lines, or null when a bare CR or LF appears (only CRLF separates lines). */
function lines(head: Buffer): string[] | null {
  const text = head.toString("latin1", 0, head.length - 4);
  return BARE_CR_LF_OR_NUL.test(text) ? null : text.split("\r\n");
}

/** One header line: a token, a colon, the value without surrounding spaces and tabs; null if invalid. */
function headerLine(line: string): [name: string, value: string] | null {
  const colon = line.indexOf(":");
  if (colon <= 0) return null;
  const name = line.slice(0, colon);
  if (!TOKEN.test(name)) return null;
  let start = colon + 1;
  let end = line.length;
  while (start < end && (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9)) start++;
  while (end > start && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  const value = line.slice(start, end);
  return CONTROL.test(value) ? null : [name, value];
}

/** The header lines as Node's IncomingMessage.headers has them (lowercase names, repeats joined). */
function headersOf(headerLines: string[]): IncomingHttpHeaders | null {
  // No prototype: a header named "constructor" or "__proto__" is a header like any other.
  const headers = Object.create(null) as IncomingHttpHeaders;
  for (let i = 1; i < headerLines.length; i++) {
    const parsed = headerLine(headerLines[i]!);
    if (!parsed) return null;
    const name = parsed[0].toLowerCase();
    const value = parsed[1];
    const known = headers[name];
    if (known !== undefined && ONCE_ONLY.has(name)) return null;
    if (known === undefined) {
      headers[name] = name === "set-cookie" ? [value] : value;
    } else if (name === "set-cookie") {
      (known as string[]).push(value);
    } else if (!SINGLE.has(name)) {
      headers[name] = `${known as string}${name === "cookie" ? "; " : ", "}${value}`;
    }
  }
  return headers;
}

/** A request head (bytes up to and including CRLFCRLF), or null if it is not strictly valid. */
export function parseRequestHead(head: Buffer): RequestHead | null {
  const all = lines(head);
  const match = all && REQUEST_LINE.exec(all[0]!);
  if (!match) return null;
  const headers = headersOf(all);
  return headers && { method: match[1]!, target: match[2]!, minor: Number(match[3]), headers };
}

/** A response head, or null if it is not strictly valid. */
export function parseResponseHead(head: Buffer): ResponseHead | null {
  const all = lines(head);
  const match = all && STATUS_LINE.exec(all[0]!);
  if (!match) return null;
  const headers = headersOf(all);
  return headers && { status: Number(match[2]), minor: Number(match[1]), headers };
}

/** How a response body is delimited (RFC 9112 §6.3), or null when the framing is contradictory. */
export type BodyFraming =
  { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | { kind: "close" };

export function responseFraming(method: string, head: ResponseHead): BodyFraming | null {
  const { status, headers } = head;
  const te = headers["transfer-encoding"];
  const cl = headers["content-length"];
  // Both together are a smuggling vector; llhttp's strict mode refuses them too.
  if (te !== undefined && cl !== undefined) return null;
  if (method === "HEAD" || status === 204 || status === 304 || status < 200) return { kind: "none" };
  if (te !== undefined) {
    const codings = te
      .toLowerCase()
      .split(",")
      .map((c) => c.trim());
    return codings.at(-1) === "chunked" ? { kind: "chunked" } : { kind: "close" };
  }
  if (cl !== undefined) {
    if (!/^[0-9]{1,15}$/.test(cl)) return null;
    return { kind: "length", length: Number(cl) };
  }
  return { kind: "close" };
}

/** Whether a request carries a body (which the fast path leaves to Node's server). */
export function requestHasBody(headers: IncomingHttpHeaders): boolean {
  if (headers["transfer-encoding"] !== undefined) return true;
  const cl = headers["content-length"];
  // Only a plain 0 means "no body"; anything else (00, +0, " 0") is left to Node's parser.
  return cl !== undefined && !/^0$/.test(cl);
}

/** A message head from a start line and headers (values already checked: no CR, LF or NUL). */
export function serializeHead(startLine: string, headers: OutgoingHttpHeaders, extra = ""): string {
  let out = `${startLine}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out += `${name}: ${v}\r\n`;
    else out += `${name}: ${String(value)}\r\n`;
  }
  return `${out}${extra}\r\n`;
}

/**
 * Re-frames a chunked body as it streams: each chunk's size line is written anew (extensions
 * dropped), data passes as slices of the input, trailers are dropped (as Node's client did),
 * and anything that is not strict chunked syntax is an error.
 */
export class ChunkedReframer {
  private state: "size" | "data" | "data-crlf" | "trailer" = "size";
  private line = "";
  private remaining = 0;
  done = false;

  /** Returns the output for this input and how many input bytes it used (the rest follows the body). */
  push(input: Buffer): { out: Buffer[]; used: number } | Error {
    const out: Buffer[] = [];
    let i = 0;
    while (i < input.length && !this.done) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, input.length - i);
        out.push(input.subarray(i, i + take));
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = "data-crlf";
        continue;
      }
      // Line states: read up to LF.
      const lf = input.indexOf(10, i);
      const end = lf < 0 ? input.length : lf + 1;
      this.line += input.toString("latin1", i, end);
      i = end;
      if (this.line.length > 1024) return new Error("chunk line too long");
      if (lf < 0) continue;
      if (!this.line.endsWith("\r\n")) return new Error("bare LF in chunked body");
      const line = this.line.slice(0, -2);
      this.line = "";
      if (this.state === "data-crlf") {
        if (line !== "") return new Error("chunk data not followed by CRLF");
        out.push(CRLF);
        this.state = "size";
      } else if (this.state === "size") {
        const match = /^([0-9A-Fa-f]{1,12})(?:[\t ]*;[\t\x20-\x7e\x80-\xff]*)?$/.exec(line);
        if (!match) return new Error("invalid chunk size");
        this.remaining = parseInt(match[1]!, 16);
        if (this.remaining === 0) {
          this.state = "trailer";
        } else {
          out.push(Buffer.from(`${this.remaining.toString(16)}\r\n`, "latin1"));
          this.state = "data";
        }
      } else if (line === "") {
        out.push(LAST_CHUNK);
        this.done = true;
      } else if (!headerLine(line)) {
        return new Error("invalid trailer");
      }
    }
    return { out, used: i };
  }
}

const CRLF = Buffer.from("\r\n", "latin1");
const LAST_CHUNK = Buffer.from("0\r\n\r\n", "latin1");
