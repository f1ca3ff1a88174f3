// Entry point of @kubelab/shared: the REST contracts shared by server, web app and tests.
export * from "./api-error";
export * from "./auth";
export * from "./lessons";
export * from "./sessions";
export * from "./session-lifecycle";
export * from "./terminal-protocol";
export * from "./ports";
export * from "./admin-users";
export * from "./admin-audit";
export * from "./safe-next-path";
export * from "./node-security";
export * from "./lab-limits";
export * from "./events";
export * from "./event-room";
export * from "./admin-settings";
export * from "./admin-sessions";
export * from "./admin-usage";
