//! What a member types into the comment box: cleaned, checked, and
//! rendered from a small Markdown subset to sanitised HTML.

use pulldown_cmark::{html, Event, Options, Parser};
use unicode_normalization::UnicodeNormalization;

/// The longest comment, in characters.
pub const MAX_CHARS: usize = 5000;

/// Why a comment's text was refused; the message is shown to the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("Write something before posting.")]
    Empty,
    #[error("Comments are limited to {MAX_CHARS} characters; this one has {0}.")]
    TooLong(usize),
}

/// Characters that are invisible or reorder text: zero-width spaces and
/// joiners, the byte-order mark, and the bidirectional overrides and
/// isolates (which can make a comment read differently from what it says).
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}'
        | '\u{FEFF}'
        | '\u{00AD}')
}

/// Normalises (NFC, `\n` line ends), drops control and hidden characters,
/// trims, and checks the length.
pub fn clean(raw: &str) -> Result<String, TextError> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.replace("\r\n", "\n").replace('\r', "\n").nfc() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() || is_hidden(c) => {}
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty);
    }
    let n = trimmed.chars().count();
    if n > MAX_CHARS {
        return Err(TextError::TooLong(n));
    }
    Ok(trimmed.to_string())
}

/// Renders the subset: paragraphs, line breaks, bold, italics, quotes and
/// links. Raw HTML is shown as the text it is; anything else Markdown can
/// do (headings, lists, images, code) is reduced to its text.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::empty()).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        e => e,
    });
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    ammonia::Builder::empty()
        .add_tags(["p", "br", "strong", "em", "blockquote", "a"])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(Some("nofollow ugc noopener"))
        .clean(&raw)
        .to_string()
}

/// How many links the text has (Markdown links and bare URLs).
pub fn link_count(markdown: &str) -> usize {
    let lower = markdown.to_ascii_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower
            .matches("www.")
            .count()
            .saturating_sub(lower.matches("://www.").count())
}

/// The text as duplicate checks compare it: case-folded, whitespace collapsed.
pub fn fingerprint(markdown: &str) -> String {
    markdown
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_and_control_characters_are_dropped() {
        assert_eq!(
            clean("  a\u{200B}b\u{202E}c\u{0007}\r\nd\u{FEFF}  ").unwrap(),
            "abc\nd"
        );
        assert_eq!(clean("\u{200B}\u{202E} \n").unwrap_err(), TextError::Empty);
        assert_eq!(
            clean(&"x".repeat(MAX_CHARS + 1)).unwrap_err(),
            TextError::TooLong(MAX_CHARS + 1)
        );
        assert!(clean(&"é".repeat(MAX_CHARS)).is_ok());
    }

    #[test]
    fn the_subset_renders_and_nothing_else_survives() {
        let html = render("**bold** _it_\n\n> quoted\n\n[site](https://example.test/x)");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<em>it</em>"));
        assert!(html.contains("<blockquote>"));
        assert!(html
            .contains(r#"<a href="https://example.test/x" rel="nofollow ugc noopener">site</a>"#));
        let evil = render("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n# Head");
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("<img"), "{evil}");
        assert!(!evil.contains("href"), "{evil}");
        assert!(!render("[x](javascript:alert(1))").contains("href"));
        assert!(!evil.contains("<h1"), "{evil}");
        assert!(evil.contains("&lt;script&gt;"), "{evil}");
    }

    #[test]
    fn links_are_counted_and_text_fingerprinted() {
        assert_eq!(
            link_count("see https://a.test and http://b.test or www.c.test"),
            3
        );
        assert_eq!(link_count("https://www.a.test"), 1);
        assert_eq!(fingerprint("  Hello\n  WORLD "), "hello world");
    }
}
