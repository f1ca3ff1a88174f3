import { PORT_COOKIE } from "../port-cookie";

export interface HaproxyConfigInput {
  /** Where clients connect: Kubelab's HOST and PORT. */
  bindHost: string;
  bindPort: number;
  /** Kubelab's own listener on loopback, which expects a PROXY protocol line first. */
  kubelabPort: number;
  /** Folder of the map, the Lua filter and the runtime socket. */
  dir: string;
  trustedProxies: readonly string[];
  /** HAPROXY_THREADS. */
  threads: number;
  /** The path on port hosts that exchanges a ticket for the port cookie: always Kubelab's. */
  authPath: string;
  /** The login cookie's name, the path form's credential. */
  loginCookie: string;
  /** The Content-Security-Policy every path-form response carries (forward-headers.ts). */
  pathFormCsp: string;
}

export const MAP_FILE = "ports.map";
export const SOCKET_FILE = "admin.sock";
export const SET_COOKIE_FILTER_FILE = "set-cookie-filter.lua";
/** HAProxy's table of the map keys its requests used in the last GRANT_IDLE_SECONDS. */
export const IN_USE_TABLE = "grants_in_use";
/** The backend of the requests HAProxy carries to nodes itself (its counters feed /metrics). */
export const NODES_BACKEND = "nodes";
/** A grant nobody used for this long ends (PortGrants); while in use, it is kept. */
export const GRANT_IDLE_SECONDS = 60;
// Port cookies are about 250 characters; longer keys are cut in the table (see below).
const IN_USE_KEY_LENGTH = 512;

// A platform cookie's name (login, port cookie) in any of its prefixed forms, as in forward-headers.ts.
const PLATFORM_NAME = "(?:__host-|__secure-)?kubelab[^=;]*";
// How often each cookie rule runs: browsers send one or two platform cookies to a port host (the
// port cookie, perhaps the login's); a request with more is refused rather than half cleaned.
const COOKIE_PASSES = 3;
// A map value is "<node IP>:<port>:<node>" (PortGrants); the error pages name "<node>:<port>" from
// it, so nothing is computed for them on requests that succeed.
const NODE_AND_PORT = "%[var(txn.target),field(3,:)]:%[var(txn.target),field(2,:)]";

function bindLine(host: string, port: number): string {
  // Two listeners rather than one dual-stack one, where an IPv4 client's address would read
  // ::ffff:a.b.c.d in X-Forwarded-For (Kubelab writes a.b.c.d).
  if (host === "::") return `bind 0.0.0.0:${port}\n  bind :::${port} v6only`;
  return host.includes(":") ? `bind [${host}]:${port}` : `bind ${host}:${port}`;
}

/** Rules as lines of a section. */
function section(rules: string[]): string {
  return rules.map((rule) => `  ${rule}`).join("\n");
}

/** HAProxy's text for a string it must not interpret (no variables, no escapes). */
function quoted(text: string): string {
  if (text.includes("'")) throw new Error(`no single quotes in HAProxy literals: ${text}`);
  return `'${text}'`;
}

function pageFor(status: 502 | 503, message: string): string {
  // Same shape as Kubelab's own error page for a port (refreshes itself while the app starts).
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">` +
    `<title>Kubelab: ${status}</title></head><body><main><h1>${message}</h1>` +
    `<p>This page reloads itself every 3 seconds.</p></main></body></html>`;
  return `http-error status ${status} content-type "text/html; charset=utf-8" lf-string "${html.replace(/"/g, '\\"')}" hdr Cache-Control no-store hdr Retry-After 3`;
}

/** Request headers no app sees (forward-headers.ts): hop-by-hop ones and what only proxies may say. */
const DROPPED_REQUEST_HEADERS = [
  "forwarded",
  "x-real-ip",
  "proxy-authorization",
  "proxy-connection",
  "keep-alive",
  "te",
  "trailer",
];

/**
 * HAProxy's configuration when it is the data plane (docs/ports.md, "HAProxy as the data plane").
 * A request goes to a node only when Kubelab has put its host and port cookie (or, for a public
 * port, its host) in the map after its own checks; everything else (the platform, the path form,
 * WebSockets, tickets, refusals, first requests) goes to Kubelab, which answers as it always did.
 * The header rules are forward-headers.ts's, written for HAProxy.
 *
 * Written for CPU per request, measured in instructions with callgrind (docs/ports.md): the
 * frontend only finds the route; the header rules live in the nodes backend, so they run without
 * a condition on requests that go there and not at all on Kubelab's; no per-request log lines;
 * keys built with converters rather than log-format strings.
 */
