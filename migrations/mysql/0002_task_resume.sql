CREATE TABLE `task_input` (
	`seq` int NOT NULL,
	`keys` mediumtext NOT NULL,
	CONSTRAINT `task_input_seq` PRIMARY KEY(`seq`)
);
--> statement-breakpoint
ALTER TABLE `task_state` ADD `job` json;