CREATE TYPE "public"."consent_channel" AS ENUM('any', 'sms', 'email', 'phone', 'wecom', 'dingtalk');--> statement-breakpoint
CREATE TYPE "public"."consent_purpose" AS ENUM('processing', 'marketing', 'third_party_sharing', 'cross_border', 'service');--> statement-breakpoint
CREATE TYPE "public"."consent_source" AS ENUM('referral_confirmation', 'form', 'import', 'staff', 'unsubscribe', 'api');--> statement-breakpoint
CREATE TABLE "consent_records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"referrer_id" uuid,
	"purpose" "consent_purpose" NOT NULL,
	"channel" "consent_channel" NOT NULL,
	"granted" boolean NOT NULL,
	"text_version" text,
	"source" "consent_source" NOT NULL,
	"proof" text,
	"note" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"referral_id" uuid,
	"message_id" uuid,
	CONSTRAINT "consent_records_subject_ck" CHECK (num_nonnulls("consent_records"."customer_id", "consent_records"."referrer_id") = 1)
);
--> statement-breakpoint
CREATE TABLE "contact_locks" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"locked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_referrer_id_referrers_id_fk" FOREIGN KEY ("referrer_id") REFERENCES "public"."referrers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_locks" ADD CONSTRAINT "contact_locks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consent_records_customer_idx" ON "consent_records" USING btree ("customer_id","purpose","channel","occurred_at") WHERE "consent_records"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "consent_records_referrer_idx" ON "consent_records" USING btree ("referrer_id","purpose","channel","occurred_at") WHERE "consent_records"."referrer_id" is not null;--> statement-breakpoint
CREATE INDEX "consent_records_recorded_idx" ON "consent_records" USING btree ("recorded_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "consent_records_unsubscribe_uq" ON "consent_records" USING btree ("message_id") WHERE "consent_records"."source" = 'unsubscribe';