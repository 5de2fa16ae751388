CREATE TABLE "campaign_costs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"campaign_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) DEFAULT 'CNY' NOT NULL,
	"category" text NOT NULL,
	"incurred_on" date NOT NULL,
	"note" text,
	"created_by" uuid,
	CONSTRAINT "campaign_costs_amount_positive" CHECK ("campaign_costs"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "campaign_costs" ADD CONSTRAINT "campaign_costs_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_costs" ADD CONSTRAINT "campaign_costs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_costs_external_id_uq" ON "campaign_costs" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "campaign_costs_campaign_id_idx" ON "campaign_costs" USING btree ("campaign_id","incurred_on");--> statement-breakpoint
CREATE INDEX "campaign_costs_incurred_on_idx" ON "campaign_costs" USING btree ("incurred_on");--> statement-breakpoint
CREATE INDEX "leads_assigned_at_idx" ON "leads" USING btree ("assigned_at");--> statement-breakpoint
CREATE INDEX "opportunities_closed_at_idx" ON "opportunities" USING btree ("closed_at");--> statement-breakpoint
CREATE INDEX "referrals_submitted_at_idx" ON "referrals" USING btree ("submitted_at");--> statement-breakpoint
CREATE INDEX "order_refunds_refunded_at_idx" ON "order_refunds" USING btree ("refunded_at");