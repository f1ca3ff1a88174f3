-- The client address a guest logged in from: guest sessions are capped per
-- address (GUEST_SESSIONS_PER_ADDRESS), so one person cannot fill the host
-- with guest logins. Null for other users and for guests from before this.
-- AlterTable
ALTER TABLE "users" ADD COLUMN     "guest_address" TEXT;

-- CreateIndex
CREATE INDEX "users_guest_address_idx" ON "users"("guest_address");
