ALTER TABLE "customers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_enc" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_idx" text;--> statement-breakpoint
ALTER TABLE "referrers" ADD COLUMN "id_number_masked" text;--> statement-breakpoint
CREATE INDEX "customers_id_number_idx" ON "customers" USING btree ("id_number_idx");--> statement-breakpoint
CREATE INDEX "referrers_id_number_idx" ON "referrers" USING btree ("id_number_idx");