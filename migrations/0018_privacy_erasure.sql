CREATE TABLE "privacy_tombstones" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"entity_type" text NOT NULL,
	"erasure_id" uuid NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "privacy_tombstones_erasure_id_idx" ON "privacy_tombstones" USING btree ("erasure_id");