-- The warm pool (issue 14): sessions built ahead for nobody, claimed by POST /api/sessions.
-- AlterEnum
ALTER TYPE "LabSessionStatus" ADD VALUE 'pooled';

-- A pooled session has no owner until it is claimed.
-- AlterTable
ALTER TABLE "lab_sessions" ALTER COLUMN "owner_id" DROP NOT NULL,
ADD COLUMN     "pool_key" TEXT,
ADD COLUMN     "pooled_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "lab_sessions_pool_key_status_idx" ON "lab_sessions"("pool_key", "status");
