"use client";

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import type { ConnectionStatus } from "@/lib/terminal/terminal-connection";

export interface TerminalTab {
  key: string;
  node: string;
  terminalId: string;
}

export type TerminalLayout = "tabs" | "split";

/** What the lesson's buttons need from a live terminal. */
export interface TerminalHandle {
  sendText: (text: string) => boolean;
  focus: () => void;
}

interface WorkspaceState {
  tabs: TerminalTab[];
  activeKey: string;
  layout: TerminalLayout;
  statuses: Record<string, ConnectionStatus>;
  /** Per node, the terminal last used: where "Run in node1" types. */
  lastByNode: Record<string, string>;
}

/** What the components read: the tabs and the server's limit of terminals per node (GET /api/limits). */
export interface WorkspaceView extends WorkspaceState {
  maxPerNode: number;
}

interface WorkspaceActions {
  activate: (key: string) => void;
  openTerminal: (node: string) => void;
  closeTerminal: (key: string) => void;
  setLayout: (layout: TerminalLayout) => void;
  reportStatus: (key: string, status: ConnectionStatus) => void;
  registerHandle: (key: string, handle: TerminalHandle | null) => void;
  /** Shows a terminal and moves the keyboard focus into it. */
  focusTerminal: (key: string) => void;
  /** Types text into the node's current terminal, shows it and focuses it; false when it is not connected. */
  typeIntoNode: (node: string, text: string) => boolean;
  /** The id of the terminal typeIntoNode would type into ("main", "t2", ...); undefined when none is open. */
  targetTerminalId: (node: string) => string | undefined;
}

const StateContext = createContext<WorkspaceView | null>(null);
const ActionsContext = createContext<WorkspaceActions | null>(null);

export const tabKey = (node: string, terminalId: string) => `${node}/${terminalId}`;

const LAYOUT_KEY = "kubelab.terminalLayout";
const tabsKey = (sessionId: string) => `kubelab.terminals.${sessionId}`;

function readLayout(): TerminalLayout {
  try {
    return localStorage.getItem(LAYOUT_KEY) === "split" ? "split" : "tabs";
  } catch {
    return "tabs";
  }
}

function restoreTabs(sessionId: string, nodes: string[], maxPerNode: number): TerminalTab[] {
  const main = mainTabs(nodes);
  // Extra terminals opened earlier in this session come back after a reload.
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(tabsKey(sessionId)) ?? "[]");
    if (!Array.isArray(saved)) return main;
    const extra = saved
      .filter(
        (tab): tab is TerminalTab => typeof tab === "object" && tab !== null && "node" in tab && "terminalId" in tab,
      )
      .filter((tab) => nodes.includes(tab.node) && /^t\d{1,3}$/.test(tab.terminalId))
      .map((tab) => ({ key: tabKey(tab.node, tab.terminalId), node: tab.node, terminalId: tab.terminalId }));
    // The limit may have been lowered since (a server restart with another MAX_TERMINALS_PER_NODE).
    const perNode = new Map<string, number>();
    const kept = extra.filter((tab) => {
      const count = (perNode.get(tab.node) ?? 1) + 1;
      perNode.set(tab.node, count);
      return count <= maxPerNode;
    });
    return [...main, ...kept];
  } catch {
    return main;
  }
}

function mainTabs(nodes: string[]): TerminalTab[] {
  return nodes.map((node) => ({ key: tabKey(node, "main"), node, terminalId: "main" }));
}

/**
 * Which terminals are open, which one shows, and the live handles the lesson's
 * buttons type into. Rendered for the whole lab page (sessionId null while
 * there is no session), so the lesson pane never remounts when the lab starts.
 */
