ALTER TABLE `api_keys` ADD `enabled` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `groups` ADD `enabled` integer DEFAULT true NOT NULL;