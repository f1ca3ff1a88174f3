-- Raised hands in classroom events (issue 16): an attendee's request for help, queued oldest first.
-- open_session_id is the session's id while the request is open and NULL once closed, so its
-- unique index allows one open request per session.
-- CreateTable
CREATE TABLE "help_requests" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "open_session_id" TEXT,
    "message" TEXT,
    "step" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimed_at" TIMESTAMPTZ(3),
    "claimed_by_id" UUID,
    "closed_at" TIMESTAMPTZ(3),
    "closed_reason" TEXT,

    CONSTRAINT "help_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "help_requests_open_session_id_key" ON "help_requests"("open_session_id");

-- CreateIndex
CREATE INDEX "help_requests_event_id_created_at_idx" ON "help_requests"("event_id", "created_at");

-- CreateIndex
CREATE INDEX "help_requests_session_id_idx" ON "help_requests"("session_id");

-- AddForeignKey
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lab_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "help_requests" ADD CONSTRAINT "help_requests_claimed_by_id_fkey" FOREIGN KEY ("claimed_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
