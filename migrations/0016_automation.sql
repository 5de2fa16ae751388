CREATE TYPE "public"."channel_kind" AS ENUM('wecom_robot', 'dingtalk_robot', 'sms', 'email');--> statement-breakpoint
CREATE TYPE "public"."message_purpose" AS ENUM('marketing', 'service', 'staff');--> statement-breakpoint
CREATE TYPE "public"."message_recipient" AS ENUM('customer', 'user', 'team');--> statement-breakpoint
CREATE TYPE "public"."message_status" AS ENUM('queued', 'held', 'capped', 'blocked', 'sent', 'failed', 'dropped');--> statement-breakpoint
CREATE TABLE "message_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"message_id" uuid NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL,
	"status_code" integer,
	"error" text,
	"latency_ms" integer NOT NULL,
	"excerpt" text
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"channel_kind" "channel_kind" NOT NULL,
	"language" text DEFAULT 'zh-CN' NOT NULL,
	"purpose" "message_purpose" NOT NULL,
	"format" text DEFAULT 'text' NOT NULL,
	"subject" text,
	"body" text NOT NULL,
	"html" text,
	"provider_template_code" text,
	"variables" text[] DEFAULT '{}'::text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"dedupe_key" text,
	"channel_id" uuid,
	"channel_kind" "channel_kind" NOT NULL,
	"template_id" uuid,
	"purpose" "message_purpose" NOT NULL,
	"recipient_kind" "message_recipient" NOT NULL,
	"customer_id" uuid,
	"user_id" uuid,
	"team_id" uuid,
	"language" text,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content" jsonb,
	"status" "message_status" NOT NULL,
	"reason" text,
	"send_after" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"step" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"last_status_code" integer,
	"provider_message_id" text,
	"sent_at" timestamp with time zone,
	"latency_ms" integer,
	"journey_id" uuid,
	"journey_version" integer,
	"enrollment_id" uuid,
	"step_key" text,
	"event_id" uuid,
	"event_type" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" uuid PRIMARY KEY NOT NULL,
	"external_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"name" text NOT NULL,
	"kind" "channel_kind" NOT NULL,
	"team_id" uuid,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secret_enc" text,
	"active" boolean DEFAULT true NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_attempts" ADD CONSTRAINT "message_attempts_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_template_id_message_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."message_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_attempts_message_idx" ON "message_attempts" USING btree ("message_id","attempted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_external_id_uq" ON "message_templates" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_key_uq" ON "message_templates" USING btree ("key","channel_kind","language") WHERE "message_templates"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_dedupe_uq" ON "messages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "messages_due_idx" ON "messages" USING btree ("next_attempt_at") WHERE "messages"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "messages_held_idx" ON "messages" USING btree ("send_after") WHERE "messages"."status" = 'held';--> statement-breakpoint
CREATE INDEX "messages_customer_idx" ON "messages" USING btree ("customer_id","created_at") WHERE "messages"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_journey_idx" ON "messages" USING btree ("journey_id","step_key","status") WHERE "messages"."journey_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_enrollment_idx" ON "messages" USING btree ("enrollment_id") WHERE "messages"."enrollment_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_channel_idx" ON "messages" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_channels_external_id_uq" ON "notification_channels" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_channels_default_uq" ON "notification_channels" USING btree ("kind") WHERE "notification_channels"."is_default" and "notification_channels"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "notification_channels_team_idx" ON "notification_channels" USING btree ("team_id");