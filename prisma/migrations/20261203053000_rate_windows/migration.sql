-- Rate limits shared by every Kubelab process of a database (issue 21): per scope ("login",
-- "event-code") and client address, a fixed window's start and count. Rows of windows long over
-- are deleted now and then by the processes themselves.
-- CreateTable
CREATE TABLE "rate_windows" (
    "scope" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_windows_pkey" PRIMARY KEY ("scope","address")
);
