-- Lessons that check the work (issue 18). verified_steps: steps whose checks and quizzes all passed
-- on the server (a subset of done_steps); passed: the ids of the checks and quizzes passed
-- ("s3-c0", "s3-q0"). Only the server writes them (PUT progress cannot); rows from before are unverified.
-- AlterTable
ALTER TABLE "lesson_progress" ADD COLUMN     "passed" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "verified_steps" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
