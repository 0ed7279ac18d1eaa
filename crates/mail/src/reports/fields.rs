//! Header-style fields of report parts: grouping, unfolding, addresses.

/// One group of `Name: value` fields: names lower-cased, values unfolded.
#[derive(Default)]
pub(super) struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    /// Every non-empty value of the field `name` (lower-case).
    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn get<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// The value's first word: `Status: 5.1.1 (no such user)` gives `5.1.1`.
    pub(super) fn first_word<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.get(name)?.split_whitespace().next()
    }
}

/// Splits header-style text into groups of fields at blank lines, undoing
/// folding. Lines that are no field (and no continuation of one) are skipped.
pub(super) fn field_groups(text: &str) -> Vec<Fields> {
    let mut groups = Vec::new();
    let mut current = Fields::default();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.0.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.0.last_mut() {
                value.push(' ');
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            current
                .0
                .push((name.trim().to_ascii_lowercase(), value.to_string()));
        }
    }
    if !current.0.is_empty() {
        groups.push(current);
    }
    for (_, value) in groups.iter_mut().flat_map(|g| g.0.iter_mut()) {
        *value = unfold(value);
    }
    groups
}

/// Trims and turns every run of whitespace (line breaks included) into one space.
pub(super) fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `rfc822; <Reader@Example.test>` gives `Reader@Example.test`.
pub(super) fn address(value: &str) -> String {
    let bare = without_type(value);
    let bare = bare.strip_prefix('<').unwrap_or(bare);
    let bare = bare.strip_suffix('>').unwrap_or(bare);
    bare.trim().to_string()
}

/// Drops a leading `type;` (`rfc822;`, `smtp;`, `X-Postfix;`) from a field value.
pub(super) fn without_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if is_type_name(kind.trim()) => rest.trim(),
        _ => value.trim(),
    }
}

pub(super) fn is_type_name(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}
