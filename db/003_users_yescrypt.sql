-- 003_users_yescrypt.sql - users.password_hash holds yescrypt hashes.
--
-- 001 allowed only 'pbkdf2-sha256$...' strings, but passwords are hashed
-- with yescrypt from libxcrypt ('$y$PARAMS$SALT$HASH', store/password.c),
-- so no user could be added.  SQLite cannot change a CHECK in place: the
-- table is rebuilt the documented way (new table, copy, drop, rename) while
-- the store runs migrations with foreign keys off; sessions and quotes
-- refer to users by name and find the new table.  A row whose hash is not
-- yescrypt fails the copy, and with it the whole migration, rather than
-- being dropped: no build ever verified such hashes, so none should exist.

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(name) BETWEEN 1 AND 63),
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'sales')),
    -- '$y$PARAMS$SALT$HASH' (yescrypt); never the password.  GLOB, unlike
    -- LIKE, compares case.
    password_hash TEXT    NOT NULL CHECK (password_hash GLOB '$y$*'),
    created       INTEGER NOT NULL,
    last_login    INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

INSERT INTO users_new (id, name, role, password_hash, created, last_login, disabled)
SELECT id, name, role, password_hash, created, last_login, disabled FROM users;

DROP TABLE users;

ALTER TABLE users_new RENAME TO users;
