//! Sponsored giveaways: who may enter, how tickets look, and how prizes
//! pass down the published order. The draw itself is in [`draw`], the
//! public randomness in [`beacon`].

pub mod beacon;
pub mod draw;
pub mod published;

use chrono::{DateTime, Duration, Utc};

/// How long a winner has to claim a prize unless the editor says otherwise.
pub const DEFAULT_CLAIM_DAYS: i64 = 7;

/// Where a giveaway is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Draft,
    Scheduled,
    Open,
    /// Entries closed, the draw not yet made.
    Closed,
    Drawn,
}

/// The phase of a giveaway that is published (not a draft) at `now`.
pub fn phase(
    published: bool,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    drawn: bool,
    now: DateTime<Utc>,
) -> Phase {
    match () {
        _ if !published => Phase::Draft,
        _ if drawn => Phase::Drawn,
        _ if now < opens => Phase::Scheduled,
        _ if now < closes => Phase::Open,
        _ => Phase::Closed,
    }
}

/// Why an entry is refused, in words a reader can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("This giveaway opens on {0}.")]
    NotOpenYet(String),
    #[error("This giveaway closed on {0}; entries are no longer taken.")]
    Closed(String),
    #[error("Please confirm your email address first: we send the receipt and any prize there.")]
    Unconfirmed,
    #[error("Entries from disposable email addresses ({0}) are not accepted. Change your email address in your account and enter again.")]
    DisposableDomain(String),
    #[error("Please confirm the eligibility statement to enter.")]
    NotDeclared,
}

/// What an entry is checked against.
pub struct EntryCheck<'a> {
    pub phase: Phase,
    pub opens_label: &'a str,
    pub closes_label: &'a str,
    pub email: &'a str,
    pub email_confirmed: bool,
    /// The network's list of refused domains (lower case).
    pub disposable: &'a [String],
    /// Whether the giveaway asks for a declaration, and whether it was given.
    pub needs_declaration: bool,
    pub declared: bool,
}

/// Whether a member may enter now (a second entry is the store's to refuse).
pub fn check_entry(c: &EntryCheck<'_>) -> Result<(), Refusal> {
    match c.phase {
        Phase::Draft | Phase::Scheduled => {
            return Err(Refusal::NotOpenYet(c.opens_label.to_string()))
        }
        Phase::Closed | Phase::Drawn => return Err(Refusal::Closed(c.closes_label.to_string())),
        Phase::Open => {}
    }
    if !c.email_confirmed {
        return Err(Refusal::Unconfirmed);
    }
    if let Some(domain) = disposable_domain(c.email, c.disposable) {
        return Err(Refusal::DisposableDomain(domain));
    }
    if c.needs_declaration && !c.declared {
        return Err(Refusal::NotDeclared);
    }
    Ok(())
}

/// The listed domain an address belongs to (its own domain or a parent).
pub fn disposable_domain(email: &str, list: &[String]) -> Option<String> {
    let domain = email.rsplit_once('@')?.1.trim().to_ascii_lowercase();
    let mut d = domain.as_str();
    loop {
        if list.iter().any(|l| l == d) {
            return Some(d.to_string());
        }
        d = d.split_once('.')?.1;
    }
}

/// Cleans an editor's list of disposable domains: one per line, `#`
/// comments; a line that is not a domain is named.
pub fn parse_domain_list(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let d = line
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if d.is_empty() {
            continue;
        }
        let ok = d.contains('.')
            && d.len() <= 253
            && d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            return Err(format!("line {}: {d:?} is not a domain name", i + 1));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// A new ticket id from 10 random bytes: `KW-` and 16 characters of
/// Crockford base 32 in groups of four (no I, L, O or U to misread).
pub fn ticket_id(random: [u8; 10]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    let mut chars = [0u8; 16];
    for (i, c) in chars.iter_mut().enumerate() {
        *c = ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize];
    }
    let s = std::str::from_utf8(&chars).expect("ASCII");
    format!("KW-{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// What became of one place in the published order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Claimed the prize.
    Claimed,
    /// Offered the prize, the deadline not yet passed.
    Offered { deadline: DateTime<Utc> },
    /// Disqualified by staff (after the draw).
    Disqualified,
    /// Never offered a prize yet.
    Waiting,
}

/// The claim deadline of a prize offered at `at`.
pub fn claim_deadline(at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    at + Duration::days(days)
}

/// One step the page shows: who holds a prize, and who passed it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Offer the prize to this place in the order.
    Offer(usize),
    /// This place lost its prize: its deadline passed unclaimed.
    Lapsed(usize),
}

