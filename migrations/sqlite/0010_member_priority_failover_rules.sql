ALTER TABLE `group_sub_groups` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `groups` ADD `failover_rules` text DEFAULT '[]' NOT NULL;