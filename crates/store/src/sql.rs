//! SQL fragments that both dialects share, as macros so that `concat!`
//! can build whole statements at compile time.

/// The columns of an [`crate::rows::SummaryRow`], over `articles a`,
/// `sections s` and `images i`.
macro_rules! summary_columns {
    () => {
        "a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.title, a.summary, \
         a.published_at, a.updated_at, a.image_alt, i.id AS image_id, i.hash AS image_hash, \
         i.width AS image_width, i.height AS image_height, i.widths AS image_widths, i.ext AS image_ext"
    };
}

/// The joins that go with [`summary_columns`].
macro_rules! article_joins {
    () => {
        " JOIN sections s ON s.id = a.section_id LEFT JOIN images i ON i.id = a.image_id "
    };
}

/// Visible at `$2`: published, and not scheduled for later.
macro_rules! visible {
    () => {
        " a.status = 'published' AND a.published_at <= $2 "
    };
}