/// Walks the published order and says what must happen now: places whose
/// offer lapsed, and places to offer a prize to, strictly in order, so no
/// operator ever picks who comes next. `standing[i]` is place `i`'s state.
pub fn next_steps(prizes: usize, standing: &[Standing], now: DateTime<Utc>) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut held = 0;
    for (i, s) in standing.iter().enumerate() {
        if held == prizes {
            break;
        }
        match *s {
            Standing::Claimed => held += 1,
            Standing::Offered { deadline } if deadline > now => held += 1,
            Standing::Offered { .. } => steps.push(Step::Lapsed(i)),
            Standing::Disqualified => {}
            Standing::Waiting => {
                steps.push(Step::Offer(i));
                held += 1;
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap()
    }

    fn check(phase: Phase, email: &str, confirmed: bool) -> Result<(), Refusal> {
        check_entry(&EntryCheck {
            phase,
            opens_label: "1 December",
            closes_label: "8 December",
            email,
            email_confirmed: confirmed,
            disposable: &["mailinator.com".to_string()],
            needs_declaration: false,
            declared: false,
        })
    }

    #[test]
    fn the_phase_follows_the_window() {
        assert_eq!(phase(false, t(1), t(3), false, t(2)), Phase::Draft);
        assert_eq!(phase(true, t(1), t(3), false, t(0)), Phase::Scheduled);
        assert_eq!(phase(true, t(1), t(3), false, t(1)), Phase::Open);
        assert_eq!(phase(true, t(1), t(3), false, t(3)), Phase::Closed);
        assert_eq!(phase(true, t(1), t(3), true, t(4)), Phase::Drawn);
    }

    #[test]
    fn entries_need_an_open_window_a_confirmed_and_lasting_address() {
        assert!(check(Phase::Open, "ok@example.org", true).is_ok());
        assert!(matches!(
            check(Phase::Scheduled, "ok@example.org", true),
            Err(Refusal::NotOpenYet(_))
        ));
        assert!(matches!(
            check(Phase::Closed, "ok@example.org", true),
            Err(Refusal::Closed(_))
        ));
        assert_eq!(
            check(Phase::Open, "ok@example.org", false),
            Err(Refusal::Unconfirmed)
        );
        assert_eq!(
            check(Phase::Open, "x@eu.Mailinator.COM", true),
            Err(Refusal::DisposableDomain("mailinator.com".into()))
        );
        let declared = |declared| {
            check_entry(&EntryCheck {
                phase: Phase::Open,
                opens_label: "",
                closes_label: "",
                email: "a@example.org",
                email_confirmed: true,
                disposable: &[],
                needs_declaration: true,
                declared,
            })
        };
        assert_eq!(declared(false), Err(Refusal::NotDeclared));
        assert!(declared(true).is_ok());
    }

    #[test]
    fn the_domain_list_names_a_bad_line() {
        assert_eq!(
            parse_domain_list("# refused\nMailinator.com\n\nyopmail.com # also\nmailinator.com\n")
                .unwrap(),
            ["mailinator.com", "yopmail.com"]
        );
        assert_eq!(
            parse_domain_list("ok.com\nnot a domain\n").unwrap_err(),
            "line 2: \"not a domain\" is not a domain name"
        );
    }

    #[test]
    fn ticket_ids_are_readable_and_distinct() {
        let a = ticket_id([0; 10]);
        assert_eq!(a, "KW-0000-0000-0000-0000");
        let b = ticket_id([0xff; 10]);
        assert_eq!(b, "KW-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        assert_ne!(ticket_id([1; 10]), ticket_id([2; 10]));
        assert!(ticket_id([7; 10])
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-'));
    }

    #[test]
    fn prizes_pass_down_the_order_without_a_choice() {
        let now = t(12);
        let live = Standing::Offered { deadline: t(13) };
        let lapsed = Standing::Offered { deadline: t(11) };
        // Fresh draw, two prizes: offer the first two.
        assert_eq!(
            next_steps(2, &[Standing::Waiting; 5], now),
            [Step::Offer(0), Step::Offer(1)]
        );
        // The first lapsed, the second claimed: the first alternate steps in.
        assert_eq!(
            next_steps(
                2,
                &[
                    lapsed,
                    Standing::Claimed,
                    Standing::Waiting,
                    Standing::Waiting
                ],
                now
            ),
            [Step::Lapsed(0), Step::Offer(2)]
        );
        // A disqualified winner is skipped; live offers hold.
        assert_eq!(
            next_steps(2, &[Standing::Disqualified, live, Standing::Waiting], now),
            [Step::Offer(2)]
        );
        // Nothing to do when every prize is held.
        assert!(next_steps(1, &[Standing::Claimed, Standing::Waiting], now).is_empty());
        // The order runs out: as many offers as there are places.
        assert_eq!(next_steps(3, &[Standing::Waiting], now), [Step::Offer(0)]);
    }
}
