import type { Response } from "express";

// Comment lines keep idle proxies from closing the stream.
const KEEPALIVE_MS = 20_000;

export interface EventStream {
  /** One Server-Sent Event: its name and JSON data. */
  send(event: string, data: unknown): void;
  /** Ends the response (the keepalive stops with it). */
  end(): void;
  /** Called once when the stream closes, whoever closed it. */
  onClose(listener: () => void): void;
}

/** Starts a Server-Sent Events response (text/event-stream) with a keepalive comment every 20 s. */
export function openEventStream(res: Response): EventStream {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    // Reverse proxies (nginx) would otherwise buffer the stream.
    "x-accel-buffering": "no",
  });
  const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
  res.on("close", () => clearInterval(keepalive));
  return {
    send: (event, data) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end: () => {
      clearInterval(keepalive);
      res.end();
    },
    onClose: (listener) => res.on("close", listener),
  };
}
