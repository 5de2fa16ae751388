CREATE TYPE "public"."referral_channel" AS ENUM('api', 'form', 'link', 'qr', 'import');--> statement-breakpoint
CREATE TYPE "public"."referral_rejection" AS ENUM('duplicate', 'already_customer', 'self_referral', 'consent_declined', 'expired', 'invalid');--> statement-breakpoint
CREATE TYPE "public"."referral_status" AS ENUM('pending_consent', 'submitted', 'qualified', 'converted', 'rejected');--> statement-breakpoint
CREATE TABLE "referral_claims" (
	"contact_key" text PRIMARY KEY NOT NULL,
	"referral_id" uuid NOT NULL,
	"referrer_id" uuid NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"referrer_id" uuid NOT NULL,
	"campaign_id" uuid,
	"channel" "referral_channel" NOT NULL,
	"name" text,
	"phone_enc" text,
	"phone_idx" text,
	"phone_masked" text,
	"email_enc" text,
	"email_idx" text,
	"email_masked" text,
	"company" text,
	"industry" text,
	"region" text,
	"note" text,
	"status" "referral_status" NOT NULL,
	"rejection_reason" "referral_rejection",
	"rejection_detail" text,
	"flagged_for_review" boolean DEFAULT false NOT NULL,
	"flags" text[] DEFAULT '{}'::text[] NOT NULL,
	"consent_token_hash" text,
	"consent_expires_at" timestamp with time zone,
	"consent" jsonb,
	"lead_id" uuid,
	"customer_id" uuid,
	"opportunity_id" uuid,
	"submitted_at" timestamp with time zone,
	"consented_at" timestamp with time zone,
	"qualified_at" timestamp with time zone,
	"converted_at" timestamp with time zone,
	"rejected_at" timestamp with time zone,
	"purged_at" timestamp with time zone,
	"source_ip" text
);
--> statement-breakpoint
CREATE TABLE "assignment_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sources" text[] DEFAULT '{}'::text[] NOT NULL,
	"industries" text[] DEFAULT '{}'::text[] NOT NULL,
	"regions" text[] DEFAULT '{}'::text[] NOT NULL,
	"campaign_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"assignee_id" uuid,
	"team_id" uuid
);
--> statement-breakpoint
CREATE TABLE "follow_up_policies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"source" text NOT NULL,
	"first_contact_hours" integer DEFAULT 72 NOT NULL,
	"follow_up_days" integer DEFAULT 7 NOT NULL,
	"dormant_days" integer DEFAULT 30 NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_rotations" (
	"rotation" text PRIMARY KEY NOT NULL,
	"last_user_id" uuid
);
--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "first_contact_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "first_contact_breached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "follow_up_breached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "referral_claims" ADD CONSTRAINT "referral_claims_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_claims" ADD CONSTRAINT "referral_claims_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_rules" ADD CONSTRAINT "assignment_rules_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignment_rules" ADD CONSTRAINT "assignment_rules_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_rotations" ADD CONSTRAINT "team_rotations_last_user_id_users_id_fk" FOREIGN KEY ("last_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "referral_claims_referral_id_idx" ON "referral_claims" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "referral_claims_referrer_id_idx" ON "referral_claims" USING btree ("referrer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_external_id_uq" ON "referrals" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_consent_token_uq" ON "referrals" USING btree ("consent_token_hash");--> statement-breakpoint
CREATE INDEX "referrals_referrer_id_idx" ON "referrals" USING btree ("referrer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "referrals_campaign_id_idx" ON "referrals" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "referrals_lead_id_idx" ON "referrals" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "referrals_customer_id_idx" ON "referrals" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "referrals_status_idx" ON "referrals" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "referrals_phone_idx" ON "referrals" USING btree ("phone_idx");--> statement-breakpoint
CREATE INDEX "referrals_email_idx" ON "referrals" USING btree ("email_idx");--> statement-breakpoint
CREATE INDEX "referrals_created_at_idx" ON "referrals" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "referrals_updated_at_idx" ON "referrals" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "referrals_consent_expires_at_idx" ON "referrals" USING btree ("consent_expires_at") WHERE "referrals"."status" = 'pending_consent';--> statement-breakpoint
CREATE INDEX "referrals_flagged_idx" ON "referrals" USING btree ("created_at") WHERE "referrals"."flagged_for_review";--> statement-breakpoint
CREATE UNIQUE INDEX "assignment_rules_external_id_uq" ON "assignment_rules" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "assignment_rules_priority_idx" ON "assignment_rules" USING btree ("priority","created_at") WHERE "assignment_rules"."active" and "assignment_rules"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "assignment_rules_assignee_id_idx" ON "assignment_rules" USING btree ("assignee_id");--> statement-breakpoint
CREATE INDEX "assignment_rules_team_id_idx" ON "assignment_rules" USING btree ("team_id");--> statement-breakpoint
CREATE UNIQUE INDEX "follow_up_policies_external_id_uq" ON "follow_up_policies" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "follow_up_policies_source_uq" ON "follow_up_policies" USING btree ("source") WHERE "follow_up_policies"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_referred_by_referral_id_referrals_id_fk" FOREIGN KEY ("referred_by_referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "leads_first_contact_due_at_idx" ON "leads" USING btree ("first_contact_due_at") WHERE "leads"."first_contacted_at" is null;--> statement-breakpoint
CREATE INDEX "leads_last_activity_at_idx" ON "leads" USING btree ("last_activity_at");