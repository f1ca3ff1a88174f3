-- CreateTable
CREATE TABLE "public_ports" (
    "session_id" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "public_ports_pkey" PRIMARY KEY ("session_id","node","port")
);

-- AddForeignKey
ALTER TABLE "public_ports" ADD CONSTRAINT "public_ports_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lab_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

