-- 003_part_jobs.sql - what the job system (appliance/jobs) keeps on parts
-- and jobs beyond the first schema.
--
--   parts.options  the options the part is priced with, as the rules see
--                  them: a JSON object of KEY -> "value" or true.
--   parts.state    the state of the part's latest job (queued, running,
--   parts.error    done, failed, cancelled) and, when it failed or was
--                  cancelled, why, in words a person can act on.  The
--                  figures and the price stay those of the last job that
--                  produced them.
--   jobs.kind      measure (read the stored file, measure, price, render)
--                  or price (price again from the stored figures), so a job
--                  left behind by a crash runs again as what it was.

ALTER TABLE parts ADD COLUMN options TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(options) AND json_type(options) = 'object');
ALTER TABLE parts ADD COLUMN state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled'));
ALTER TABLE parts ADD COLUMN error TEXT;

ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'measure'
    CHECK (kind IN ('measure', 'price'));
