CREATE TABLE `api_keys` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`group_id` bigint unsigned NOT NULL,
	`key_value` text NOT NULL,
	`key_hash` varchar(128) NOT NULL,
	`status` varchar(16) NOT NULL DEFAULT 'active',
	`notes` text NOT NULL DEFAULT (''),
	`request_count` bigint NOT NULL DEFAULT 0,
	`failure_count` int NOT NULL DEFAULT 0,
	`enabled` boolean NOT NULL DEFAULT true,
	`last_used_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `api_keys_id` PRIMARY KEY(`id`),
	CONSTRAINT `idx_api_keys_group_key_hash` UNIQUE(`group_id`,`key_hash`)
);
--> statement-breakpoint
CREATE TABLE `coord_leases` (
	`name` varchar(255) NOT NULL,
	`owner` varchar(255) NOT NULL,
	`until` bigint NOT NULL,
	CONSTRAINT `coord_leases_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `coord_versions` (
	`name` varchar(255) NOT NULL,
	`version` bigint NOT NULL,
	CONSTRAINT `coord_versions_name` PRIMARY KEY(`name`)
);
--> statement-breakpoint
CREATE TABLE `group_hourly_stats` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`time` datetime(3) NOT NULL,
	`group_id` bigint unsigned NOT NULL,
	`success_count` bigint NOT NULL DEFAULT 0,
	`failure_count` bigint NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `group_hourly_stats_id` PRIMARY KEY(`id`),
	CONSTRAINT `idx_group_time` UNIQUE(`time`,`group_id`)
);
--> statement-breakpoint
CREATE TABLE `group_sub_groups` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`group_id` bigint unsigned NOT NULL,
	`sub_group_id` bigint unsigned NOT NULL,
	`weight` int NOT NULL DEFAULT 0,
	`priority` int NOT NULL DEFAULT 0,
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `group_sub_groups_id` PRIMARY KEY(`id`),
	CONSTRAINT `idx_group_sub` UNIQUE(`group_id`,`sub_group_id`)
);
--> statement-breakpoint
CREATE TABLE `groups` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`name` varchar(255) NOT NULL,
	`display_name` varchar(255) NOT NULL DEFAULT '',
	`description` varchar(512) NOT NULL DEFAULT '',
	`group_type` varchar(32) NOT NULL DEFAULT 'standard',
	`upstreams` json NOT NULL DEFAULT ('[]'),
	`channel_type` varchar(64) NOT NULL,
	`sort` int NOT NULL DEFAULT 0,
	`test_model` varchar(255) NOT NULL,
	`validation_endpoint` varchar(255) NOT NULL DEFAULT '',
	`param_overrides` json NOT NULL DEFAULT ('{}'),
	`model_redirect_rules` json NOT NULL DEFAULT ('{}'),
	`model_redirect_strict` boolean NOT NULL DEFAULT false,
	`config` json NOT NULL DEFAULT ('{}'),
	`header_rules` json NOT NULL DEFAULT ('[]'),
	`failover_rules` json NOT NULL DEFAULT ('[]'),
	`proxy_keys` text NOT NULL DEFAULT (''),
	`enabled` boolean NOT NULL DEFAULT true,
	`last_validated_at` datetime(3),
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `groups_id` PRIMARY KEY(`id`),
	CONSTRAINT `groups_name_unique` UNIQUE(`name`)
);
--> statement-breakpoint
CREATE TABLE `key_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`key_id` bigint unsigned NOT NULL,
	`group_id` bigint unsigned NOT NULL,
	`time` datetime(3) NOT NULL,
	`from_state` varchar(32),
	`to_state` varchar(32) NOT NULL,
	`status_code` int NOT NULL DEFAULT 0,
	`message` text NOT NULL DEFAULT (''),
	CONSTRAINT `key_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `request_logs` (
	`id` varchar(64) NOT NULL,
	`timestamp` datetime(3) NOT NULL,
	`group_id` bigint unsigned NOT NULL,
	`group_name` varchar(255) NOT NULL DEFAULT '',
	`parent_group_id` bigint unsigned NOT NULL DEFAULT 0,
	`parent_group_name` varchar(255) NOT NULL DEFAULT '',
	`key_hash` varchar(128) NOT NULL DEFAULT '',
	`key_masked` varchar(255) NOT NULL DEFAULT '',
	`model` varchar(255) NOT NULL DEFAULT '',
	`is_success` boolean NOT NULL,
	`source_ip` varchar(255) NOT NULL DEFAULT '',
	`status_code` int NOT NULL,
	`request_path` varchar(512) NOT NULL DEFAULT '',
	`duration` bigint NOT NULL DEFAULT 0,
	`error_message` varchar(2048) NOT NULL DEFAULT '',
	`user_agent` varchar(512) NOT NULL DEFAULT '',
	`request_type` varchar(16) NOT NULL DEFAULT 'final',
	`upstream_addr` varchar(512) NOT NULL DEFAULT '',
	`is_stream` boolean NOT NULL DEFAULT false,
	`request_body` mediumtext NOT NULL DEFAULT (''),
	CONSTRAINT `request_logs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `system_settings` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`setting_key` varchar(255) NOT NULL,
	`setting_value` text NOT NULL,
	`description` varchar(1024) NOT NULL DEFAULT '',
	`created_at` datetime(3) NOT NULL,
	`updated_at` datetime(3) NOT NULL,
	CONSTRAINT `system_settings_id` PRIMARY KEY(`id`),
	CONSTRAINT `system_settings_setting_key_unique` UNIQUE(`setting_key`)
);
--> statement-breakpoint
CREATE TABLE `task_state` (
	`id` int NOT NULL,
	`owner` varchar(255) NOT NULL DEFAULT '',
	`status` json,
	CONSTRAINT `task_state_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `idx_api_keys_group_id` ON `api_keys` (`group_id`);--> statement-breakpoint
CREATE INDEX `idx_api_keys_group_status_id` ON `api_keys` (`group_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `idx_api_keys_group_last_used_id` ON `api_keys` (`group_id`,`last_used_at`,`id`);--> statement-breakpoint
CREATE INDEX `idx_group_sub_groups_sub_group_id` ON `group_sub_groups` (`sub_group_id`);--> statement-breakpoint
CREATE INDEX `idx_key_events_key_id` ON `key_events` (`key_id`,`id`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_timestamp` ON `request_logs` (`timestamp`);--> statement-breakpoint
CREATE INDEX `idx_request_logs_key_hash` ON `request_logs` (`key_hash`);