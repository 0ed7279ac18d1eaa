//! A giveaway's public draw record (`draw.json`, with `tickets.txt`), and
//! its full verification: the method's every step, the beacon round's BLS
//! signature against the chain's pinned key, and that the round is the
//! first published after the close. What `kawaraban giveaway verify URL`
//! runs; `scripts/verify_draw.py` does the same but the signature.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::beacon::{known_chain, Chain, Round, Scheme};
use super::draw::{self, PublishedDraw};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicBeacon {
    pub chain: Option<String>,
    pub scheme: Option<Scheme>,
    pub public_key: Option<String>,
    pub genesis_time: Option<i64>,
    pub period: Option<i64>,
    pub round: u64,
    pub randomness: String,
    pub signature: String,
    pub previous_signature: Option<String>,
}

/// `draw.json` as a giveaway's page serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDraw {
    pub method: String,
    pub giveaway: String,
    pub title: String,
    pub closes_at: DateTime<Utc>,
    pub winners: u32,
    pub commitment: String,
    pub seed: Option<String>,
    pub tickets_url: String,
    pub list_hash: Option<String>,
    pub beacon: Option<PublicBeacon>,
    pub order: Vec<String>,
}

/// A draw that holds: the winners, the alternates, and what was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub winners: Vec<String>,
    pub alternates: Vec<String>,
    pub tickets: usize,
    /// The beacon round whose signature was checked, and on which chain.
    pub round: Option<(u64, String)>,
}

/// Checks every step of a published draw; the error says which failed.
pub fn verify(d: &PublicDraw, tickets: &str) -> Result<Verified, String> {
    if d.method != draw::METHOD {
        return Err(format!(
            "method: the page uses {:?}, this verifier knows {:?}",
            d.method,
            draw::METHOD
        ));
    }
    let seed = d
        .seed
        .clone()
        .ok_or("not drawn yet: the seed is still secret")?;
    let list_hash = d
        .list_hash
        .clone()
        .ok_or("the page publishes no ticket list hash")?;
    let mut round_checked = None;
    let randomness = match &d.beacon {
        None => None,
        Some(b) => {
            let hash = b.chain.clone().ok_or("beacon: the page names no chain")?;
            let chain = match known_chain(&hash) {
                Some(c) => {
                    if b.public_key.as_deref().is_some_and(|k| k != c.public_key) {
                        return Err(format!(
                            "beacon: the page gives chain {hash} a public key other than its published one"
                        ));
                    }
                    c
                }
                None => Chain {
                    hash: hash.clone(),
                    scheme: b.scheme.ok_or("beacon: the page names no scheme")?,
                    public_key: b
                        .public_key
                        .clone()
                        .ok_or("beacon: the page names no public key")?,
                    genesis_time: b
                        .genesis_time
                        .ok_or("beacon: the page names no genesis time")?,
                    period_seconds: b.period.ok_or("beacon: the page names no period")?,
                },
            };
            let round = Round {
                round: b.round,
                randomness: b.randomness.clone(),
                signature: b.signature.clone(),
                previous_signature: b.previous_signature.clone(),
            };
            let r = chain
                .verify_for_close(&round, d.closes_at)
                .map_err(|e| format!("beacon: {e}"))?;
            round_checked = Some((b.round, hash));
            Some(r)
        }
    };
    let p = PublishedDraw {
        commitment: d.commitment.clone(),
        seed,
        ticket_list: tickets.to_string(),
        list_hash,
        randomness,
        winners: d.winners as usize,
        order: d.order.clone(),
    };
    let order = draw::verify(&p).map_err(|e| e.to_string())?;
    let n = (d.winners as usize).min(order.len());
    Ok(Verified {
        winners: order[..n].to_vec(),
        alternates: order[n..].to_vec(),
        tickets: tickets.lines().count(),
        round: round_checked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::giveaway::beacon::{league_of_entropy_mainnet, tests::mainnet_72785};

    fn honest(with_beacon: bool) -> (PublicDraw, String) {
        let seed = "5e".repeat(32);
        let tickets: Vec<String> = (0..50).map(|i| format!("KW-{i:04}")).collect();
        let list = draw::ticket_list(&tickets);
        let list_hash = draw::sha256_hex(list.as_bytes());
        let chain = league_of_entropy_mainnet();
        let r = mainnet_72785();
        let close = chain.round_time(72785) - chrono::Duration::seconds(5);
        let randomness = with_beacon.then(|| r.randomness.clone());
        let ids = draw::parse_ticket_list(&list).unwrap();
        let order = draw::ranked(
            &draw::seed_material(&seed, &list_hash, randomness.as_deref()),
            &ids,
            2 + draw::alternates_for(2),
        );
        let d = PublicDraw {
            method: draw::METHOD.into(),
            giveaway: "g".into(),
            title: "G".into(),
            closes_at: close,
            winners: 2,
            commitment: draw::commitment(&seed),
            seed: Some(seed),
            tickets_url: "/giveaways/g/tickets.txt".into(),
            list_hash: Some(list_hash),
            beacon: with_beacon.then(|| PublicBeacon {
                chain: Some(chain.hash.clone()),
                scheme: Some(chain.scheme),
                public_key: Some(chain.public_key.clone()),
                genesis_time: Some(chain.genesis_time),
                period: Some(chain.period_seconds),
                round: r.round,
                randomness: r.randomness.clone(),
                signature: r.signature.clone(),
                previous_signature: r.previous_signature.clone(),
            }),
            order: order.into_iter().map(str::to_string).collect(),
        };
        (d, list)
    }

    #[test]
    fn an_honest_draw_with_a_real_beacon_round_verifies() {
        let (d, list) = honest(true);
        let v = verify(&d, &list).unwrap();
        assert_eq!(v.winners.len(), 2);
        assert_eq!(v.alternates.len(), 6);
        assert_eq!(v.round.unwrap().0, 72785);
        let (d, list) = honest(false);
        assert!(verify(&d, &list).unwrap().round.is_none());
    }

    #[test]
    fn a_forged_round_or_a_late_one_is_refused() {
        let (mut d, list) = honest(true);
        let b = d.beacon.as_mut().unwrap();
        let mut sig = hex::decode(&b.signature).unwrap();
        sig[10] ^= 1;
        b.signature = hex::encode(sig);
        let e = verify(&d, &list).unwrap_err();
        assert!(e.starts_with("beacon:"), "{e}");

        // A round chosen after seeing others: not the first after the close.
        let (mut d, list) = honest(true);
        d.closes_at -= chrono::Duration::seconds(120);
        assert!(verify(&d, &list).unwrap_err().contains("was asked for"));

        // Another key for a pinned chain.
        let (mut d, list) = honest(true);
        d.beacon.as_mut().unwrap().public_key = Some("00".repeat(48));
        assert!(verify(&d, &list).unwrap_err().contains("public key"));
    }

    #[test]
    fn a_tampered_list_or_seed_is_refused() {
        let (d, list) = honest(true);
        assert!(verify(&d, &format!("{list}KW-9999\n"))
            .unwrap_err()
            .contains("SHA-256"));
        let (mut d2, _) = honest(true);
        d2.seed = Some("00".repeat(32));
        assert!(verify(&d2, &list).unwrap_err().contains("commitment"));
        let mut d3 = d.clone();
        d3.seed = None;
        assert!(verify(&d3, &list).unwrap_err().contains("not drawn"));
    }
}
