import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Logger } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import cookieParser from "cookie-parser";
import { AppModule } from "./app.module";
import { describeStartupFailure } from "./common/startup-failure";
import { ConfigError, loadConfig, type AppConfig } from "./config/app-config";
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from "./database/embedded-postgres";
import { applyMigrations } from "./database/migrations";
import { DockerEngine } from "./nodes/docker-engine.adapter";
import { enginesOrLocal } from "./config/docker-engines-config";
import { NodeFirewall } from "./nodes/node-firewall.service";
import { SessionPool } from "./sessions/session-pool.service";
import { SessionQueue } from "./sessions/session-queue.service";
import { SessionLifecycle } from "./sessions/session-lifecycle.service";
import { TerminalUpgradeHandler } from "./terminals/terminal-upgrade.handler";
import { isWebDevUpgrade, mountWebApp } from "./web/web-app";
import { securityHeaders } from "./common/security-headers";
import { watchUpgradedSocketErrors } from "./common/upgraded-socket-errors";
import { PortHttpGateway } from "./ports/port-http.gateway";
import { PortUpgradeHandler } from "./ports/port-upgrade.handler";
import { PortFastPath } from "./ports/port-fast-path";
import { AUTH_PATH } from "./ports/port-http.gateway";
import { PATH_FORM_CSP } from "./ports/forward-headers";
import { loginCookieName } from "./auth/login-cookie";
import { HaproxyProcess } from "./ports/haproxy/haproxy-process";
import { NODES_BACKEND } from "./ports/haproxy/haproxy-config";
import { PortGrants } from "./ports/haproxy/port-grants";
import { JsonLogger } from "./common/json-logger";
import { requestContext } from "./common/request-context";
import { Readiness } from "./health/readiness.service";
import { LeaderDuties } from "./cluster/leader-duties.service";
import { Leadership } from "./cluster/leadership.service";
import { ClusterBus } from "./cluster/cluster-bus.service";
import { startStartupResponder } from "./health/startup-responder";
import { Metrics } from "./metrics/metrics.service";
import { startMetricsServer } from "./metrics/metrics-server";

const logger = new Logger("Kubelab");

