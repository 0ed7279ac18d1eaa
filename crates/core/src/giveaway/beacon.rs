//! Public randomness from a drand chain: which round comes after a
//! giveaway's close, and whether a round's BLS signature holds.
//!
//! Only the chain's public key is trusted. It is pinned here for the
//! League of Entropy's two main chains, or given by the operator for
//! another chain; a server's answer is never taken on its word.

use chrono::{DateTime, Utc};
use drand_verify::{derive_randomness, G1Pubkey, G2PubkeyRfc, Pubkey};

/// A drand chain's fixed parameters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Chain {
    /// The chain hash, which names it in drand's HTTP API.
    pub hash: String,
    /// `pedersen-bls-chained` (signatures on G2, each round signing the
    /// previous signature) or `bls-unchained-g1-rfc9380` (signatures on G1).
    pub scheme: Scheme,
    /// The group public key, hex.
    pub public_key: String,
    pub genesis_time: i64,
    pub period_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scheme {
    #[serde(rename = "pedersen-bls-chained")]
    Chained,
    #[serde(rename = "bls-unchained-g1-rfc9380")]
    UnchainedG1,
}

impl Scheme {
    pub fn id(self) -> &'static str {
        match self {
            Scheme::Chained => "pedersen-bls-chained",
            Scheme::UnchainedG1 => "bls-unchained-g1-rfc9380",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "pedersen-bls-chained" => Some(Scheme::Chained),
            "bls-unchained-g1-rfc9380" => Some(Scheme::UnchainedG1),
            _ => None,
        }
    }
}

/// The League of Entropy's mainnet ("default") chain: a round every 30 s.
pub fn league_of_entropy_mainnet() -> Chain {
    Chain {
        hash: "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce".into(),
        scheme: Scheme::Chained,
        public_key: "868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a569937c529eeda66c7293784a9402801af31".into(),
        genesis_time: 1_595_431_050,
        period_seconds: 30,
    }
}

/// The League of Entropy's quicknet: a round every 3 s, unchained.
pub fn league_of_entropy_quicknet() -> Chain {
    Chain {
        hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971".into(),
        scheme: Scheme::UnchainedG1,
        public_key: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a".into(),
        genesis_time: 1_692_803_367,
        period_seconds: 3,
    }
}

/// A chain whose key is pinned here, by its hash.
pub fn known_chain(hash: &str) -> Option<Chain> {
    [league_of_entropy_mainnet(), league_of_entropy_quicknet()]
        .into_iter()
        .find(|c| c.hash == hash)
}

impl Chain {
    /// When `round` is published (round 1 at genesis).
    pub fn round_time(&self, round: u64) -> DateTime<Utc> {
        let secs = self.genesis_time + (round.saturating_sub(1) as i64) * self.period_seconds;
        DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The first round published strictly after `t`.
    pub fn first_round_after(&self, t: DateTime<Utc>) -> u64 {
        let since = t.timestamp() - self.genesis_time;
        if since < 0 {
            return 1;
        }
        (since / self.period_seconds) as u64 + 2
    }
}

/// The network's public randomness beacon: where its rounds are fetched
/// (a drand HTTP endpoint, such as `https://api.drand.sh`) and the chain
/// they must verify against.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BeaconSetting {
    pub url: String,
    pub chain: Chain,
}

impl BeaconSetting {
    /// Where round `round` is served.
    pub fn round_url(&self, round: u64) -> String {
        format!(
            "{}/{}/public/{round}",
            self.url.trim_end_matches('/'),
            self.chain.hash
        )
    }
}

