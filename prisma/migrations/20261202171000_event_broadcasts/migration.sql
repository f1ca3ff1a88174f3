-- Broadcasts in classroom events (issue 16): an instructor's message (and optionally a step) to every
-- attendee; attendees read the latest through their session.
-- CreateTable
CREATE TABLE "event_broadcasts" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "author_id" UUID,
    "message" TEXT NOT NULL,
    "step" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_broadcasts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "event_broadcasts_event_id_created_at_idx" ON "event_broadcasts"("event_id", "created_at");

-- AddForeignKey
ALTER TABLE "event_broadcasts" ADD CONSTRAINT "event_broadcasts_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_broadcasts" ADD CONSTRAINT "event_broadcasts_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