async function checkDocker(config: AppConfig): Promise<void> {
  // The first engine must answer; others that do not are only left out of placement (DockerEngines).
  const first = enginesOrLocal(config.docker.engines)[0]!;
  const engine = new DockerEngine(config, first);
  try {
    await engine.ping();
  } catch (error) {
    throw new ConfigError(
      `Cannot reach the Docker engine ${first.name} (${engine.address}): ${(error as Error).message}.\n` +
        "Start Docker, or point DOCKER_HOST at a reachable engine.",
    );
  }
  if (!(await engine.imageExists(config.nodes.image))) {
    logger.warn(
      `Node image "${config.nodes.image}" is missing; sessions will fail until you run: npm run images:build`,
    );
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Applies to every logger, including those used before Nest starts (embedded PostgreSQL, migrations).
  const levels = ["error", "warn", "log", "debug", "verbose"] as const;
  const enabledLevels = levels.slice(0, levels.indexOf(config.server.logLevel) + 1);
  const jsonLogger = config.server.logFormat === "json" ? new JsonLogger(enabledLevels) : undefined;
  Logger.overrideLogger(jsonLogger ?? enabledLevels);
  if (jsonLogger) {
    // Node writes its warnings (deprecations...) as plain text; in JSON mode they are log lines too.
    process.removeAllListeners("warning");
    process.on("warning", (warning) => jsonLogger.warn(`${warning.name}: ${warning.message}`, "Node"));
  }
  await checkDocker(config);
  if (config.ports.dataPlane === "haproxy") HaproxyProcess.assertInstalled();
  // From here PORT answers 503 "starting" until the app listens (the embedded database's start and
  // migrations can take a while). After the engine check: without an engine the server exits, and
  // says why, whatever holds the port.
  const startup = await startStartupResponder(config.server.host, config.server.port, {
    sharable: config.ports.dataPlane === "haproxy",
  });
  let embedded: RunningEmbeddedPostgres | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort);
    databaseUrl = embedded.url;
  }
  await applyMigrations(databaseUrl);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    logger: jsonLogger ?? enabledLevels,
    // On shutdown, end the connections that are still open (a lab page's event streams, kept-alive
    // requests) instead of waiting for them: the shutdown deadline used to run out (exit 1 after
    // 15 s) whenever a page was open, and attendees waited that long for their terminals to return.
    // Terminal sockets are closed properly before (TerminalRegistry.beforeApplicationShutdown).
    forceCloseConnections: true,
  });
  // Before everything, port requests included: each request's id for its response and log lines.
  app.use(requestContext(config));
  // Then, before any other middleware: port hosts and /ports/ paths belong to users' apps and must
  // never reach Nest's body parsers and routes or the Next.js handler.
  app.use(app.get(PortHttpGateway).middleware());
  // Only what gets past the port gateway: the platform's own pages, API and assets.
  app.use(securityHeaders(config));
  app.use(cookieParser());
  // Small bodies only: nothing in the API takes more than a few fields.
  app.useBodyParser("json", { limit: "64kb" });
  app.useBodyParser("urlencoded", { limit: "64kb", extended: true });
  app.disable("x-powered-by");
  if (config.server.webEnabled) {
    // Server components call the API over loopback, forwarding the user's cookie.
    const loopback = ["0.0.0.0", "::"].includes(config.server.host) ? "127.0.0.1" : config.server.host;
    process.env.KUBELAB_INTERNAL_URL = `http://${loopback.includes(":") ? `[${loopback}]` : loopback}:${config.server.port}`;
    await mountWebApp(app, (req) => app.get(PortUpgradeHandler).claims(req));
  }
  await app.init();
  // Among the installation's processes (several may share one INSTANCE_ID): before the firewall
  // they share is installed, so that the last one leaving cannot remove it under this one.
  await app.get(Leadership).join();
  // Session stops and freed places reach the installation's other processes.
  await app.get(ClusterBus).start();
  // Before any session can start; a failure here is retried (and reported) by each session that tries.
  await app
    .get(NodeFirewall)
    .ensureInstalled()
    .catch((error: unknown) =>
      logger.error(`Node firewall not installed; sessions will fail until it is: ${(error as Error).message}`),
    );
  // The reconciliation, the queue and the pool run in one process of the installation at a time:
  // the leader. Alone, this process leads from here on; beside a leader, it serves requests only.
  app.get(LeaderDuties).register();
  await app.get(Leadership).start();
  // Both listen on 'upgrade'; the terminal handler refuses what it does not know, so it leaves port
  // upgrades (and the development server's hot-reload socket) alone.
  const portUpgrades = app.get(PortUpgradeHandler);
  portUpgrades.listen(app.getHttpServer());
  app
    .get(TerminalUpgradeHandler)
    .listen(app.getHttpServer(), (req) => portUpgrades.claims(req) || isWebDevUpgrade(req));
  // Before all of them (prepended): every upgraded socket gets an error listener.
  watchUpgradedSocketErrors(app.getHttpServer());

  let metricsServer: { close(): Promise<void> } | undefined;
  let haproxy: HaproxyProcess | undefined;
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    app.get(Readiness).markStopping();
    logger.log(`${reason}, shutting down`);
    // A client that never finishes a close handshake must not keep the process alive.
    setTimeout(() => {
      logger.warn("Shutdown took longer than 15 s; exiting anyway");
      process.exit(1);
    }, 15_000).unref();
    // No pool build may start after the half-built ones are cancelled.
    await app.get(SessionQueue).stop();
    await app.get(SessionPool).stop();
    await app.get(SessionLifecycle).cancelAll();
    // The firewall is the installation's: only the last of its processes removes it.
    const last = await app.get(Leadership).leaveAsLast();
    if (!last) logger.log("Node firewall kept: other Kubelab processes of this installation run");
    if (last)
      await app
        .get(NodeFirewall)
        .removeIfUnused()
        .catch((error: unknown) => logger.error(`Could not remove the node firewall: ${(error as Error).message}`));
    await metricsServer?.close();
    // The port fast path's own connections: app.close() neither sees nor ends them.
    app.get(PortFastPath).closeAll();
    await app.close();
    // HAProxy only now: the terminal sockets' close frames (1001, "the server is restarting") that
    // app.close() sends travel through it to the browsers.
    await haproxy?.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.once("SIGTERM", (s) => void shutdown(`${s} received`));
  process.once("SIGINT", (s) => void shutdown(`${s} received`));
  // `npm start` keeps an IPC channel to this process. If the launcher is killed (even with
  // kill -9) the channel closes: stop cleanly rather than live on as an orphan holding the
  // port and the embedded database.
  if (process.connected) process.once("disconnect", () => void shutdown("The npm start launcher exited"));

  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(app.get(Metrics), config.metrics.host, config.metrics.port);
  }
  // Sees each connection before Node's HTTP server: allowed port requests are forwarded without
  // Express and Nest; everything else is handed to the server as if it had read it itself.
  const behindHaproxy = config.ports.dataPlane === "haproxy";
  app.get(PortFastPath).attach(app.getHttpServer(), { proxyProtocol: behindHaproxy });
  if (behindHaproxy) {
    // HAProxy on PORT, Kubelab behind it on loopback (docs/ports.md, "HAProxy as the data plane").
    // Idle connections from HAProxy are closed by HAProxy (after its own 5 s), never by Kubelab
    // first: a request it sent on a connection Kubelab was closing would fail.
    app.getHttpServer().keepAliveTimeout = 65_000;
    await app.listen(0, "127.0.0.1");
    const grants = app.get(PortGrants);
    haproxy = await HaproxyProcess.start(
      {
        bindHost: config.server.host,
        bindPort: config.server.port,
        kubelabPort: (app.getHttpServer().address() as AddressInfo).port,
        trustedProxies: config.ports.trustedProxies,
        threads: config.ports.haproxyThreads,
        authPath: AUTH_PATH,
        loginCookie: loginCookieName(config),
        pathFormCsp: PATH_FORM_CSP,
      },
      () => grants.forgetAll(),
    );
    grants.attach(haproxy.runtime);
    app.get(Metrics).readHaproxyCounters(haproxy.runtime, NODES_BACKEND);
    // PORT passed from the start-up responder to HAProxy without refused connections in between.
    await startup.close();
  } else {
    await startup.close();
    await app.listen(config.server.port, config.server.host);
  }
  app.get(Readiness).markServing();
  logger.log(
    `Kubelab listening on http://${config.server.host}:${config.server.port} (public URL ${config.server.publicUrl.href})`,
  );
}

bootstrap().catch((error: unknown) => {
  console.error(describeStartupFailure(error));
  process.exit(1);
});