/// One round as drand's HTTP API serves it (`/{chain}/public/{round}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Round {
    pub round: u64,
    pub randomness: String,
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BeaconError {
    #[error("the chain's public key is not valid hex for its scheme")]
    PublicKey,
    #[error("round {0}: the {1} is not hex")]
    Hex(u64, &'static str),
    #[error("round {0}: a chained round needs the previous signature")]
    NoPrevious(u64),
    #[error("round {0}: the BLS signature does not verify against the chain's public key")]
    Signature(u64),
    #[error("round {0}: the published randomness is not the SHA-256 of the signature")]
    Randomness(u64),
    #[error("round {got}, but round {wanted} was asked for")]
    WrongRound { wanted: u64, got: u64 },
    #[error("round {round} was published at {at}, not after the close at {close}")]
    TooEarly {
        round: u64,
        at: DateTime<Utc>,
        close: DateTime<Utc>,
    },
}

impl Chain {
    /// Checks a round's signature with the chain's key, and that its
    /// randomness is derived from that signature; returns the randomness.
    pub fn verify(&self, r: &Round) -> Result<String, BeaconError> {
        let sig = hex::decode(&r.signature).map_err(|_| BeaconError::Hex(r.round, "signature"))?;
        let key = hex::decode(&self.public_key).map_err(|_| BeaconError::PublicKey)?;
        let ok = match self.scheme {
            Scheme::Chained => {
                let prev = r
                    .previous_signature
                    .as_deref()
                    .ok_or(BeaconError::NoPrevious(r.round))?;
                let prev = hex::decode(prev)
                    .map_err(|_| BeaconError::Hex(r.round, "previous signature"))?;
                let pk = G1Pubkey::from_variable(&key).map_err(|_| BeaconError::PublicKey)?;
                pk.verify(r.round, &prev, &sig)
            }
            Scheme::UnchainedG1 => {
                let pk = G2PubkeyRfc::from_variable(&key).map_err(|_| BeaconError::PublicKey)?;
                pk.verify(r.round, b"", &sig)
            }
        };
        if !matches!(ok, Ok(true)) {
            return Err(BeaconError::Signature(r.round));
        }
        let randomness = hex::encode(derive_randomness(&sig));
        if !r.randomness.eq_ignore_ascii_case(&randomness) {
            return Err(BeaconError::Randomness(r.round));
        }
        Ok(randomness)
    }

    /// `verify`, and that this is the round a draw closing at `close` must use.
    pub fn verify_for_close(&self, r: &Round, close: DateTime<Utc>) -> Result<String, BeaconError> {
        let wanted = self.first_round_after(close);
        if r.round < wanted {
            return Err(BeaconError::TooEarly {
                round: r.round,
                at: self.round_time(r.round),
                close,
            });
        }
        if r.round != wanted {
            return Err(BeaconError::WrongRound {
                wanted,
                got: r.round,
            });
        }
        self.verify(r)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Mainnet round 72785, as drand publishes it (the example round in
    /// the `drand-verify` crate's documentation).
    pub fn mainnet_72785() -> Round {
        Round {
            round: 72785,
            randomness: "8b676484b5fb1f37f9ec5c413d7d29883504e5b669f604a1ce68b3388e9ae3d9".into(),
            signature: "82f5d3d2de4db19d40a6980e8aa37842a0e55d1df06bd68bddc8d60002e8e959eb9cfa368b3c1b77d18f02a54fe047b80f0989315f83b12a74fd8679c4f12aae86eaf6ab5690b34f1fddd50ee3cc6f6cdf59e95526d5a5d82aaa84fa6f181e42".into(),
            previous_signature: Some("a609e19a03c2fcc559e8dae14900aaefe517cb55c840f6e69bc8e4f66c8d18e8a609685d9917efbfb0c37f058c2de88f13d297c7e19e0ab24813079efe57a182554ff054c7638153f9b26a60e7111f71a0ff63d9571704905d3ca6df0b031747".into()),
        }
    }

    /// Quicknet round 123 (from the same documentation); its randomness is
    /// the SHA-256 of the signature.
    pub fn quicknet_123() -> Round {
        let signature = "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92";
        Round {
            round: 123,
            randomness: crate::giveaway::draw::sha256_hex(&hex::decode(signature).unwrap()),
            signature: signature.into(),
            previous_signature: None,
        }
    }

    fn flip(hex_text: &str, at: usize) -> String {
        let mut b = hex::decode(hex_text).unwrap();
        b[at] ^= 0x01;
        hex::encode(b)
    }

    #[test]
    fn real_rounds_of_both_chains_verify() {
        let r = mainnet_72785();
        assert_eq!(
            league_of_entropy_mainnet().verify(&r).unwrap(),
            r.randomness
        );
        let q = quicknet_123();
        assert_eq!(
            league_of_entropy_quicknet().verify(&q).unwrap(),
            q.randomness
        );
    }

    #[test]
    fn a_flipped_byte_is_refused() {
        let chain = league_of_entropy_mainnet();
        let mut r = mainnet_72785();
        r.signature = flip(&r.signature, 20);
        assert!(chain.verify(&r).is_err());

        let mut r = mainnet_72785();
        r.previous_signature = Some(flip(r.previous_signature.as_deref().unwrap(), 5));
        assert_eq!(chain.verify(&r), Err(BeaconError::Signature(72785)));

        let mut r = mainnet_72785();
        r.round += 1;
        assert_eq!(chain.verify(&r), Err(BeaconError::Signature(72786)));

        let mut r = mainnet_72785();
        r.randomness = flip(&r.randomness, 0);
        assert_eq!(chain.verify(&r), Err(BeaconError::Randomness(72785)));

        let quick = league_of_entropy_quicknet();
        let mut q = quicknet_123();
        q.signature = flip(&q.signature, 40);
        assert!(quick.verify(&q).is_err());
        // A round of one chain does not pass for the other.
        assert!(quick.verify(&mainnet_72785()).is_err());
    }

    #[test]
    fn the_round_after_a_close_is_the_first_published_later() {
        let chain = league_of_entropy_mainnet();
        let t = chain.round_time(72785);
        assert_eq!(t.timestamp(), 1_595_431_050 + 72784 * 30);
        // Closing one second before round 72785 appears, or exactly at the
        // previous round, picks 72785.
        assert_eq!(
            chain.first_round_after(t - chrono::Duration::seconds(1)),
            72785
        );
        assert_eq!(chain.first_round_after(chain.round_time(72784)), 72785);
        // Closing at its own moment picks the next.
        assert_eq!(chain.first_round_after(t), 72786);
        let close = t - chrono::Duration::seconds(10);
        assert!(chain.verify_for_close(&mainnet_72785(), close).is_ok());
        assert!(matches!(
            chain.verify_for_close(&mainnet_72785(), t),
            Err(BeaconError::TooEarly { .. })
        ));
        assert!(matches!(
            chain.verify_for_close(&mainnet_72785(), close - chrono::Duration::seconds(60)),
            Err(BeaconError::WrongRound { .. })
        ));
    }

    #[test]
    fn pinned_chains_are_found_by_hash() {
        assert_eq!(
            known_chain("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971")
                .map(|c| c.scheme),
            Some(Scheme::UnchainedG1)
        );
        assert!(known_chain("00").is_none());
        assert_eq!(Scheme::parse(Scheme::Chained.id()), Some(Scheme::Chained));
    }
}
