//! Where a shared page's per-reader parts are: the page cut once into the
//! text between its markers and the marked parts, so that filling it for
//! a member walks a list instead of searching the page again (a stored
//! page keeps its layout: `cache::Entry::slot_layout`).

use std::collections::BTreeMap;
use std::ops::Range;

use axum::body::Bytes;

const OPEN: &str = "<!--kw:";

/// One marked part, `<!--kw:NAME ARGS-->ANONYMOUS<!--/kw:NAME-->`.
#[derive(Debug)]
pub struct Slot {
    pub name: String,
    /// The marker's arguments, form-encoded in the page ...
    pub args: BTreeMap<String, String>,
    /// ... and as the template sees them.
    pub args_value: minijinja::Value,
    /// The template that renders it for a member, `slots/NAME.html`.
    pub template: String,
    /// The marker as written, `NAME ARGS`: two parts with the same head
    /// render alike (for one member, at one time).
    pub head: String,
    /// The page's text before the marker (after the previous part).
    before: Range<usize>,
    /// The anonymous form between the markers.
    anonymous: Range<usize>,
}

/// A page's marked parts in order, where its last text starts, and its
/// length.
#[derive(Debug, Default)]
pub struct Layout {
    slots: Vec<Slot>,
    tail: usize,
    end: usize,
}

/// A piece of a filled page: the page's own bytes, or a rendered part.
enum Piece<R> {
    Page(Range<usize>),
    Rendered(R),
}

impl Layout {
    /// Cuts `html` at its markers; a marker left open ends the cutting, and
    /// everything from it on is plain text.
    pub fn of(html: &str) -> Self {
        let mut slots = Vec::new();
        let mut at = 0;
        while let Some(found) = html[at..].find(OPEN) {
            let start = at + found;
            let head_from = start + OPEN.len();
            let Some(head_len) = html[head_from..].find("-->") else {
                break;
            };
            let head = &html[head_from..head_from + head_len];
            let (name, raw_args) = head.split_once(' ').unwrap_or((head, ""));
            let close = format!("<!--/kw:{name}-->");
            let body_from = head_from + head_len + 3;
            let Some(body_len) = html[body_from..].find(&close) else {
                break;
            };
            let args: BTreeMap<String, String> =
                url::form_urlencoded::parse(raw_args.trim().as_bytes())
                    .into_owned()
                    .collect();
            slots.push(Slot {
                name: name.to_string(),
                args_value: minijinja::Value::from_serialize(&args),
                args,
                template: format!("slots/{name}.html"),
                head: head.to_string(),
                before: at..start,
                anonymous: body_from..body_from + body_len,
            });
            at = body_from + body_len + close.len();
        }
        Self {
            slots,
            tail: at,
            end: html.len(),
        }
    }

    /// Whether the page has no marked part.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether the page has a part named `name`.
    pub fn has(&self, name: &str) -> bool {
        self.slots.iter().any(|s| s.name == name)
    }

    /// The marked parts, in the page's order.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// `html` (the page this layout was cut from) with each marked part
    /// replaced by `render(slot)`; a part whose render gives `None` keeps
    /// its anonymous form.
    pub fn fill(&self, html: &str, render: impl FnMut(&Slot) -> Option<String>) -> String {
        let mut out = String::with_capacity(html.len() + 512);
        self.walk(self.slots.iter().map(render), |piece| match piece {
            Piece::Page(r) => out.push_str(&html[r]),
            Piece::Rendered(s) => out.push_str(&s),
        });
        out
    }

    /// `html` with the marked parts replaced by `rendered` (one for each of
    /// [`Layout::slots`], in order; `None` keeps the anonymous form), as
    /// pieces that share the page's bytes instead of copying them (a
    /// response body written with one `writev`), and their total length.
    pub fn fill_bytes(&self, html: &Bytes, rendered: Vec<Option<Bytes>>) -> (Vec<Bytes>, usize) {
        let mut out = Vec::with_capacity(self.slots.len() * 2 + 1);
        let mut len = 0;
        self.walk(rendered, |piece| {
            let b = match piece {
                Piece::Page(r) => html.slice(r),
                Piece::Rendered(b) => b,
            };
            if !b.is_empty() {
                len += b.len();
                out.push(b);
            }
        });
        (out, len)
    }

    fn walk<R>(
        &self,
        rendered: impl IntoIterator<Item = Option<R>>,
        mut emit: impl FnMut(Piece<R>),
    ) {
        let mut rendered = rendered.into_iter();
        for slot in &self.slots {
            emit(Piece::Page(slot.before.clone()));
            match rendered.next().flatten() {
                Some(r) => emit(Piece::Rendered(r)),
                None => emit(Piece::Page(slot.anonymous.clone())),
            }
        }
        emit(Piece::Page(self.tail..self.end));
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    /// Both ways of filling, which must agree.
    fn fill(html: &str, mut render: impl FnMut(&super::Slot) -> Option<String>) -> String {
        let layout = Layout::of(html);
        let text = layout.fill(html, &mut render);
        let rendered = layout
            .slots()
            .iter()
            .map(|s| render(s).map(Into::into))
            .collect();
        let (pieces, len) = layout.fill_bytes(
            &axum::body::Bytes::copy_from_slice(html.as_bytes()),
            rendered,
        );
        let joined: Vec<u8> = pieces.concat();
        assert_eq!(joined.len(), len);
        assert_eq!(String::from_utf8(joined).unwrap(), text);
        text
    }

    #[test]
    fn marked_parts_are_replaced_and_the_rest_kept() {
        let page = "a<!--kw:account path=%2Fx%2F-->anon<!--/kw:account-->b<!--kw:nope-->keep<!--/kw:nope-->c";
        let out = fill(page, |s| {
            (s.name == "account").then(|| format!("[{}]", s.args["path"]))
        });
        assert_eq!(out, "a[/x/]bkeepc");
        assert!(Layout::of(page).has("nope") && !Layout::of(page).has("survey"));
        assert_eq!(fill("plain", |_| None), "plain");
        assert!(Layout::of("plain").is_empty());
    }

    #[test]
    fn a_marker_left_open_is_plain_text() {
        assert_eq!(fill("x<!--kw:open", |_| Some("!".into())), "x<!--kw:open");
        assert_eq!(
            fill("x<!--kw:a-->never closed", |_| Some("!".into())),
            "x<!--kw:a-->never closed"
        );
        let page = "<!--kw:a-->1<!--/kw:a-->y<!--kw:b-->";
        assert_eq!(fill(page, |_| Some("!".into())), "!y<!--kw:b-->");
    }
}
