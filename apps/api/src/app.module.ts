import { type DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER, APP_GUARD } from "@nestjs/core";
import { SessionAccess } from "./access/session-access.service";
import { AdminUsersController } from "./auth/admin-users.controller";
import { AdminUsersService } from "./auth/admin-users.service";
import { AdminSessionsController } from "./sessions/admin-sessions.controller";
import { AdminEnginesController } from "./nodes/admin-engines.controller";
import { AdminSessions } from "./sessions/admin-sessions.service";
import { NodeUsage } from "./sessions/node-usage";
import { NodeStatsSampler } from "./nodes/node-stats.sampler";
import { AuthController } from "./auth/auth.controller";
import { LoginAttempts } from "./auth/login-attempts.service";
import { LoginProviders } from "./auth/login-providers";
import { LoginRateLimiter } from "./auth/login-rate-limiter";
import { SameOriginGuard } from "./auth/same-origin.guard";
import { UsersService } from "./auth/users.service";
import { AuthService } from "./auth/auth.service";
import { LoginGuard } from "./auth/login.guard";
import { RequestAuth } from "./auth/request-auth.service";
import { ErrorRenderer } from "./common/error-renderer.service";
import { HttpExceptionFilter } from "./common/http-exception.filter";
import { APP_CONFIG, type AppConfig } from "./config/app-config";
import { LabLimitsController } from "./config/lab-limits.controller";
import { DATABASE_URL, PrismaService } from "./database/prisma.service";
import { EventRoom } from "./events/event-room.service";
import { EventRoomController } from "./events/event-room.controller";
import { EventRoomActionsController } from "./events/event-room-actions.controller";
import { EventRoomActions } from "./events/event-room-actions.service";
import { EventBroadcasts } from "./events/event-broadcasts.service";
import { EventBroadcastsController } from "./events/event-broadcasts.controller";
import { HelpRequests } from "./events/help-requests.service";
import { RoomSignals } from "./events/room-signals";
import { HelpRequestsController } from "./events/help-requests.controller";
import { EventsController } from "./events/events.controller";
import { EventJoinLimiter } from "./events/event-join-limiter";
import { EventJoinService } from "./events/event-join.service";
import { EventsService } from "./events/events.service";
import { HealthController } from "./health/health.controller";
import { ClusterBus } from "./cluster/cluster-bus.service";
import { LeaderDuties } from "./cluster/leader-duties.service";
import { Leadership } from "./cluster/leadership.service";
import { ReadyController } from "./health/ready.controller";
import { Readiness } from "./health/readiness.service";
import { MetricsController } from "./metrics/metrics.controller";
import { Metrics } from "./metrics/metrics.service";
import { LessonCatalog } from "./lessons/lesson-catalog.service";
import { LessonChecks } from "./lessons/lesson-checks.service";
import { LessonChecksController } from "./lessons/lesson-checks.controller";
import { LessonProgressController } from "./lessons/lesson-progress.controller";
import { LessonProgressStore } from "./lessons/lesson-progress.service";
import { LessonNodeResizer } from "./lessons/lesson-node-resizer.service";
import { LessonSetup } from "./lessons/lesson-setup.service";
import { LessonsController } from "./lessons/lessons.controller";
import { NodeFilesController } from "./nodes/node-files.controller";
import { DockerEngine } from "./nodes/docker-engine.adapter";
import { DockerEngines } from "./nodes/docker-engines.service";
import { EngineLossWatch } from "./sessions/engine-loss.watch";
import { NodeFirewall } from "./nodes/node-firewall.service";
import { NodeSecurityProfileResolver } from "./nodes/node-security-profile.resolver";
import { NodeSecurityController } from "./nodes/node-security.controller";
import { NodeSecurityReportService } from "./nodes/node-security-report.service";
import { NodeEventsMonitor } from "./sessions/node-events.monitor";
import { NodeDiskMonitor } from "./sessions/node-disk.monitor";
import { SessionNotices } from "./sessions/session-notices.service";
import { NodeLayerQuotaResolver } from "./nodes/node-layer-quota.resolver";
import { SessionLifecycle } from "./sessions/session-lifecycle.service";
import { SessionPool } from "./sessions/session-pool.service";
import { SessionQueue } from "./sessions/session-queue.service";
import { PoolSettings } from "./sessions/session-pool-settings";
import { AdminSettingsController } from "./settings/admin-settings.controller";
import { SettingsService } from "./settings/settings.service";
import { SessionProvisioner } from "./sessions/session-provisioner.service";
import { SessionReaper } from "./sessions/session-reaper.service";
import { SessionReconciler } from "./sessions/session-reconciler.service";
import { SessionSubnets } from "./sessions/session-subnets.service";
import { SessionsController } from "./sessions/sessions.controller";
import { SessionImagePicker } from "./sessions/session-image-picker";
import { SessionsService } from "./sessions/sessions.service";
import { SessionEvents } from "./sessions/session-events";
import { TerminalActivity } from "./terminals/terminal-activity";
import { TerminalRegistry } from "./terminals/terminal-registry.service";
import { TerminalUpgradeHandler } from "./terminals/terminal-upgrade.handler";
import { TerminalWatch } from "./terminals/terminal-watch.service";
import { TerminalForegroundController } from "./terminals/terminal-foreground.controller";
import { TerminalWatchController } from "./terminals/terminal-watch.controller";
import { TerminalWatchers } from "./terminals/terminal-watchers.service";
import { AuditLog } from "./audit/audit-log.service";
import { AdminAuditController } from "./audit/admin-audit.controller";
import { AuditPruner } from "./audit/audit-pruner.service";
import { AuditQuery } from "./audit/audit-query.service";
import { PortAccess } from "./ports/port-access.service";
import { PortHttpGateway } from "./ports/port-http.gateway";
import { PortFastPath } from "./ports/port-fast-path";
import { PortGrants } from "./ports/haproxy/port-grants";
import { PortTokens } from "./ports/port-tokens";
import { PortUpgradeHandler } from "./ports/port-upgrade.handler";
import { PortWatcher } from "./ports/port-watcher.service";
import { PortsController } from "./ports/ports.controller";
import { PortsService } from "./ports/ports.service";
import { SessionNetworkJoiner } from "./ports/session-network-joiner";
import { AdminImagesController } from "./images/admin-images.controller";
import { NodeImages } from "./images/node-images.service";
import { AdminUsageController } from "./usage/admin-usage.controller";
import { UsageService } from "./usage/usage.service";