export function TerminalWorkspaceProvider({
  sessionId,
  nodes,
  maxPerNode,
  children,
}: {
  sessionId: string | null;
  nodes: string[];
  /** Terminals the server runs per node at most (MAX_TERMINALS_PER_NODE, from GET /api/limits). */
  maxPerNode: number;
  children: ReactNode;
}) {
  const [state, setState] = useState<WorkspaceState>({
    tabs: [],
    activeKey: "",
    layout: "tabs",
    statuses: {},
    lastByNode: {},
  });
  const handles = useRef(new Map<string, TerminalHandle>());
  // A terminal the user just opened gets the keyboard once its shell is attached.
  const focusWhenConnected = useRef<string | null>(null);
  const stateRef = useRef(state);
  useLayoutEffect(() => {
    stateRef.current = state;
  });

  // A new session starts with fresh tabs; localStorage is only readable after hydration.
  const nodeList = nodes.join(",");
  useEffect(() => {
    const names = nodeList ? nodeList.split(",") : [];
    const tabs = sessionId ? restoreTabs(sessionId, names, maxPerNode) : [];
    const layout = readLayout();
    setState({ tabs, activeKey: tabs[0]?.key ?? "", layout, statuses: {}, lastByNode: {} });
  }, [sessionId, nodeList, maxPerNode]);

  useEffect(() => {
    if (!sessionId) return;
    const extra = state.tabs.filter((tab) => tab.terminalId !== "main");
    try {
      localStorage.setItem(
        tabsKey(sessionId),
        JSON.stringify(extra.map(({ node, terminalId }) => ({ node, terminalId }))),
      );
    } catch {
      // Storage full or disabled: extra tabs are simply not restored.
    }
  }, [sessionId, state.tabs]);

  const activate = useCallback((key: string) => {
    setState((current) => {
      const tab = current.tabs.find((t) => t.key === key);
      if (!tab) return current;
      return { ...current, activeKey: key, lastByNode: { ...current.lastByNode, [tab.node]: key } };
    });
  }, []);

  const actions = useMemo<WorkspaceActions>(
    () => ({
      activate,
      openTerminal(node) {
        setState((current) => {
          const onNode = current.tabs.filter((tab) => tab.node === node);
          if (onNode.length >= maxPerNode) return current;
          // The lowest free t2, t3, ...: a closed tab's shell lives on for the server's grace
          // period, so reusing its id reattaches to it, and a node never holds more
          // distinct terminals than the server allows.
          const used = new Set(onNode.map((tab) => tab.terminalId));
          let number = 2;
          while (used.has(`t${number}`)) number += 1;
          const terminalId = `t${number}`;
          const tab = { key: tabKey(node, terminalId), node, terminalId };
          focusWhenConnected.current = tab.key;
          return {
            ...current,
            tabs: [...current.tabs, tab],
            activeKey: tab.key,
            lastByNode: { ...current.lastByNode, [node]: tab.key },
          };
        });
      },
      closeTerminal(key) {
        setState((current) => {
          const tabs = current.tabs.filter((tab) => tab.key !== key || tab.terminalId === "main");
          const activeKey = current.activeKey === key ? (tabs[0]?.key ?? "") : current.activeKey;
          const lastByNode = Object.fromEntries(Object.entries(current.lastByNode).filter(([, k]) => k !== key));
          return { ...current, tabs, activeKey, lastByNode };
        });
      },
      setLayout(layout) {
        try {
          localStorage.setItem(LAYOUT_KEY, layout);
        } catch {
          // Not remembered; still applied.
        }
        setState((current) => ({ ...current, layout }));
      },
      reportStatus(key, status) {
        if (status === "connected" && focusWhenConnected.current === key) {
          focusWhenConnected.current = null;
          requestAnimationFrame(() => handles.current.get(key)?.focus());
        }
        setState((current) =>
          current.statuses[key] === status ? current : { ...current, statuses: { ...current.statuses, [key]: status } },
        );
      },
      registerHandle(key, handle) {
        if (handle) handles.current.set(key, handle);
        else handles.current.delete(key);
      },
      focusTerminal(key) {
        activate(key);
        requestAnimationFrame(() => handles.current.get(key)?.focus());
      },
      typeIntoNode(node, text) {
        const key = targetKey(stateRef.current, node);
        const handle = key ? handles.current.get(key) : undefined;
        if (!key || !handle || !handle.sendText(text)) return false;
        activate(key);
        // Focus once the tab is visible (after React has committed the activation).
        requestAnimationFrame(() => handle.focus());
        return true;
      },
      targetTerminalId(node) {
        const key = targetKey(stateRef.current, node);
        return stateRef.current.tabs.find((tab) => tab.key === key)?.terminalId;
      },
    }),
    [activate, maxPerNode],
  );
  const view = useMemo<WorkspaceView>(() => ({ ...state, maxPerNode }), [state, maxPerNode]);

  return (
    <ActionsContext.Provider value={actions}>
      <StateContext.Provider value={view}>{children}</StateContext.Provider>
    </ActionsContext.Provider>
  );
}

/** The terminal a node's lesson buttons target: the one last used on that node, else its main terminal. */
function targetKey(state: WorkspaceState, node: string): string | undefined {
  const last = state.lastByNode[node];
  if (last && state.tabs.some((tab) => tab.key === last)) return last;
  return state.tabs.find((tab) => tab.node === node)?.key;
}

export function useTerminalWorkspace(): WorkspaceView {
  const state = useContext(StateContext);
  if (!state) throw new Error("useTerminalWorkspace must be used inside <TerminalWorkspaceProvider>");
  return state;
}

export function useTerminalActions(): WorkspaceActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error("useTerminalActions must be used inside <TerminalWorkspaceProvider>");
  return actions;
}

/** Connection status of the terminal a node's lesson buttons would type into (undefined outside a ready lab). */
export function useNodeTerminalStatus(node: string): ConnectionStatus | undefined {
  const state = useContext(StateContext);
  if (!state) return undefined;
  const key = targetKey(state, node);
  return key ? (state.statuses[key] ?? "connecting") : undefined;
}
