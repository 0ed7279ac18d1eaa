//! A session's browser as a member recognises it ("Chrome on Linux"),
//! from its `User-Agent` (parsed by the `woothee` crate).

/// "Firefox on Windows 10", "Safari on iPhone", "Chrome" when the system
/// is not known, "An unknown browser" when neither is.
pub fn describe(user_agent: &str) -> String {
    let Some(ua) = woothee::parser::Parser::new().parse(user_agent) else {
        return "An unknown browser".to_string();
    };
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    let system = match ua.os {
        "Mac OSX" => "macOS",
        other => other,
    };
    match (known(ua.name), known(system)) {
        (true, true) => format!("{} on {system}", ua.name),
        (true, false) => ua.name.to_string(),
        (false, true) => format!("A browser on {system}"),
        (false, false) => "An unknown browser".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn browsers_are_named_as_people_say_them() {
        assert_eq!(
            describe("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
            "Chrome on Linux"
        );
        assert_eq!(
            describe(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Firefox on Windows 10"
        );
        assert_eq!(
            describe("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"),
            "Safari on iPhone"
        );
        assert_eq!(
            describe("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"),
            "Safari on macOS"
        );
        assert_eq!(describe(""), "An unknown browser");
        assert_eq!(describe("something/1.0"), "An unknown browser");
    }
}
