DROP INDEX "leads_campaign_id_idx";--> statement-breakpoint
DROP INDEX "referrals_campaign_id_idx";--> statement-breakpoint
DROP INDEX "orders_campaign_id_idx";--> statement-breakpoint
DROP INDEX "rewards_campaign_id_idx";--> statement-breakpoint
CREATE INDEX "referrers_tier_idx" ON "referrers" USING btree ("tier");--> statement-breakpoint
CREATE INDEX "leads_first_contacted_at_idx" ON "leads" USING btree ("first_contacted_at");--> statement-breakpoint
CREATE INDEX "leads_first_contact_due_all_idx" ON "leads" USING btree ("first_contact_due_at");--> statement-breakpoint
CREATE INDEX "opportunity_stage_history_changed_at_idx" ON "opportunity_stage_history" USING btree ("changed_at");--> statement-breakpoint
CREATE INDEX "outbox_events_customer_stage_idx" ON "outbox_events" USING btree ("occurred_at") WHERE "outbox_events"."entity_type" = 'customer' and "outbox_events"."type" in ('customer.created', 'customer.updated');--> statement-breakpoint
CREATE INDEX "referrals_qualified_at_idx" ON "referrals" USING btree ("qualified_at");--> statement-breakpoint
CREATE INDEX "referrals_converted_at_idx" ON "referrals" USING btree ("converted_at");--> statement-breakpoint
CREATE INDEX "referrals_opportunity_id_idx" ON "referrals" USING btree ("opportunity_id");--> statement-breakpoint
CREATE INDEX "rewards_approved_at_idx" ON "rewards" USING btree ("approved_at") WHERE "rewards"."status" in ('approved', 'paid', 'reversed');--> statement-breakpoint
CREATE INDEX "leads_campaign_id_idx" ON "leads" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE INDEX "referrals_campaign_id_idx" ON "referrals" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_campaign_id_idx" ON "orders" USING btree ("campaign_id","paid_at");--> statement-breakpoint
CREATE INDEX "rewards_campaign_id_idx" ON "rewards" USING btree ("campaign_id","approved_at");