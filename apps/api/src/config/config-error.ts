/** Bad configuration: the server stops at boot with this message, which names each variable. */
export class ConfigError extends Error {}
