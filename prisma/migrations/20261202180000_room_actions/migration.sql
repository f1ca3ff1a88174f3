-- The instructor's room (issue 16). step_since: when the attendee's current step became current
-- (the room's "stuck on the same step"); null for rows written before it existed.
-- instructor_extensions: times an instructor extended the session from the room ("Extend all");
-- they do not use up the attendee's own extensions, and a changed event keeps them (EventsService).
-- AlterTable
ALTER TABLE "lesson_progress" ADD COLUMN     "step_since" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "instructor_extensions" INTEGER NOT NULL DEFAULT 0;
