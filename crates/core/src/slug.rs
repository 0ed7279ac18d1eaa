//! Slugs: the URL-safe names of articles, sections, tags and authors.

/// Path segments that sections may not take, because the router uses them.
pub const RESERVED: &[&str] = &[
    "tag",
    "author",
    "search",
    "media",
    "assets",
    "sitemaps",
    "account",
    "api",
    "admin",
    "feed",
    "healthz",
    "readyz",
    "latest",
    "auth",
    "newsletter",
    "comments",
    "desk",
    "go",
    "preview",
];

/// Makes a slug from free text: ASCII lower-case letters and digits joined by
/// single hyphens. Accented Latin letters lose their accents; other scripts
/// are dropped, so the result may be empty (callers then need another source).
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for ch in text.chars() {
        let mapped = fold_latin(ch);
        for c in mapped.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(c.to_ascii_lowercase());
            } else if c != '\'' && c != '’' {
                pending_dash = true;
            }
        }
    }
    truncate_slug(&out, 120)
}

fn truncate_slug(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let cut = &s[..max];
    cut.rfind('-').map(|i| &cut[..i]).unwrap_or(cut).to_string()
}

fn fold_latin(c: char) -> String {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return c.to_lowercase().collect(),
    };
    folded.to_string()
}

/// Why a given slug is not acceptable.
pub fn validate_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("is empty".into());
    }
    if slug.len() > 120 {
        return Err("is longer than 120 characters".into());
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("{slug:?} may contain only a-z, 0-9 and '-'"));
    }
    if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err(format!("{slug:?} has a stray '-'"));
    }
    Ok(())
}

/// A section slug must also stay clear of the router's own paths.
pub fn validate_section_slug(slug: &str) -> Result<(), String> {
    validate_slug(slug)?;
    if RESERVED.contains(&slug) {
        return Err(format!("{slug:?} is reserved for the site's own pages"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_url_safe_names() {
        assert_eq!(
            slugify("Diet passes budget, at last!"),
            "diet-passes-budget-at-last"
        );
        assert_eq!(slugify("  Café   Crème "), "cafe-creme");
        assert_eq!(slugify("Japan's ramen"), "japans-ramen");
        assert_eq!(slugify("東京"), "");
    }

    #[test]
    fn slugs_are_validated() {
        assert!(validate_slug("ok-slug-2").is_ok());
        assert!(validate_slug("Bad").is_err());
        assert!(validate_slug("a--b").is_err());
        assert!(validate_section_slug("search").is_err());
    }
}
