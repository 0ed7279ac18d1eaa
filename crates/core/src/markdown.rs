//! Article bodies: Markdown in, sanitised HTML and plain text out.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown (which may embed raw HTML) to HTML that is safe to put
/// in a page: no scripts, styles, event handlers, frames, forms or
/// non-web URLs survive.
pub fn render_body(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_FOOTNOTES);
    let parser = Parser::new_ext(markdown, opts);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    sanitize(&unsafe_html)
}

/// Cleans HTML from an untrusted or semi-trusted source.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .add_tags(["figure", "figcaption"])
        .clean(html)
        .to_string()
}

/// The text of a Markdown body with markup removed, for search and excerpts.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            Event::Start(Tag::Paragraph) => {}
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Counts words, for reading-time estimates.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_handlers_are_removed() {
        let html = render_body(
            "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href=\"https://e.org\" onclick=\"x()\">ok</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn markdown_features_render() {
        let html = render_body("## Head\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted **bold**");
        assert!(html.contains("<h2>Head</h2>"));
        assert!(html.contains("<table>"));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains("<strong>bold</strong>"));
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            plain_text("Hello **world**\n\n- one\n- two"),
            "Hello world\none\ntwo"
        );
    }
}
