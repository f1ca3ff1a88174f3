// The one place that knows how port-proxy URLs look (the proxy itself comes later).
export function portUrl(sessionId: string, node: string, port: number, path = "/"): string {
  const normalizedPath = path.startsWith("/") ? path : `/${path}`;
  return `/ports/${encodeURIComponent(sessionId)}/${encodeURIComponent(node)}/${port}${normalizedPath}`;
}

export function isValidPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}
