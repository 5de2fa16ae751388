ALTER TYPE "public"."role" ADD VALUE 'auditor';--> statement-breakpoint
CREATE TABLE "access_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"actor_role" text,
	"api_key_id" uuid,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_ids" uuid[] NOT NULL,
	"row_count" integer NOT NULL,
	"fields" text[] NOT NULL,
	"filter" jsonb,
	"request_id" text
);
--> statement-breakpoint
CREATE INDEX "access_entries_at_idx" ON "access_entries" USING btree ("at");--> statement-breakpoint
CREATE INDEX "access_entries_actor_id_idx" ON "access_entries" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "access_entries_entity_idx" ON "access_entries" USING btree ("entity_type","at");--> statement-breakpoint
CREATE INDEX "access_entries_entity_ids_idx" ON "access_entries" USING gin ("entity_ids");--> statement-breakpoint
-- BEGIN hand-written (audit, issue 20): the audit trail is append-only. An UPDATE that only
-- rewrites `changes` (erasure scrubbing personal values) passes; any other UPDATE or DELETE
-- is refused, unless an operator's session sets crm.audit_maintenance = 'on' (retention of
-- old entries, documented in docs/privacy.md). TRUNCATE is the owner's, as ever.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('crm.audit_maintenance', true), '') = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'changes') = (to_jsonb(OLD) - 'changes') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;--> statement-breakpoint
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only();--> statement-breakpoint
CREATE TRIGGER access_entries_append_only BEFORE UPDATE OR DELETE ON access_entries FOR EACH ROW EXECUTE FUNCTION audit_append_only();
-- END hand-written (audit)
