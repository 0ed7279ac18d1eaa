-- Reader surveys and sponsored giveaways (docs/surveys.md, docs/giveaways.md).
-- A survey's questions and audience are JSON of the core types; answers
-- refer to question ids, which stay fixed for a survey's life.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'draft',
    definition TEXT NOT NULL,
    audience TEXT NOT NULL,
    opens_at TEXT,
    closes_at TEXT,
    response_limit INTEGER,
    public_results TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One per member or per browser (the id in its signed cookie). The address
-- and user agent are kept only as keyed hashes, to spot ballot-stuffing.
CREATE TABLE survey_responses (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    browser TEXT,
    address_hash TEXT NOT NULL,
    agent_hash TEXT NOT NULL,
    answers TEXT NOT NULL,
    flagged TEXT NOT NULL DEFAULT '',
    excluded BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    UNIQUE (survey_id, member_id),
    UNIQUE (survey_id, browser)
);
CREATE INDEX survey_responses_burst ON survey_responses (survey_id, address_hash, created_at);
CREATE INDEX survey_responses_member ON survey_responses (member_id);

CREATE TABLE survey_dismissals (
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (member_id, survey_id)
);

-- The seed stays secret until the draw; its SHA-256 is public from the start.
-- `draw` is the public record (the ticket list's hash, the beacon round, the
-- order) and `ticket_list` the list itself, written once.
CREATE TABLE giveaways (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    fields TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    seed TEXT NOT NULL,
    commitment TEXT NOT NULL,
    draw TEXT,
    ticket_list TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A deleted member's entry stays (without them), so the published ticket
-- list still adds up.
CREATE TABLE giveaway_entries (
    id INTEGER PRIMARY KEY,
    giveaway_id INTEGER NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    ticket TEXT NOT NULL UNIQUE,
    address_hash TEXT NOT NULL,
    show_name BOOLEAN NOT NULL DEFAULT FALSE,
    flagged TEXT NOT NULL DEFAULT '',
    disqualified TEXT NOT NULL DEFAULT '',
    offered_at TEXT,
    claim_deadline TEXT,
    claimed_at TEXT,
    lapsed_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (giveaway_id, member_id)
);
CREATE INDEX giveaway_entries_address ON giveaway_entries (giveaway_id, address_hash);
CREATE INDEX giveaway_entries_member ON giveaway_entries (member_id);

-- The network's settings that staff change at run time (the disposable
-- email domains giveaways refuse, the days readers rest between surveys).
CREATE TABLE network_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
