-- Audit log for admins (issue 17): filters by action and actor, and retention (AUDIT_RETENTION).
-- CreateIndex
CREATE INDEX "audit_log_action_created_at_idx" ON "audit_log"("action", "created_at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_created_at_idx" ON "audit_log"("actor_id", "created_at");

-- Still append-only, with one way out: the server's daily pruning. It sets the transaction-local
-- setting kubelab.audit_prune to its cutoff (now minus AUDIT_RETENTION) and deletes older rows;
-- the trigger lets a DELETE through only for a row older than that cutoff, and only when the
-- cutoff is at least a day in the past, so no setting can remove anything recent. UPDATE and
-- TRUNCATE stay refused, and so does any DELETE without the setting.
CREATE OR REPLACE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cutoff TIMESTAMPTZ;
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- After a SET LOCAL ends, the setting reads '' for the rest of the connection.
        cutoff := NULLIF(current_setting('kubelab.audit_prune', true), '')::TIMESTAMPTZ;
        IF cutoff IS NOT NULL AND cutoff <= now() - INTERVAL '1 day' AND OLD."created_at" < cutoff THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END;
$$;
