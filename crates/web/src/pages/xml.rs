//! A small XML writer over quick-xml, for feeds and sitemaps.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    pub fn new() -> Self {
        let mut w = Writer::new(Vec::with_capacity(16 * 1024));
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .expect("writing to memory");
        Self { w }
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        let start = BytesStart::new(name).with_attributes(attrs.iter().map(|(k, v)| (*k, *v)));
        self.w
            .write_event(Event::Start(start))
            .expect("writing to memory");
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .expect("writing to memory");
        self
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        let start = BytesStart::new(name).with_attributes(attrs.iter().map(|(k, v)| (*k, *v)));
        self.w
            .write_event(Event::Empty(start))
            .expect("writing to memory");
        self
    }

    /// `<name>text</name>`, the text escaped and stripped of characters XML forbids.
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name, &[]);
        let clean = xml_safe(text);
        self.w
            .write_event(Event::Text(BytesText::new(&clean)))
            .expect("writing to memory");
        self.close(name)
    }

    /// Text inside the element opened last (close it with `close`).
    pub fn inner_text(&mut self, text: &str) -> &mut Self {
        let clean = xml_safe(text);
        self.w
            .write_event(Event::Text(BytesText::new(&clean)))
            .expect("writing to memory");
        self
    }

    pub fn finish(self) -> String {
        String::from_utf8(self.w.into_inner()).expect("quick-xml writes UTF-8")
    }
}

/// Removes characters that are not allowed in XML 1.0 documents.
pub fn xml_safe(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped_and_cleaned() {
        let mut x = super::Xml::new();
        x.text("t", "a < b & \u{1}c");
        assert!(x.finish().ends_with("<t>a &lt; b &amp; c</t>"));
    }
}
