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
CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"resets_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_tombstones" (
	"subject_idx" text PRIMARY KEY NOT NULL,
	"subject_enc" text NOT NULL,
	"entity_type" text NOT NULL,
	"erasure_id" uuid NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
CREATE INDEX "access_entries_at_idx" ON "access_entries" USING btree ("at");--> statement-breakpoint
CREATE INDEX "access_entries_actor_id_idx" ON "access_entries" USING btree ("actor_id","at");--> statement-breakpoint
CREATE INDEX "access_entries_entity_idx" ON "access_entries" USING btree ("entity_type","at");--> statement-breakpoint
CREATE INDEX "access_entries_entity_ids_idx" ON "access_entries" USING gin ("entity_ids");--> statement-breakpoint
CREATE INDEX "privacy_tombstones_erasure_id_idx" ON "privacy_tombstones" USING btree ("erasure_id");--> statement-breakpoint
CREATE INDEX "customers_id_number_idx" ON "customers" USING btree ("id_number_idx");--> statement-breakpoint
CREATE INDEX "referrers_id_number_idx" ON "referrers" USING btree ("id_number_idx");--> statement-breakpoint
-- HAND-WRITTEN (issue 20, rate limits; keep when regenerating): the counters are rewritten on every
-- authenticated request and worthless after a crash, so no WAL (a hit commits without waiting for a
-- disk flush) and room on each page for the next version of a row (updates stay HOT).
ALTER TABLE "rate_limit_counters" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "rate_limit_counters" SET (fillfactor = 50);
-- END HAND-WRITTEN
--> statement-breakpoint
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
