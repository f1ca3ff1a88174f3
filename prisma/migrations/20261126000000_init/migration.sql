-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "UserRole" AS ENUM ('attendee', 'instructor', 'admin');

-- CreateEnum
CREATE TYPE "LabSessionStatus" AS ENUM ('provisioning', 'ready', 'failed', 'ending', 'ended');

-- CreateEnum
CREATE TYPE "LabNodeStatus" AS ENUM ('creating', 'running', 'failed', 'removed');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "UserRole" NOT NULL DEFAULT 'attendee',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_sessions" (
    "token_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "login_sessions_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "lab_sessions" (
    "id" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "instance_id" TEXT NOT NULL,
    "lesson_id" TEXT,
    "image" TEXT NOT NULL,
    "status" "LabSessionStatus" NOT NULL DEFAULT 'provisioning',
    "status_reason" TEXT,
    "extensions" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "lab_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lab_nodes" (
    "session_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "LabNodeStatus" NOT NULL DEFAULT 'creating',
    "ip" TEXT,
    "container_id" TEXT,

    CONSTRAINT "lab_nodes_pkey" PRIMARY KEY ("session_id","name")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_provider_provider_id_key" ON "users"("provider", "provider_id");

-- CreateIndex
CREATE INDEX "login_sessions_user_id_idx" ON "login_sessions"("user_id");

-- CreateIndex
CREATE INDEX "lab_sessions_owner_id_status_idx" ON "lab_sessions"("owner_id", "status");

-- CreateIndex
CREATE INDEX "lab_sessions_status_expires_at_idx" ON "lab_sessions"("status", "expires_at");

-- AddForeignKey
ALTER TABLE "login_sessions" ADD CONSTRAINT "login_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lab_sessions" ADD CONSTRAINT "lab_sessions_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lab_nodes" ADD CONSTRAINT "lab_nodes_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "lab_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

