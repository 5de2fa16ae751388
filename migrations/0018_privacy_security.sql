CREATE TABLE "rate_limit_counters" (
	"key" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"resets_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "privacy_tombstones" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"entity_type" text NOT NULL,
	"erasure_id" uuid NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
CREATE INDEX "privacy_tombstones_erasure_id_idx" ON "privacy_tombstones" USING btree ("erasure_id");--> statement-breakpoint
CREATE INDEX "customers_id_number_idx" ON "customers" USING btree ("id_number_idx");--> statement-breakpoint
CREATE INDEX "referrers_id_number_idx" ON "referrers" USING btree ("id_number_idx");--> statement-breakpoint
-- HAND-WRITTEN (issue 20, rate limits; keep when regenerating): the counters are rewritten on every
-- authenticated request and worthless after a crash, so no WAL (a hit commits without waiting for a
-- disk flush) and room on each page for the next version of a row (updates stay HOT).
ALTER TABLE "rate_limit_counters" SET UNLOGGED;--> statement-breakpoint
ALTER TABLE "rate_limit_counters" SET (fillfactor = 50);
-- END HAND-WRITTEN