export function haproxyConfig(input: HaproxyConfigInput): string {
  const map = `${input.dir}/${MAP_FILE}`;
  const trustsProxies = input.trustedProxies.length > 0;
  const trusted = trustsProxies ? `acl trusted src ${input.trustedProxies.join(" ")}` : "acl trusted always_false";
  const platformOnly = quoted(`(?i)^\\s*${PLATFORM_NAME}=[^;]*;?\\s*$`);
  const platformFirst = quoted(`(?i)^\\s*${PLATFORM_NAME}=[^;]*;?\\s*(.*)$`);
  const platformLater = quoted(`(?i)^(.*?)\\s*;\\s*${PLATFORM_NAME}=[^;]*(.*)$`);
  const cookieRules: string[] = [];
  for (let pass = 0; pass < COOKIE_PASSES; pass++) {
    cookieRules.push(`http-request replace-header Cookie ${platformFirst} '\\1' if other_cookies`);
    cookieRules.push(`http-request replace-header Cookie ${platformLater} '\\1\\2' if other_cookies`);
  }
  const hostRules = section(
    trustsProxies
      ? [
          "http-request set-var(txn.host) req.hdr(x-forwarded-host,1) if trusted { req.hdr(x-forwarded-host) -m found }",
          "http-request set-var(txn.host) req.hdr(host) unless { var(txn.host) -m found }",
        ]
      : ["http-request set-var(txn.host) req.hdr(host)"],
  );
  const dropped = quoted(`^(x-forwarded-.*|${DROPPED_REQUEST_HEADERS.join("|")})$`);
  // A trusted proxy's X-Forwarded-For (its last line) goes before the client's address, on one
  // line as Kubelab writes it (request-origin.ts), and its X-Forwarded-Proto is believed. Without
  // TRUSTED_PROXIES no request pays for these rules.
  const forwardedRules = section(
    trustsProxies
      ? [
          "http-request set-var(txn.xff) req.fhdr(x-forwarded-for) if trusted",
          "http-request set-var(txn.https) bool(true) if trusted { req.hdr(x-forwarded-proto,1) -m str https }",
          `http-request del-header ${dropped} -m reg`,
          'http-request add-header X-Forwarded-For "%[var(txn.xff)], %[src]" if { var(txn.xff) -m len gt 0 }',
          "http-request add-header X-Forwarded-For %[src] unless { var(txn.xff) -m len gt 0 }",
          "http-request add-header X-Forwarded-Proto https if { var(txn.https) -m bool }",
          "http-request add-header X-Forwarded-Proto http unless { var(txn.https) -m bool }",
        ]
      : [
          `http-request del-header ${dropped} -m reg`,
          "http-request add-header X-Forwarded-For %[src]",
          "http-request add-header X-Forwarded-Proto http",
        ],
  );
  return `# Written by Kubelab at start; changes are lost. Map entries change at run time (${SOCKET_FILE}).
global
  stats socket ${input.dir}/${SOCKET_FILE} mode 600 level admin
  lua-load ${input.dir}/${SET_COOKIE_FILTER_FILE}
  # HAPROXY_THREADS. On a 2-core machine, one thread carried 35 % more requests/s than two at 32
  # connections and as many at 256 (docs/ports.md, "Threads").
  nbthread ${input.threads}
  # Kubelab reads HAProxy's complaints from its standard error. The proxies below log nothing:
  # a line per request, built and then dropped by this level, cost 7 % of HAProxy's CPU.
  log stderr format raw local0 warning

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  # Event streams and long polls may be quiet for long; WebSockets (terminals) for longer.
  timeout client 1h
  timeout server 1h
  timeout tunnel 24h
  # As Node's server: 60 s for a request's head (also before the first request of a connection,
  # which browsers open ahead of need), 5 s idle between requests.
  timeout http-request 60s
  timeout http-keep-alive 5s
  timeout client-fin 30s

frontend kubelab
  ${bindLine(input.bindHost, input.bindPort)}
  ${trusted}
  # The host the client asked for: X-Forwarded-Host only from TRUSTED_PROXIES (request-origin.ts).
${hostRules}
  # The host form, keyed "h:<host>|<port cookie>" (or "h:<host>|*" for a public port), the keys
  # PortGrants writes; txn.grant keeps the key that matched for the in-use table below.
  http-request set-var(txn.hostkey) str(h:),concat(,txn.host,|),lower
  http-request set-var(txn.cookie) req.cook(${PORT_COOKIE})
  http-request set-var(txn.grant) var(txn.hostkey),concat(,txn.cookie) if { var(txn.cookie) -m found }
  http-request set-var(txn.target) var(txn.grant),map(${map}) if { var(txn.cookie) -m found }
  http-request set-var(txn.grant) var(txn.hostkey),concat(*) unless { var(txn.target) -m found }
  http-request set-var(txn.target) var(txn.grant),map(${map}) unless { var(txn.target) -m found }
  # The path form (/ports/<session>/<node>/<port>/...) on any host but a port host, keyed by
  # "p:<session>/<node>/<port>|<login cookie>" (or "|*" for a public port). The path is tested
  # first: it rules out the platform's own requests at its second character.
  acl port_host var(txn.hostkey) -m reg ${quoted("^h:node[1-9]-[0-9]{1,5}-[0-9a-f]{32}\\.")}
  acl path_form path_reg ^/ports/[0-9a-f]{32}/node[1-9]/[0-9]{1,5}/
  http-request set-var(txn.port) path,field(3,/,3) if !{ var(txn.target) -m found } path_form !port_host
  http-request set-var(txn.login) req.cook(${input.loginCookie}) if { var(txn.port) -m found }
  http-request set-var(txn.grant) str(p:),concat(,txn.port,|),concat(,txn.login) if { var(txn.login) -m found }
  http-request set-var(txn.target) var(txn.grant),map(${map}) if { var(txn.login) -m found }
  http-request set-var(txn.grant) str(p:),concat(,txn.port,|*) if { var(txn.port) -m found } !{ var(txn.target) -m found }
  http-request set-var(txn.target) var(txn.grant),map(${map}) if { var(txn.port) -m found } !{ var(txn.target) -m found }
  http-request set-var(txn.prefix) var(txn.port),regsub(^,/ports/) if { var(txn.port) -m found } { var(txn.target) -m found }
  acl mapped var(txn.target) -m found
  acl plain_method method GET HEAD OPTIONS DELETE POST PUT PATCH
  # Ticket exchanges and WebSockets (their Origin rule) stay Kubelab's.
  acl auth_path path ${quoted(input.authPath)}
  acl upgrade req.hdr(upgrade) -m found
  use_backend ${NODES_BACKEND} if mapped plain_method !auth_path !upgrade
  default_backend kubelab

backend ${IN_USE_TABLE}
  # A key longer than this is cut; its grant then looks unused and ends (the next request goes
  # through Kubelab again), which is safe.
  stick-table type string len ${IN_USE_KEY_LENGTH} size 100k expire ${GRANT_IDLE_SECONDS}s

backend kubelab
  # The PROXY line tells Kubelab who the client is; such connections are never shared between clients.
  server kubelab 127.0.0.1:${input.kubelabPort} send-proxy
  retry-on conn-failure empty-response
  retries 1

backend ${NODES_BACKEND}
  ${trusted}
  acl path_form var(txn.prefix) -m found
  # Large response bodies move from the node's socket to the client's in the kernel (splice(2)):
  # a 100 MB download went from 0.63x to 0.95x the direct speed.
  option splice-response
  # Connections to each node's app are kept and reused, as with nginx's keep-alive upstreams.
  http-reuse always
  http-request set-dst var(txn.target),field(1,:)
  http-request set-dst-port var(txn.target),field(2,:)
  # The app sees its own paths, as with Kubelab (port-route.ts).
  http-request set-path %[path,regsub(^/ports/[^/]+/[^/]+/[^/]+,)] if path_form
  # What the app sees: no platform cookies (forward-headers.ts). Usually the port cookie or the
  # login is a request's only cookie: one test removes it. Other cookies take the longer way.
  http-request del-header Cookie if { req.fhdr_cnt(cookie) eq 1 } { req.fhdr(cookie) -m reg ${platformOnly} }
  http-request set-var(txn.other_cookies) bool(true) if { req.fhdr_cnt(cookie) gt 0 }
  acl other_cookies var(txn.other_cookies) -m bool
${section(cookieRules)}
  http-request del-header Cookie if other_cookies { req.fhdr_cnt(cookie) eq 1 } { req.fhdr(cookie) -m len 0 }
  http-request return status 400 content-type text/plain string "Too many Kubelab cookies in this request" if other_cookies { req.fhdr(cookie) -m reg ${quoted(`(?i)(^|;)\\s*${PLATFORM_NAME}=`)} }
  # No client-supplied X-Forwarded-* and no hop-by-hop headers; then ours.
${forwardedRules}
  http-request add-header X-Forwarded-Host %[var(txn.host)]
  http-response del-header ${quoted("^(proxy-authenticate|keep-alive)$")} -m reg
  # Which grants are in use: PortGrants keeps a grant past its idle time only if it is here. Only
  # the app's answers count (HAProxy's own error pages skip these rules), so a stopped app's grant
  # ends and Kubelab's closed-port page takes over.
  http-response track-sc0 var(txn.grant) table ${IN_USE_TABLE}
  http-response lua.kubelab_set_cookies if { res.hdr_cnt(set-cookie) gt 0 }
  # The path form runs on the platform's origin: redirects stay inside the prefix, and the app's
  # documents are sandboxed (forward-headers.ts, forwardResponseHeaders).
  http-response replace-header Location ${quoted("^(/(?!/).*)$")} '%[var(txn.prefix)]\\1' if path_form
  http-response replace-header Content-Security-Policy '^(.*)$' ${quoted(`\\1, ${input.pathFormCsp}`)} if path_form
  http-response set-header Content-Security-Policy ${quoted(input.pathFormCsp)} if path_form !{ res.hdr(content-security-policy) -m found }
  ${pageFor(503, `Nothing is listening on ${NODE_AND_PORT} yet`)}
  ${pageFor(502, `The app on ${NODE_AND_PORT} sent a response that is not valid HTTP`)}
  # A refused connection is answered at once (the closed-port page), not after retries.
  retries 0
  server node 0.0.0.0:0
`;
}

