-- Staff roles per site (a travel editor is not a news editor): a member's
-- role on a site is the higher of their network role (members.role) and
-- their grant here.
CREATE TABLE site_staff (
    member_id   BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    site_id     BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    granted_at  TIMESTAMPTZ NOT NULL,
    granted_by  BIGINT REFERENCES members(id) ON DELETE SET NULL,
    PRIMARY KEY (member_id, site_id)
);
CREATE INDEX site_staff_site ON site_staff (site_id, role);
