-- A session's reason becomes typed: status_reason holds a code (ZSessionReasonCode), with the nodes
-- concerned, a node's exit code and the server's English text as a detail beside it.
-- AlterTable
ALTER TABLE "lab_sessions" ADD COLUMN     "status_detail" TEXT,
ADD COLUMN     "status_exit_code" INTEGER,
ADD COLUMN     "status_nodes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- Earlier rows held free text: it is kept as the detail and replaced by the code that matches it.
UPDATE "lab_sessions" SET "status_detail" = "status_reason"
WHERE "status_reason" IS NOT NULL AND "status_reason" NOT IN ('deleted', 'expired', 'disk_limit');
UPDATE "lab_sessions" SET "status_reason" = CASE
    WHEN "status_reason" = 'owner banned' THEN 'owner_banned'
    WHEN "status_reason" LIKE 'node_profile_unavailable:%' THEN 'profile_unavailable'
    WHEN "status_reason" LIKE 'the node image % is not on this Docker engine%' THEN 'image_missing'
    WHEN "status_reason" LIKE 'the node firewall could not be installed%' THEN 'firewall_unavailable'
    WHEN "status_reason" LIKE '% could not start:%' THEN 'node_start_failed'
    WHEN "status_reason" LIKE '%did not start in time%' THEN 'ready_timeout'
    WHEN "status_reason" LIKE 'the server restarted%' THEN 'server_restarted'
    WHEN "status_reason" LIKE 'the server shut down%' THEN 'server_shutdown'
    WHEN "status_reason" ~ '^node[1-9]( and node[1-9])* stopped' THEN 'node_died'
    ELSE 'provision_error'
  END
WHERE "status_detail" IS NOT NULL;