/**
 * The Set-Cookie rule of forward-headers.ts (allowedSetCookies) in Lua, since HAProxy can only drop
 * all of a response's Set-Cookie headers, not some: cookies with a Domain attribute or a platform
 * name are removed, the others kept in order; in the path form each is confined to the port's
 * prefix. Run only on responses that set cookies.
 */
export const SET_COOKIE_FILTER_LUA = `-- Written by Kubelab at start.
local function allowed(value)
  local pair = value:match("^[^;]*")
  local eq = pair:find("=", 1, true)
  if not eq then return false end
  local name = pair:sub(1, eq - 1):gsub("^%s+", ""):gsub("%s+$", ""):lower()
  if name == "" then return false end
  if name:find("^kubelab") or name:find("^__host%-kubelab") or name:find("^__secure%-kubelab") then return false end
  for attribute in value:gmatch(";([^;]*)") do
    if attribute:lower():find("^%s*domain%s*=") then return false end
  end
  return true
end

-- The cookie's Path moved under the prefix (no Path: the prefix itself).
local function confined(value, prefix)
  local parts = { value:match("^[^;]*") }
  local app_path = nil
  for attribute in value:gmatch(";([^;]*)") do
    if app_path == nil and attribute:lower():find("^%s*path%s*=") then
      app_path = (attribute:match("=([^=]*)") or ""):gsub("^%s+", ""):gsub("%s+$", "")
    else
      parts[#parts + 1] = attribute
    end
  end
  if app_path == nil or app_path == "" then app_path = "/" end
  if app_path:sub(1, 1) ~= "/" then app_path = "/" .. app_path end
  parts[#parts + 1] = " Path=" .. prefix .. app_path
  return table.concat(parts, ";")
end

core.register_action("kubelab_set_cookies", { "http-res" }, function(txn)
  local values = txn.http:res_get_headers()["set-cookie"]
  if values == nil then return end
  local prefix = txn:get_var("txn.prefix")
  local kept = {}
  local i = 0
  while values[i] ~= nil do
    if allowed(values[i]) then
      kept[#kept + 1] = prefix and confined(values[i], prefix) or values[i]
    end
    i = i + 1
  end
  txn.http:res_del_header("set-cookie")
  for _, value in ipairs(kept) do txn.http:res_add_header("set-cookie", value) end
end)
`;
