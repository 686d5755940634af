-- 001_schema.sql - the first schema: users, sessions, login throttling, the
-- audit log, the materials catalog, rule versions, quotes, parts and jobs.
--
-- Conventions (for every later migration too):
--   * Each file runs in one transaction that the store opens; no BEGIN or
--     COMMIT here.  Foreign keys are off while it runs and checked before
--     the commit, so a table can be rebuilt the SQLite way.
--   * Times are unix seconds in INTEGER columns.  Money is INTEGER minor
--     units (cents) of quotes.currency.  Lengths are millimetres.
--   * JSON columns hold one JSON value and are checked with json_valid().
--   * What a quote was priced with is copied into it (material name,
--     thickness, rule version), so editing the catalog or the rules later
--     never changes an old quote.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(name) BETWEEN 1 AND 63),
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'sales')),
    -- '$y$PARAMS$SALT$HASH' (yescrypt, store/password.c); never the
    -- password.  GLOB, unlike LIKE, compares case.
    password_hash TEXT    NOT NULL CHECK (password_hash GLOB '$y$*'),
    created       INTEGER NOT NULL,
    last_login    INTEGER,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- A login session.  The cookie carries a random token; only its SHA-256
-- (hex) is stored, so a copy of the database does not let anyone log in.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created    INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    csrf_token TEXT    NOT NULL CHECK (length(csrf_token) >= 16),
    ip         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_last_seen ON sessions(last_seen);

-- Failed logins, counted per name and per address within a window to
-- throttle guessing.  The name is as typed: it may match no user.
CREATE TABLE login_failures (
    id   INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    name TEXT    NOT NULL COLLATE NOCASE,
    ip   TEXT    NOT NULL
);
CREATE INDEX login_failures_name ON login_failures(name, time);
CREATE INDEX login_failures_ip ON login_failures(ip, time);

-- Who did what.  user_name is text, not a key: the log outlives accounts.
-- NULL user_name: the appliance itself (start-up, migrations, sweeps).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    user_name TEXT,
    action    TEXT    NOT NULL CHECK (length(action) > 0),
    detail    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_time ON audit_log(time);

-- The materials catalog a shop edits.  price_per_kg is in the shop's
-- currency (company.currency).  extra holds columns a shop adds itself
-- (a JSON object), which pricing rules can read.
CREATE TABLE materials (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) > 0),
    density_kg_m3 REAL    NOT NULL CHECK (density_kg_m3 > 0),
    price_per_kg  REAL    NOT NULL CHECK (price_per_kg >= 0),
    notes         TEXT    NOT NULL DEFAULT '',
    extra         TEXT    NOT NULL DEFAULT '{}'
                          CHECK (json_valid(extra) AND json_type(extra) = 'object')
);

-- Per material and thickness: how fast the machine cuts it, how long one
-- pierce takes, and the sheet it is bought in.
CREATE TABLE material_thicknesses (
    id                   INTEGER PRIMARY KEY,
    material_id          INTEGER NOT NULL REFERENCES materials(id) ON DELETE CASCADE,
    thickness_mm         REAL    NOT NULL CHECK (thickness_mm > 0),
    cutting_speed_mm_min REAL    NOT NULL CHECK (cutting_speed_mm_min > 0),
    pierce_time_s        REAL    NOT NULL CHECK (pierce_time_s >= 0),
    sheet_w_mm           REAL    NOT NULL CHECK (sheet_w_mm > 0),
    sheet_h_mm           REAL    NOT NULL CHECK (sheet_h_mm > 0),
    UNIQUE (material_id, thickness_mm)
);

-- Every saved version of the pricing rules (Lua source), kept forever so
-- an old quote can be explained.  At most one is active.
CREATE TABLE rule_versions (
    id      INTEGER PRIMARY KEY,
    source  TEXT    NOT NULL,
    author  TEXT,   -- user name; NULL for the rules built into the binary
    created INTEGER NOT NULL,
    sha256  TEXT    NOT NULL CHECK (length(sha256) = 64),
    active  INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    note    TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX rule_versions_one_active ON rule_versions(active) WHERE active = 1;
CREATE INDEX rule_versions_sha256 ON rule_versions(sha256);

CREATE TABLE quotes (
    id            INTEGER PRIMARY KEY,
    number        TEXT    NOT NULL UNIQUE CHECK (length(number) > 0),
    customer      TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'sent', 'accepted', 'rejected',
                                            'expired', 'cancelled')),
    created_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    notes         TEXT    NOT NULL DEFAULT '',
    rules_version INTEGER REFERENCES rule_versions(id) ON DELETE RESTRICT
);
CREATE INDEX quotes_created ON quotes(created);
CREATE INDEX quotes_created_by ON quotes(created_by);
CREATE INDEX quotes_status ON quotes(status);
CREATE INDEX quotes_customer ON quotes(customer);

-- One uploaded drawing in a quote.  material and thickness_mm are copies of
-- the catalog entry it was priced with; geometry is the measurement
-- (dxfquote inspect --json), price the rules' breakdown.
CREATE TABLE parts (
    id               INTEGER PRIMARY KEY,
    quote_id         INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL DEFAULT 0,
    file_name        TEXT    NOT NULL,  -- as uploaded, for display only
    stored_path      TEXT    NOT NULL,  -- relative to the data folder
    sha256           TEXT    NOT NULL CHECK (length(sha256) = 64),
    size_bytes       INTEGER NOT NULL CHECK (size_bytes >= 0),
    material         TEXT,
    thickness_mm     REAL    CHECK (thickness_mm IS NULL OR thickness_mm > 0),
    qty              INTEGER NOT NULL DEFAULT 1 CHECK (qty >= 1),
    geometry         TEXT    CHECK (geometry IS NULL OR json_valid(geometry)),
    price            TEXT    CHECK (price IS NULL OR json_valid(price)),
    unit_price_minor INTEGER CHECK (unit_price_minor IS NULL OR unit_price_minor >= 0),
    total_minor      INTEGER CHECK (total_minor IS NULL OR total_minor >= 0),
    rules_version    INTEGER REFERENCES rule_versions(id) ON DELETE RESTRICT,
    preview_path     TEXT,              -- relative to the data folder
    thumb_path       TEXT,
    created          INTEGER NOT NULL,
    updated          INTEGER NOT NULL
);
CREATE INDEX parts_quote ON parts(quote_id, position);
CREATE INDEX parts_sha256 ON parts(sha256);
CREATE INDEX parts_rules_version ON parts(rules_version);

-- The work of measuring, pricing and rendering one part.  progress is a
-- percentage within the whole job; error is set when state is failed.
CREATE TABLE jobs (
    id       INTEGER PRIMARY KEY,
    part_id  INTEGER NOT NULL REFERENCES parts(id) ON DELETE CASCADE,
    state    TEXT    NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    stage    TEXT    NOT NULL DEFAULT '',
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error    TEXT,
    created  INTEGER NOT NULL,
    started  INTEGER,
    finished INTEGER,
    CHECK (state <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX jobs_part ON jobs(part_id);
CREATE INDEX jobs_open ON jobs(state) WHERE state IN ('queued', 'running');
