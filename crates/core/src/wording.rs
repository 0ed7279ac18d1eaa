//! Small rules of English the pages and emails follow.

/// A name as it reads after "your": a leading "The" is dropped, so that a
/// reader has "your Lanternfield Post account", not "your The Lanternfield
/// Post account". Other names are kept as they are.
pub fn after_your(name: &str) -> &str {
    let trimmed = name.trim_start();
    match trimmed.get(..4) {
        Some(the) if the.eq_ignore_ascii_case("the ") && trimmed.len() > 4 => {
            trimmed[4..].trim_start()
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::after_your;

    #[test]
    fn a_leading_the_is_dropped_after_your() {
        assert_eq!(after_your("The Lanternfield Post"), "Lanternfield Post");
        assert_eq!(after_your("the  Daily"), "Daily");
        assert_eq!(after_your("Theatre Weekly"), "Theatre Weekly");
        assert_eq!(after_your("Wayfarer Japan"), "Wayfarer Japan");
        assert_eq!(after_your("The "), "The ", "nothing would be left");
        assert_eq!(after_your("Thé Times"), "Thé Times");
    }
}