@Module({})
export class AppModule {
  /** The config and database URL are resolved before Nest starts, then provided as values. */
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        AuthController,
        AdminUsersController,
        AdminSettingsController,
        AdminAuditController,
        AdminSessionsController,
        AdminEnginesController,
        EventsController,
        EventRoomController,
        EventRoomActionsController,
        HelpRequestsController,
        EventBroadcastsController,
        NodeSecurityController,
        SessionsController,
        NodeFilesController,
        LessonsController,
        LessonProgressController,
        LessonChecksController,
        HealthController,
        ReadyController,
        MetricsController,
        LabLimitsController,
        PortsController,
        TerminalForegroundController,
        TerminalWatchController,
        AdminImagesController,
        AdminUsageController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATABASE_URL, useValue: databaseUrl },
        // Guards run in this order: a cross-site write is refused before the login is even looked up.
        { provide: APP_GUARD, useClass: SameOriginGuard },
        { provide: APP_GUARD, useClass: LoginGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        PrismaService,
        Metrics,
        Readiness,
        AuthService,
        RequestAuth,
        ErrorRenderer,
        SessionAccess,
        UsersService,
        AdminUsersService,
        AdminSessions,
        NodeUsage,
        NodeStatsSampler,
        EventsService,
        EventJoinService,
        EventRoomActions,
        EventJoinLimiter,
        LoginAttempts,
        LoginProviders,
        LoginRateLimiter,
        DockerEngines,
        // The primary engine, for what concerns the installation as a whole (images, security profile).
        { provide: DockerEngine, useFactory: (engines: DockerEngines) => engines.primary, inject: [DockerEngines] },
        NodeFirewall,
        NodeSecurityProfileResolver,
        NodeSecurityReportService,
        NodeLayerQuotaResolver,
        SessionProvisioner,
        SessionLifecycle,
        SessionPool,
        Leadership,
        LeaderDuties,
        EngineLossWatch,
        ClusterBus,
        SessionQueue,
        PoolSettings,
        SettingsService,
        SessionsService,
        SessionImagePicker,
        SessionReconciler,
        SessionSubnets,
        SessionReaper,
        NodeEventsMonitor,
        NodeDiskMonitor,
        SessionNotices,
        SessionEvents,
        LessonCatalog,
        LessonProgressStore,
        LessonChecks,
        LessonSetup,
        LessonNodeResizer,
        TerminalRegistry,
        TerminalActivity,
        EventRoom,
        HelpRequests,
        RoomSignals,
        EventBroadcasts,
        TerminalUpgradeHandler,
        TerminalWatch,
        TerminalWatchers,
        AuditLog,
        AuditQuery,
        AuditPruner,
        PortTokens,
        PortAccess,
        PortHttpGateway,
        PortFastPath,
        PortGrants,
        PortUpgradeHandler,
        PortWatcher,
        PortsService,
        SessionNetworkJoiner,
        NodeImages,
        UsageService,
      ],
    };
  }
}
