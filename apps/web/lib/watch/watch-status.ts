import type { TTerminalWatchState } from "@kubelab/shared";
import type { ConnectionStatus } from "../terminal/terminal-connection";

/** What the watch page says about one watched terminal (keys of dict.watch.status). */
export type WatchStatus = "connecting" | "reconnecting" | "ended" | "readOnly" | "allowed" | "help" | "typing";

/**
 * The watch page's status line and whether "Take over" is enabled, from the socket's state and the
 * server's last `watch` message (null before the first). The server decides; this only shows it.
 */
export function watchStatus(
  connection: ConnectionStatus,
  watch: TTerminalWatchState | null,
): { status: WatchStatus; canTakeOver: boolean } {
  switch (connection) {
    case "connecting":
      return { status: "connecting", canTakeOver: false };
    case "reconnecting":
      return { status: "reconnecting", canTakeOver: false };
    case "exited":
    case "closed":
      return { status: "ended", canTakeOver: false };
    case "connected":
      break;
  }
  if (!watch) return { status: "connecting", canTakeOver: false };
  if (watch.typing) return { status: "typing", canTakeOver: false };
  switch (watch.mayTakeOver) {
    case "allowed":
      return { status: "allowed", canTakeOver: true };
    case "help":
      return { status: "help", canTakeOver: true };
    case "no":
      return { status: "readOnly", canTakeOver: false };
  }
}

/** One tab of the watch page: a running terminal of a node. */
export interface WatchTab {
  key: string;
  node: string;
  terminalId: string;
}

/** The tabs for the attendee's running terminals, node by node ("main" first, as the API sends them). */
export function watchTabs(nodes: readonly { name: string; terminals: readonly string[] }[]): WatchTab[] {
  return nodes.flatMap((node) =>
    node.terminals.map((terminalId) => ({ key: `${node.name}/${terminalId}`, node: node.name, terminalId })),
  );
}
