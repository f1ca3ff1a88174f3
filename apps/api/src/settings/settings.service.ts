import { Inject, Injectable, Logger, Optional, type OnModuleInit } from "@nestjs/common";
import { ClusterBus } from "../cluster/cluster-bus.service";
import type { TAdminSettingKey, TAdminSettings, TAdminSettingsUpdate } from "@kubelab/shared";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { User } from "../generated/prisma/client";
import { PoolSettings } from "../sessions/session-pool-settings";
import { resolveSettings, type EffectiveSettings, type ResolvedSettings } from "./settings-values";

const SETTINGS_CHANGED = "settings-changed";

interface StoredSetting {
  value: string;
  updatedAt: Date;
  updatedBy: string | null;
}

/**
 * The one place the admin console's settings are read from: quotas, session length and extensions,
 * pool sizes, event limits, node resources and allowed images. A value set in the console
 * (table admin_settings) beats the environment variable, which beats the default. Consumers call
 * `current()` (a synchronous in-memory snapshot, rebuilt at start and after every change), so the
 * create path costs no query; a change applies from the next create and never touches running
 * sessions.
 */
@Injectable()
export class SettingsService implements OnModuleInit {
  private readonly logger = new Logger("Settings");
  private stored = new Map<TAdminSettingKey, StoredSetting>();
  private resolved: ResolvedSettings;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditLog,
    private readonly pool: PoolSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly bus?: ClusterBus,
  ) {
    // Until the stored values are read: what the environment says (the values loadConfig checked).
    this.resolved = resolveSettings(process.env, {}, config.nodes.image);
    // Another process of the installation changed them: read them again, so every process agrees.
    bus?.on(SETTINGS_CHANGED, () => {
      this.load().catch((error: unknown) =>
        this.logger.warn(`Settings changed elsewhere, not read again: ${(error as Error).message}`),
      );
    });
  }

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    const rows = await this.prisma.adminSetting.findMany();
    this.stored = new Map(
      rows
        .filter((row) => this.isKey(row.key))
        .map((row) => [
          row.key as TAdminSettingKey,
          { value: row.value, updatedAt: row.updatedAt, updatedBy: row.updatedBy },
        ]),
    );
    this.apply();
    // A value stored by an older version that no longer validates: the environment's value holds.
    for (const problem of this.resolved.problems)
      this.logger.warn(`Console setting ${problem.path} ignored: ${problem.message}`);
  }

  /** The effective values now. */
  current(): Readonly<EffectiveSettings> {
    return this.resolved.effective;
  }

  /** Concurrent sessions `user` may hold: their own override (Users page), else their role's. */
  maxSessionsFor(user: Pick<User, "role" | "maxSessions">): number {
    return user.maxSessions ?? this.resolved.effective.maxSessionsPerRole[user.role];
  }

  view(): TAdminSettings {
    return {
      settings: this.resolved.entries.map((entry) => {
        const stored = entry.source === "console" ? this.stored.get(entry.key) : undefined;
        return {
          ...entry,
          updatedAt: stored?.updatedAt.toISOString() ?? null,
          updatedBy: stored?.updatedBy ?? null,
        };
      }),
    };
  }

  /**
   * Sets (a string) or clears (null) console values, all or none: a value the environment would
   * refuse is a bad_request naming its key. Audited (settings.changed, before and after) before it
   * takes effect.
   */
  async update(admin: User, patch: TAdminSettingsUpdate, clientAddress: string | null): Promise<TAdminSettings> {
    const next = Object.fromEntries([...this.stored].map(([key, row]) => [key, row.value])) as Partial<
      Record<TAdminSettingKey, string>
    >;
    const changed = Object.entries(patch).filter(([, value]) => value !== undefined) as [
      TAdminSettingKey,
      string | null,
    ][];
    for (const [key, value] of changed) {
      if (value === null) delete next[key];
      else next[key] = value.trim();
    }
    const candidate = resolveSettings(process.env, next, this.config.nodes.image);
    if (candidate.problems.length > 0) {
      throw new AppError(
        "bad_request",
        `Invalid settings: ${candidate.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
        candidate.problems,
      );
    }
    const before = Object.fromEntries(this.resolved.entries.map((e) => [e.key, { value: e.value, source: e.source }]));
    const after = Object.fromEntries(candidate.entries.map((e) => [e.key, { value: e.value, source: e.source }]));
    const keys = changed.map(([key]) => key);
    await this.audit.record({
      actorId: admin.id,
      action: AUDIT_ACTIONS.settingsChanged,
      targetType: "settings",
      targetId: keys.join(","),
      detail: {
        before: Object.fromEntries(keys.map((key) => [key, before[key]!])),
        after: Object.fromEntries(keys.map((key) => [key, after[key]!])),
      },
      clientAddress,
    });
    await this.prisma.$transaction(
      changed.map(([key, value]) =>
        value === null
          ? this.prisma.adminSetting.deleteMany({ where: { key } })
          : this.prisma.adminSetting.upsert({
              where: { key },
              create: { key, value: value.trim(), updatedBy: admin.id },
              update: { value: value.trim(), updatedBy: admin.id },
            }),
      ),
    );
    const now = new Date();
    for (const [key, value] of changed) {
      if (value === null) this.stored.delete(key);
      else this.stored.set(key, { value: value.trim(), updatedAt: now, updatedBy: admin.id });
    }
    this.apply();
    this.bus?.publish(SETTINGS_CHANGED, {});
    this.logger.log(`${admin.name} (${admin.id}) changed settings: ${keys.join(", ")}`);
    return this.view();
  }

  private apply(): void {
    const values = Object.fromEntries([...this.stored].map(([key, row]) => [key, row.value]));
    this.resolved = resolveSettings(process.env, values, this.config.nodes.image);
    // The warm pool keeps its own live copy of the sizes (it refills at once on a change).
    const sizes = this.resolved.effective.poolSizes;
    const pooled = this.pool.current().sizes;
    const same =
      Object.keys(sizes).length === Object.keys(pooled).length &&
      Object.entries(sizes).every(([image, size]) => pooled[image] === size);
    if (!same) this.pool.update({ sizes });
  }

  private isKey(key: string): key is TAdminSettingKey {
    return (this.resolved.entries as { key: string }[]).some((entry) => entry.key === key);
  }
}
