//! Share links for a story: plain links to each network's own share page
//! (and a mail), built from the story's address and headline. No
//! third-party script is loaded; a reader's click is the only contact the
//! network gets.

/// One way to share, as the page links it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShareLink {
    /// A short key for the link's class (`email`, `x`, …).
    pub key: &'static str,
    /// What the link says.
    pub label: &'static str,
    pub href: String,
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The share links for the story at `url` headlined `title`.
pub fn links(url: &str, title: &str) -> Vec<ShareLink> {
    let (u, t) = (enc(url), enc(title));
    let with_text = enc(&format!("{title} {url}"));
    vec![
        ShareLink {
            key: "email",
            label: "Email",
            href: format!("mailto:?subject={t}&body={u}"),
        },
        ShareLink {
            key: "x",
            label: "X",
            href: format!("https://x.com/intent/post?url={u}&text={t}"),
        },
        ShareLink {
            key: "facebook",
            label: "Facebook",
            href: format!("https://www.facebook.com/sharer/sharer.php?u={u}"),
        },
        ShareLink {
            key: "linkedin",
            label: "LinkedIn",
            href: format!("https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        },
        ShareLink {
            key: "bluesky",
            label: "Bluesky",
            href: format!("https://bsky.app/intent/compose?text={with_text}"),
        },
        ShareLink {
            key: "whatsapp",
            label: "WhatsApp",
            href: format!("https://wa.me/?text={with_text}"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_link_carries_the_address_and_headline_encoded() {
        let l = links(
            "https://news.example/world/a-b?x=1&y=2",
            "Rates rise & markets fall: 5% \"shock\"",
        );
        let email = &l[0];
        assert_eq!(email.key, "email");
        assert_eq!(
            email.href,
            "mailto:?subject=Rates%20rise%20%26%20markets%20fall%3A%205%25%20%22shock%22&body=https%3A%2F%2Fnews.example%2Fworld%2Fa-b%3Fx%3D1%26y%3D2"
        );
        for s in &l {
            assert!(!s.href.contains(' ') && !s.href.contains('"'), "{}", s.href);
            assert!(
                s.href.contains("news.example"),
                "{} carries the address",
                s.key
            );
            assert!(s.href.starts_with("https://") || s.href.starts_with("mailto:"));
        }
        let x = l.iter().find(|s| s.key == "x").unwrap();
        assert!(x.href.contains("text=Rates%20rise"), "{}", x.href);
    }
}
