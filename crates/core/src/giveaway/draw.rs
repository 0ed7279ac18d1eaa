//! The verifiable draw: everything a reader needs to recompute a
//! giveaway's winners from its public page, and nothing else.
//!
//! The method, published with the giveaway (`docs/giveaways.md`):
//!
//! 1. At opening, a 32-byte secret seed is drawn and its **commitment**,
//!    `SHA-256(seed as 64 lowercase hex characters)`, is published.
//! 2. At close, the **ticket list**, every valid ticket id sorted
//!    ascending (byte order), one per line, each line ending in `\n`, is
//!    published with its SHA-256.
//! 3. When a public randomness beacon is configured, the first drand round
//!    that falls after the close (fetched then, checked with its BLS
//!    signature) adds its randomness: nobody, the operator included, could
//!    know it while entries were open.
//! 4. The **seed material** is the text `kawaraban-draw-v1:SEED:LISTHASH:RANDOMNESS`
//!    (`RANDOMNESS` empty without a beacon). Each ticket's **score** is
//!    `SHA-256(seed material ‖ ticket id)`. Ascending scores (ties, which
//!    SHA-256 makes vanishingly unlikely, by ticket id) give the winners,
//!    then the alternates in the order they step in.

use sha2::{Digest, Sha256};

/// The prefix naming this version of the method in the seed material.
pub const METHOD: &str = "kawaraban-draw-v1";

/// Lower-case hex of SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The commitment published at opening for a seed (64 hex characters).
pub fn commitment(seed_hex: &str) -> String {
    sha256_hex(seed_hex.as_bytes())
}

/// A new secret seed: 32 bytes from the operating system's generator.
pub fn new_seed(random: [u8; 32]) -> String {
    hex::encode(random)
}

/// Whether `s` is 64 lower-case hex characters (a seed, a hash).
pub fn is_hex32(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The published ticket list: sorted, deduplicated, one id per line.
pub fn ticket_list<S: AsRef<str>>(tickets: &[S]) -> String {
    let mut ids: Vec<&str> = tickets.iter().map(|t| t.as_ref()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = String::with_capacity(ids.iter().map(|t| t.len() + 1).sum());
    for id in ids {
        out.push_str(id);
        out.push('\n');
    }
    out
}

/// Why a published ticket list is not in the canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("line {line}: the ticket list must end with a newline")]
    NoFinalNewline { line: usize },
    #[error("line {line}: an empty ticket id")]
    Empty { line: usize },
    #[error("line {line}: {id:?} is out of order or repeated (the list is sorted, each id once)")]
    Order { line: usize, id: String },
    #[error("line {line}: {id:?} is not a ticket id (letters, digits and '-' only)")]
    Shape { line: usize, id: String },
}

/// Reads a published ticket list back, checking that it is canonical.
pub fn parse_ticket_list(text: &str) -> Result<Vec<&str>, ListError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<&str> = text.split('\n').collect();
    // `split` leaves an empty last piece when the text ends with "\n".
    if lines.last() != Some(&"") {
        return Err(ListError::NoFinalNewline { line: lines.len() });
    }
    let ids = &lines[..lines.len() - 1];
    for (i, id) in ids.iter().enumerate() {
        let line = i + 1;
        if id.is_empty() {
            return Err(ListError::Empty { line });
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(ListError::Shape {
                line,
                id: id.to_string(),
            });
        }
        if i > 0 && ids[i - 1] >= *id {
            return Err(ListError::Order {
                line,
                id: id.to_string(),
            });
        }
    }
    Ok(ids.to_vec())
}

/// The seed material every score is built from.
pub fn seed_material(seed_hex: &str, list_hash: &str, randomness_hex: Option<&str>) -> String {
    format!(
        "{METHOD}:{seed_hex}:{list_hash}:{}",
        randomness_hex.unwrap_or("")
    )
}

/// One ticket's score: SHA-256(seed material ‖ ticket id).
pub fn score(material: &str, ticket: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(material.as_bytes());
    h.update(ticket.as_bytes());
    h.finalize().into()
}

