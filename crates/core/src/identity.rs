//! The rules for what members type: email addresses, display names and
//! passwords. Every entry point (web forms, CLI, social sign-in) uses these.

use unicode_normalization::UnicodeNormalization;

/// An address as stored (`email`) and as compared (`norm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub email: String,
    pub norm: String,
}

/// Checks and normalises an email address. The address is kept in NFKC
/// form (compatibility characters such as fullwidth letters folded, case
/// kept) for sending; comparison is case-insensitive on that form.
pub fn parse_email(input: &str) -> Result<Email, String> {
    let email: String = input.trim().nfkc().collect();
    if email.is_empty() {
        return Err("Enter your email address.".into());
    }
    if email.chars().count() > 254 {
        return Err("That email address is too long.".into());
    }
    if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("An email address cannot contain spaces or control characters.".into());
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("Enter an email address like name@example.com.".into());
    };
    let domain_ok = !domain.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.contains('@') || !domain_ok {
        return Err("Enter an email address like name@example.com.".into());
    }
    if !local.is_ascii() {
        return Err(
            "Addresses with non-ASCII characters before the @ are not supported yet.".into(),
        );
    }
    if local.contains(['<', '>', '"', ',', ';', '\\', '(', ')', '[', ']']) {
        return Err("That email address contains characters we cannot send to.".into());
    }
    let norm = email.to_lowercase();
    Ok(Email { email, norm })
}

/// The longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 50;

/// Strips control, zero-width and bidirectional-override characters,
/// collapses white space and limits the length.
pub fn clean_display_name(input: &str) -> Result<String, String> {
    let kept: String = input
        .nfc()
        .filter(|c| !is_invisible_or_control(*c))
        .collect();
    let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Enter the name to show with your comments.".into());
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(format!(
            "A display name can be at most {DISPLAY_NAME_MAX} characters."
        ));
    }
    Ok(name)
}

/// Characters that must never reach a page from member input: C0/C1
/// controls, zero-width characters and bidirectional controls.
pub fn is_invisible_or_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}')
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

/// Length limits and a check against common and guessable passwords.
/// `hints` are words of the member's own (email, name) that make a weak password.
pub fn check_password(password: &str, hints: &[&str]) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!(
            "Choose a password of at least {PASSWORD_MIN} characters."
        ));
    }
    if n > PASSWORD_MAX {
        return Err(format!(
            "A password can be at most {PASSWORD_MAX} characters."
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, hints);
    if (estimate.score() as u8) < 3 {
        return Err(
            "That password is too common or too easy to guess. Try a few unrelated words.".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_case_insensitively_after_normalisation() {
        let a = parse_email(" Alice@Example.COM ").unwrap();
        assert_eq!(a.email, "Alice@Example.COM");
        assert_eq!(a.norm, "alice@example.com");
        // Fullwidth letters fold to ASCII under NFKC.
        let b = parse_email("ａlice@example.com").unwrap();
        assert_eq!(b.norm, "alice@example.com");
        assert_eq!(b.email, "alice@example.com");
        assert_eq!(
            parse_email("Ünï@bücher.example").unwrap_err(),
            "Addresses with non-ASCII characters before the @ are not supported yet."
        );
        assert_eq!(
            parse_email("x@bücher.example").unwrap().norm,
            "x@bücher.example"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.c",
            "a b@c.d",
            "a@b.c\r\nBcc: x@y.z",
            "a@.b.c",
            "<a>@b.c",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_names_lose_invisible_characters() {
        assert_eq!(
            clean_display_name(" Ann\u{202E}a \u{200B}Lee\u{0007}  ").unwrap(),
            "Anna Lee"
        );
        assert!(clean_display_name("\u{200B}\u{202E}").is_err());
        assert!(clean_display_name(&"x".repeat(51)).is_err());
        assert_eq!(
            clean_display_name(&"é".repeat(50)).unwrap().chars().count(),
            50
        );
    }

    #[test]
    fn passwords_need_length_and_strength() {
        assert!(check_password("short", &[]).is_err());
        assert!(check_password("password1234", &[]).is_err());
        assert!(check_password("qwertyuiop", &[]).is_err());
        assert!(check_password(&"x".repeat(129), &[]).is_err());
        assert!(check_password("alicealice2026", &["alice"]).is_err());
        assert!(check_password("lantern harbour pickle 42", &[]).is_ok());
    }
}
