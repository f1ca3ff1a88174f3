-- The admin console's settings (issue 17): values an admin set at run time, over the environment's
-- defaults (apps/api/src/settings/), and per-user overrides of the sessions-per-user quota.
-- AlterTable
ALTER TABLE "users" ADD COLUMN "max_sessions" INTEGER;

-- CreateTable
CREATE TABLE "admin_settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" UUID,

    CONSTRAINT "admin_settings_pkey" PRIMARY KEY ("key")
);
