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

/// The text of sanitised HTML (a stored body), tags dropped and the
/// entities the sanitiser writes decoded, for excerpts and reading times.
pub fn plain_text_of_html(html: &str) -> String {
    const BLOCKS: [&str; 16] = [
        "p",
        "br",
        "li",
        "div",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "figcaption",
        "pre",
    ];
    let mut out = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(t), '>') => {
                let name = t.trim_start_matches('/');
                let name = name.split([' ', '/']).next().unwrap_or("");
                if BLOCKS.contains(&name.to_ascii_lowercase().as_str()) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(t), c) => t.push(c),
            (None, c) => out.push(c),
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of sanitised HTML, tags not counted (`<b>bo</b>ld` is one
/// word; blocks are apart by a line break in a stored body), in one pass
/// without copying it: reading times of stored bodies.
pub fn html_word_count(html: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    let mut in_tag = false;
    for b in html.bytes() {
        match b {
            b'<' => in_tag = true,
            b'>' if in_tag => in_tag = false,
            _ if in_tag => {}
            b if b.is_ascii_whitespace() => in_word = false,
            _ => {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
        }
    }
    words
}

/// Counts words, for reading-time estimates.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_reads_as_its_text() {
        let html = render_body("A *bold* claim & <b>more</b>.\n\nSecond   paragraph.");
        assert_eq!(
            plain_text_of_html(&html),
            "A bold claim & more. Second paragraph."
        );
        assert_eq!(plain_text_of_html("<p>1 &lt; 2</p>"), "1 < 2");
        assert_eq!(html_word_count(&html), 7);
        assert_eq!(html_word_count("<p>one two</p>\n<p>three</p>"), 3);
    }

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
