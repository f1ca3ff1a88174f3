-- Notices for the attendee about a live session (disk nearly full, a process
-- killed for memory), shown on the lab page.
-- CreateTable
CREATE TABLE "session_notices" (
    "id" BIGSERIAL NOT NULL,
    "session_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "node" TEXT,
    "used_bytes" BIGINT,
    "limit_bytes" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_notices_session_id_created_at_idx" ON "session_notices"("session_id", "created_at");

-- AddForeignKey
ALTER TABLE "session_notices" ADD CONSTRAINT "session_notices_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lab_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
