-- Classroom events (issue 15): an instructor's room for one lesson, joined with an access code.
-- CreateEnum
CREATE TYPE "EventJoinPolicy" AS ENUM ('guests', 'logged_in', 'allow_list');

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "lesson_id" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "capacity" INTEGER NOT NULL,
    "session_seconds" INTEGER NOT NULL,
    "max_extensions" INTEGER NOT NULL,
    "reserved_sessions" INTEGER NOT NULL,
    "prepare_seconds" INTEGER NOT NULL,
    "join_policy" "EventJoinPolicy" NOT NULL DEFAULT 'guests',
    "allow_list" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "access_code" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- An attendee's session belongs to the event it was joined through.
-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "event_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "events_access_code_key" ON "events"("access_code");

-- CreateIndex
CREATE INDEX "events_owner_id_starts_at_idx" ON "events"("owner_id", "starts_at");

-- CreateIndex
CREATE INDEX "events_ends_at_idx" ON "events"("ends_at");

-- CreateIndex
CREATE INDEX "lab_sessions_event_id_status_idx" ON "lab_sessions"("event_id", "status");

-- AddForeignKey
ALTER TABLE "lab_sessions" ADD CONSTRAINT "lab_sessions_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
