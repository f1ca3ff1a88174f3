import type { TMeResponse, TSession } from "@kubelab/shared";
import { waitFor } from "./wait-for";

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A real HTTP client with its own cookie jar: one instance is one browser. */
export class ApiClient {
  private cookie: string | undefined;
  /** Sent with every request, e.g. X-Forwarded-For to stand for a client behind a trusted proxy. */
  readonly headers: Record<string, string> = {};

  constructor(readonly baseUrl: string) {}

  /** The Cookie header this "browser" sends (for WebSocket upgrades). */
  get cookieHeader(): string | undefined {
    return this.cookie;
  }

  /** Sends the same cookie as another client: a stolen or shared cookie. */
  useCookieOf(other: ApiClient): void {
    this.cookie = other.cookie;
  }

  setCookieHeader(cookie: string): void {
    this.cookie = cookie;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, rawBody?: string): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined || rawBody !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const setCookie = res.headers.getSetCookie()[0];
    if (setCookie) this.cookie = setCookie.split(";")[0];
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  async loginAsGuest(name = "Test Attendee"): Promise<TMeResponse> {
    const res = await this.request<TMeResponse>("POST", "/api/auth/guest", { name });
    if (res.status !== 200) throw new Error(`guest login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async createSession(): Promise<TSession> {
    const res = await this.request<TSession>("POST", "/api/sessions", {});
    if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async getSession(id: string): Promise<TSession> {
    const res = await this.request<TSession>("GET", `/api/sessions/${id}`);
    if (res.status !== 200) throw new Error(`get session failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Waits until the session leaves `provisioning` and returns it (ready or failed). */
  async waitUntilSettled(id: string, timeoutMs = 120_000): Promise<TSession> {
    return waitFor(
      `session ${id} to leave provisioning`,
      async () => {
        const session = await this.getSession(id);
        return session.status === "provisioning" ? undefined : session;
      },
      timeoutMs,
    );
  }

  async waitForStatus(id: string, status: TSession["status"], timeoutMs = 120_000): Promise<TSession> {
    return waitFor(
      `session ${id} to become ${status}`,
      async () => {
        const session = await this.getSession(id);
        return session.status === status ? session : undefined;
      },
      timeoutMs,
    );
  }
}
