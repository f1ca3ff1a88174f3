-- The image a session's lesson asked for, when the session runs on another
-- one (the lesson's image is not allowed or not on the engine), so the lab
-- page can say so.
-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "requested_image" TEXT;