/// The first `count` tickets by ascending score: the winners, then the
/// alternates in order. Keeps only `count` scores at a time, so a million
/// entries cost a million hashes and little memory.
pub fn ranked<'a>(material: &str, tickets: &[&'a str], count: usize) -> Vec<&'a str> {
    if count == 0 {
        return Vec::new();
    }
    // The material's hash state is shared; each ticket only adds its id.
    let mut base = Sha256::new();
    base.update(material.as_bytes());
    let mut best: std::collections::BinaryHeap<([u8; 32], &'a str)> =
        std::collections::BinaryHeap::with_capacity(count + 1);
    for &t in tickets {
        let mut h = base.clone();
        h.update(t.as_bytes());
        let s: [u8; 32] = h.finalize().into();
        if best.len() < count {
            best.push((s, t));
        } else if let Some(top) = best.peek() {
            if (s, t) < *top {
                best.pop();
                best.push((s, t));
            }
        }
    }
    let mut out = best.into_sorted_vec();
    out.truncate(count);
    out.into_iter().map(|(_, t)| t).collect()
}

/// How many alternates are published behind `winners` prizes.
pub fn alternates_for(winners: usize) -> usize {
    (winners * 3).max(5)
}

/// What the public page shows of a finished draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedDraw {
    pub commitment: String,
    pub seed: String,
    pub ticket_list: String,
    pub list_hash: String,
    /// The beacon round's randomness, when one was used (checked by the caller).
    pub randomness: Option<String>,
    pub winners: usize,
    /// Winners, then alternates, as published.
    pub order: Vec<String>,
}

/// Why a published draw does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the seed is not 64 lower-case hex characters")]
    SeedShape,
    #[error("the revealed seed does not match the commitment published at opening (SHA-256 of the seed is {found}, the commitment {expected})")]
    Commitment { expected: String, found: String },
    #[error("the ticket list's SHA-256 is {found}, but the page publishes {expected}")]
    ListHash { expected: String, found: String },
    #[error("the ticket list: {0}")]
    List(#[from] ListError),
    #[error(
        "position {position}: the page names {published:?}, the recomputed draw {recomputed:?}"
    )]
    Order {
        position: usize,
        published: String,
        recomputed: String,
    },
    #[error(
        "the page publishes {published} names in order, the recomputed draw gives {recomputed}"
    )]
    Length { published: usize, recomputed: usize },
}

