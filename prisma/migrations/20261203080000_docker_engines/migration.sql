-- Several Docker engines (issue 21): the engine each session runs on (a name of DOCKER_ENGINES;
-- null until its build places it; "local" for every session before), and the admin's drains.
-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "engine" TEXT;
UPDATE "lab_sessions" SET "engine" = 'local';

-- CreateTable
CREATE TABLE "docker_engine_drains" (
    "name" TEXT NOT NULL,
    "drained_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "drained_by" UUID,

    CONSTRAINT "docker_engine_drains_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "lab_sessions_engine_status_idx" ON "lab_sessions"("engine", "status");
