import { Injectable, Logger } from "@nestjs/common";
import { SessionPool } from "../sessions/session-pool.service";
import { SessionQueue } from "../sessions/session-queue.service";
import { SessionReconciler } from "../sessions/session-reconciler.service";
import { Leadership } from "./leadership.service";

/**
 * The background work that starts and stops with leadership (see Leadership). The periodic jobs
 * that only need to skip their turn (reaper, disk check, audit pruning, Docker events) ask
 * `Leadership.isLeader` themselves.
 */
@Injectable()
export class LeaderDuties {
  private readonly logger = new Logger("LeaderDuties");

  constructor(
    private readonly leadership: Leadership,
    private readonly reconciler: SessionReconciler,
    private readonly queue: SessionQueue,
    private readonly pool: SessionPool,
  ) {}

  /** Called once at start-up, before Leadership.start. */
  register(): void {
    this.leadership.onChange(async (leader) => {
      if (leader) {
        // Docker and the database may have drifted while nobody led (or since the last leader died).
        // A failed pass is logged (the reaper still removes leftovers; the next change of leader or
        // reconnection to the engine reconciles again); the queue and the pool start regardless.
        await this.reconciler
          .reconcile()
          .catch((error: unknown) => this.logger.error(`Reconciliation failed: ${(error as Error).message}`));
        // After the reconciliation (places of sessions that died with the old leader are free
        // again), and before the pool: queued sessions kept in the database take free places first.
        await this.queue.start();
        // After the reconciliation: the previous leader's pooled sessions are adopted (or failed) first.
        this.pool.start();
      } else {
        await this.queue.stop();
        await this.pool.stop();
      }
    });
  }
}