/// Recomputes a draw from what its page publishes; `Ok` with the
/// recomputed order when every step holds.
pub fn verify(d: &PublishedDraw) -> Result<Vec<String>, VerifyError> {
    if !is_hex32(&d.seed) {
        return Err(VerifyError::SeedShape);
    }
    let found = commitment(&d.seed);
    if found != d.commitment {
        return Err(VerifyError::Commitment {
            expected: d.commitment.clone(),
            found,
        });
    }
    let found = sha256_hex(d.ticket_list.as_bytes());
    if found != d.list_hash {
        return Err(VerifyError::ListHash {
            expected: d.list_hash.clone(),
            found,
        });
    }
    let tickets = parse_ticket_list(&d.ticket_list)?;
    let material = seed_material(&d.seed, &d.list_hash, d.randomness.as_deref());
    let count = (d.winners + alternates_for(d.winners)).min(tickets.len());
    let order = ranked(&material, &tickets, count);
    if order.len() != d.order.len() {
        return Err(VerifyError::Length {
            published: d.order.len(),
            recomputed: order.len(),
        });
    }
    for (i, (p, r)) in d.order.iter().zip(&order).enumerate() {
        if p != r {
            return Err(VerifyError::Order {
                position: i + 1,
                published: p.clone(),
                recomputed: r.to_string(),
            });
        }
    }
    Ok(order.into_iter().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tickets(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("T{:08X}", i * 7919 % 100_003))
            .collect()
    }

    fn published(n: usize, winners: usize, randomness: Option<&str>) -> PublishedDraw {
        let seed = "ab".repeat(32);
        let list = ticket_list(&tickets(n));
        let list_hash = sha256_hex(list.as_bytes());
        let ids = parse_ticket_list(&list).unwrap();
        let material = seed_material(&seed, &list_hash, randomness);
        let order = ranked(&material, &ids, winners + alternates_for(winners));
        PublishedDraw {
            commitment: commitment(&seed),
            seed,
            list_hash,
            randomness: randomness.map(str::to_string),
            winners,
            order: order.into_iter().map(str::to_string).collect(),
            ticket_list: list,
        }
    }

    #[test]
    fn the_commitment_is_the_sha256_of_the_seed_text() {
        // echo -n 000…0 | sha256sum
        assert_eq!(
            commitment(&"0".repeat(64)),
            "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
        );
    }

    #[test]
    fn the_ticket_list_is_sorted_deduplicated_one_per_line() {
        let list = ticket_list(&["B-2", "A-1", "B-2", "C-3"]);
        assert_eq!(list, "A-1\nB-2\nC-3\n");
        assert_eq!(parse_ticket_list(&list).unwrap(), ["A-1", "B-2", "C-3"]);
        assert_eq!(ticket_list::<&str>(&[]), "");
        assert!(parse_ticket_list("").unwrap().is_empty());
    }

    #[test]
    fn a_list_out_of_form_names_its_line() {
        assert_eq!(
            parse_ticket_list("A\nC\nB\n"),
            Err(ListError::Order {
                line: 3,
                id: "B".into()
            })
        );
        assert_eq!(
            parse_ticket_list("A\nA\n"),
            Err(ListError::Order {
                line: 2,
                id: "A".into()
            })
        );
        assert_eq!(
            parse_ticket_list("A\nB"),
            Err(ListError::NoFinalNewline { line: 2 })
        );
        assert_eq!(
            parse_ticket_list("A\n\n"),
            Err(ListError::Empty { line: 2 })
        );
        assert!(matches!(
            parse_ticket_list("A\nb c\n"),
            Err(ListError::Shape { line: 2, .. })
        ));
    }

    #[test]
    fn ranking_keeps_the_lowest_scores_in_order() {
        let all = tickets(500);
        let ids: Vec<&str> = all.iter().map(String::as_str).collect();
        let material = seed_material(&"cd".repeat(32), &"ef".repeat(32), None);
        let mut full: Vec<([u8; 32], &str)> =
            ids.iter().map(|t| (score(&material, t), *t)).collect();
        full.sort();
        let expected: Vec<&str> = full.iter().take(12).map(|(_, t)| *t).collect();
        assert_eq!(ranked(&material, &ids, 12), expected);
        assert_eq!(ranked(&material, &ids[..3], 12).len(), 3);
        assert!(ranked(&material, &ids, 0).is_empty());
    }

    #[test]
    fn the_randomness_changes_the_outcome() {
        let a = published(1000, 3, None);
        let b = published(1000, 3, Some(&"12".repeat(32)));
        assert_ne!(a.order, b.order);
    }

    #[test]
    fn an_honest_draw_verifies() {
        for d in [
            published(1000, 3, None),
            published(2, 1, Some(&"34".repeat(32))),
            published(0, 1, None),
        ] {
            assert_eq!(verify(&d).unwrap(), d.order);
        }
    }

    #[test]
    fn a_tampered_draw_fails_and_says_where() {
        let honest = published(200, 2, None);

        let mut d = honest.clone();
        d.seed = "cd".repeat(32);
        assert!(matches!(verify(&d), Err(VerifyError::Commitment { .. })));

        let mut d = honest.clone();
        d.seed = "XYZ".into();
        assert_eq!(verify(&d), Err(VerifyError::SeedShape));

        // A ticket slipped into the list after close.
        let mut d = honest.clone();
        d.ticket_list.push_str("ZZZZ-LATE\n");
        assert!(matches!(verify(&d), Err(VerifyError::ListHash { .. })));

        // ... even with its hash recomputed, the order no longer matches
        // (or the list is out of form).
        let mut d = honest.clone();
        d.ticket_list = d.ticket_list.replacen('\n', "\nT0000AAAA-X\n", 1);
        d.list_hash = sha256_hex(d.ticket_list.as_bytes());
        assert!(verify(&d).is_err());

        // Winners swapped.
        let mut d = honest.clone();
        d.order.swap(0, 1);
        assert!(matches!(
            verify(&d),
            Err(VerifyError::Order { position: 1, .. })
        ));

        // An alternate dropped.
        let mut d = honest.clone();
        d.order.pop();
        assert!(matches!(verify(&d), Err(VerifyError::Length { .. })));

        // Randomness claimed that was not used.
        let mut d = honest;
        d.randomness = Some("56".repeat(32));
        assert!(verify(&d).is_err());
    }
}
