-- Older versions could store text that is not valid UTF-8 (a lone surrogate such as "gpt-\ud83d"
-- in a request log or a key), and libsql aborts the process when it reads such a row. SQL cannot
-- tell valid UTF-8 apart, so this marks the repair, and the gateway runs it once at its next start
-- (src/store/sql-repair.ts): every such text becomes valid, with U+FFFD for the bad bytes.
CREATE TABLE `pending_repairs` (
	`name` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
INSERT INTO `pending_repairs` (`name`) VALUES ('utf8');
