//! A story's fields as the editor shows them, and the three-way merge that
//! lets two editors save one story without either losing work.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A field's value as text: what a diff, the conflict page and the
/// revision list show.
pub trait Shown {
    fn shown(&self) -> String;
}

impl Shown for String {
    fn shown(&self) -> String {
        self.clone()
    }
}

impl Shown for bool {
    fn shown(&self) -> String {
        if *self { "yes" } else { "no" }.to_string()
    }
}

impl Shown for Vec<String> {
    fn shown(&self) -> String {
        self.join(", ")
    }
}

impl Shown for Option<DateTime<Utc>> {
    fn shown(&self) -> String {
        self.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    }
}

/// The outcome of merging two saves made from one version.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// Their fields with every field only I changed taken from mine; where
    /// we both changed a field differently, theirs, until I choose.
    pub fields: StoryFields,
    /// The fields we both changed, differently, in the editor's order.
    pub conflicts: Vec<&'static str>,
    /// The fields taken from mine.
    pub mine: Vec<&'static str>,
}

macro_rules! story_fields {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty => $label:literal, )*) => {
        /// Everything an editor edits on a story, as one value: saved whole
        /// with every revision (as JSON), compared field by field.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct StoryFields {
            $( $(#[$doc])* pub $name: $ty, )*
        }

        /// Each field's name and label, in the editor's order.
        pub const FIELDS: &[(&str, &str)] = &[ $( (stringify!($name), $label), )* ];

        impl StoryFields {
            /// Three-way merge of `mine` and `theirs`, both made from `base`:
            /// a field changed on one side only takes that side's value.
            pub fn merge(base: &Self, mine: &Self, theirs: &Self) -> Merged {
                let mut fields = theirs.clone();
                let mut conflicts = Vec::new();
                let mut taken = Vec::new();
                $(
                    if mine.$name != theirs.$name && mine.$name != base.$name {
                        if theirs.$name == base.$name {
                            fields.$name = mine.$name.clone();
                            taken.push(stringify!($name));
                        } else {
                            conflicts.push(stringify!($name));
                        }
                    }
                )*
                Merged { fields, conflicts, mine: taken }
            }

            /// The fields that differ between two versions, in order.
            pub fn changed(&self, other: &Self) -> Vec<&'static str> {
                let mut out = Vec::new();
                $( if self.$name != other.$name { out.push(stringify!($name)); } )*
                out
            }

            /// One field as text; `None` for a name that is no field.
            pub fn shown(&self, name: &str) -> Option<String> {
                match name {
                    $( stringify!($name) => Some(Shown::shown(&self.$name)), )*
                    _ => None,
                }
            }

            /// Takes the field `name` from `other`; false for no such field.
            pub fn take(&mut self, name: &str, other: &Self) -> bool {
                match name {
                    $( stringify!($name) => { self.$name = other.$name.clone(); true } )*
                    _ => false,
                }
            }
        }
    };
}

story_fields! {
    /// The headline.
    title: String => "Headline",
    slug: String => "Slug",
    /// The standfirst, under the headline and in lists.
    summary: String => "Standfirst",
    /// The section's slug on the story's site.
    section: String => "Section",
    tags: Vec<String> => "Tags",
    /// Author names, in byline order.
    authors: Vec<String> => "Authors",
    dateline: String => "Dateline",
    /// The agency a wire story came from.
    source: String => "Source agency",
    /// The agency's copyright line.
    copyright: String => "Copyright line",
    /// Markdown, as the import format has it.
    body: String => "Body",
    /// The hero image's hash in the media library (empty: none).
    image: String => "Hero image",
    image_caption: String => "Caption",
    image_credit: String => "Credit",
    image_alt: String => "Alt text",
    breaking: bool => "Breaking",
    featured: bool => "Featured",
    seo_title: String => "SEO title",
    seo_description: String => "SEO description",
    canonical_url: String => "Canonical URL",
    /// open, closed or disabled.
    comment_mode: String => "Comments",
    /// When it goes (or went) out; empty for a draft not yet timed.
    publish_at: Option<DateTime<Utc>> => "Publish time",
    /// Nothing is published before this time, by hand, schedule or API.
    embargo_until: Option<DateTime<Utc>> => "Embargo until",
}

/// A field's label, or the name itself for an unknown one.
pub fn label(name: &str) -> &str {
    FIELDS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, l)| *l)
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story() -> StoryFields {
        StoryFields {
            title: "Quake shakes Tokyo".into(),
            body: "First line.\n".into(),
            tags: vec!["Japan".into()],
            ..Default::default()
        }
    }

    #[test]
    fn different_fields_merge_without_a_conflict() {
        let base = story();
        let mine = StoryFields {
            body: "First line.\nSecond line.\n".into(),
            ..base.clone()
        };
        let theirs = StoryFields {
            title: "Strong quake shakes Tokyo".into(),
            ..base.clone()
        };
        let m = StoryFields::merge(&base, &mine, &theirs);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.mine, vec!["body"]);
        assert_eq!(m.fields.title, "Strong quake shakes Tokyo");
        assert_eq!(m.fields.body, "First line.\nSecond line.\n");
    }

    #[test]
    fn one_field_changed_two_ways_is_a_conflict_left_as_theirs() {
        let base = story();
        let mine = StoryFields {
            title: "Mine".into(),
            ..base.clone()
        };
        let theirs = StoryFields {
            title: "Theirs".into(),
            featured: true,
            ..base.clone()
        };
        let m = StoryFields::merge(&base, &mine, &theirs);
        assert_eq!(m.conflicts, vec!["title"]);
        assert_eq!(m.fields.title, "Theirs");
        assert!(m.fields.featured);
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict() {
        let base = story();
        let both = StoryFields {
            tags: vec!["Japan".into(), "Quake".into()],
            ..base.clone()
        };
        let m = StoryFields::merge(&base, &both, &both);
        assert!(m.conflicts.is_empty() && m.mine.is_empty());
        assert_eq!(m.fields, both);
    }

    #[test]
    fn fields_are_shown_taken_and_listed_by_name() {
        let a = story();
        let mut b = StoryFields {
            breaking: true,
            ..a.clone()
        };
        assert_eq!(a.changed(&b), vec!["breaking"]);
        assert_eq!(b.shown("breaking").as_deref(), Some("yes"));
        assert_eq!(b.shown("tags").as_deref(), Some("Japan"));
        assert!(b.take("breaking", &a));
        assert!(!b.breaking);
        assert!(!b.take("nothing", &a));
        assert_eq!(label("summary"), "Standfirst");
    }

    #[test]
    fn revisions_read_back_with_fields_added_later() {
        let old = r#"{"title":"Old","body":"x"}"#;
        let f: StoryFields = serde_json::from_str(old).expect("old revision");
        assert_eq!(f.title, "Old");
        assert!(f.seo_title.is_empty() && f.embargo_until.is_none());
    }
}
