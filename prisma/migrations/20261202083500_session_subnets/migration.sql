-- Each session network takes one block of NODE_SUBNETS; the primary key hands a block to one
-- session at a time, and the row stays until the session's Docker network is removed.
-- CreateTable
CREATE TABLE "session_subnets" (
    "subnet" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_subnets_pkey" PRIMARY KEY ("subnet")
);

-- CreateIndex
CREATE UNIQUE INDEX "session_subnets_session_id_key" ON "session_subnets"("session_id");

-- AddForeignKey
ALTER TABLE "session_subnets" ADD CONSTRAINT "session_subnets_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lab_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
