-- Guests logged in by an event join are bound to that event: they may start sessions only for its
-- lesson while it runs (issue 15). No foreign key on purpose: a deleted event leaves its guests
-- bound to nothing, so they can start nothing (SET NULL would free them).
-- AlterTable
ALTER TABLE "users" ADD COLUMN     "event_id" UUID;
