-- The waiting queue (issue 14): when the installation is full, a create waits in `queued`
-- (FIFO by queued_at) instead of failing with no_capacity.
-- AlterEnum
ALTER TYPE "LabSessionStatus" ADD VALUE 'queued';

-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "queue_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "queued_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "lab_sessions_instance_id_status_queued_at_idx" ON "lab_sessions"("instance_id", "status", "queued_at");
