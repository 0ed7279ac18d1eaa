//! Network circulation: a story of one site shown on a sister site too.
//! The sister site gets a copy in a section of its own; the copy's
//! canonical link names the original (search engines credit it once),
//! and every later save of the original is carried over to the copy.

use crate::model::Role;

use super::{Refused, StoryFields};

/// Whom a sister site lets put a story on it: its editors and admins,
/// as for any story they publish there that is not their own.
pub fn may_circulate(role_there: Role, site_name: &str) -> Result<(), Refused> {
    if role_there >= Role::Editor {
        Ok(())
    } else {
        Err(Refused {
            field: "circulate",
            message: format!(
                "Only an editor of {site_name} may show stories there: ask one of its editors."
            ),
        })
    }
}

/// The copy's fields: the original's, at `section` and `slug` of the
/// sister site (a copy keeps its own address when the original's slug
/// changes), pointing readers' and search engines' canonical link at the
/// original (or at the page the original itself names as canonical).
pub fn copy_fields(
    original: &StoryFields,
    original_url: &str,
    section: &str,
    slug: &str,
) -> StoryFields {
    let canonical = if original.canonical_url.is_empty() {
        original_url.to_string()
    } else {
        original.canonical_url.clone()
    };
    StoryFields {
        section: section.to_string(),
        slug: slug.to_string(),
        canonical_url: canonical,
        ..original.clone()
    }
}

/// `site/section`, as the desk's circulation form sends a place on a
/// sister site; `None` when it is not of that shape.
pub fn parse_place(place: &str) -> Option<(&str, &str)> {
    let (site, section) = place.split_once('/')?;
    (!site.is_empty() && !section.is_empty() && !section.contains('/')).then_some((site, section))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn original() -> StoryFields {
        StoryFields {
            title: "Typhoon nears Okinawa".into(),
            slug: "typhoon-nears-okinawa".into(),
            section: "national".into(),
            tags: vec!["Weather".into(), "Okinawa".into()],
            body: "Winds of 180 km/h.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_copy_keeps_the_story_and_points_at_the_original() {
        let c = copy_fields(
            &original(),
            "https://news.example/national/typhoon-nears-okinawa",
            "travel-alerts",
            "typhoon",
        );
        assert_eq!(c.section, "travel-alerts");
        assert_eq!(
            c.canonical_url,
            "https://news.example/national/typhoon-nears-okinawa"
        );
        assert_eq!(c.title, "Typhoon nears Okinawa");
        assert_eq!(c.tags, ["Weather", "Okinawa"]);
        assert_eq!(c.slug, "typhoon", "the copy's own address");
    }

    #[test]
    fn an_original_that_names_its_own_canonical_page_passes_it_on() {
        let mut o = original();
        o.canonical_url = "https://wire.example/stories/1".into();
        let c = copy_fields(
            &o,
            "https://news.example/national/typhoon-nears-okinawa",
            "x",
            "y",
        );
        assert_eq!(c.canonical_url, "https://wire.example/stories/1");
    }

    #[test]
    fn only_the_sister_sites_editors_may_circulate_to_it() {
        assert!(may_circulate(Role::Editor, "Travel").is_ok());
        assert!(may_circulate(Role::Admin, "Travel").is_ok());
        let e = may_circulate(Role::Author, "Travel").unwrap_err();
        assert!(e.message.contains("editor of Travel"), "{}", e.message);
        assert!(may_circulate(Role::Contributor, "Travel").is_err());
        assert!(may_circulate(Role::Member, "Travel").is_err());
    }

    #[test]
    fn a_place_is_a_site_and_a_section() {
        assert_eq!(parse_place("travel/alerts"), Some(("travel", "alerts")));
        assert_eq!(parse_place("travel/"), None);
        assert_eq!(parse_place("/alerts"), None);
        assert_eq!(parse_place("travel"), None);
        assert_eq!(parse_place("travel/a/b"), None);
    }
}
