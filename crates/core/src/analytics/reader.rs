//! Telling readers apart without knowing who they are.
//!
//! A reader is a keyed hash (SipHash-1-3, keyed by the day's secret salt)
//! of the site, the address and the user agent. The salt is random, belongs to one day (UTC) and is destroyed when
//! the day is over, so a hash cannot be recomputed from an address later,
//! and the same reader on two days, or on two sites, has unrelated hashes.
//! Nothing else about the reader is kept.

use std::net::IpAddr;

use chrono::NaiveDate;
use std::hash::Hasher as _;

use siphasher::sip::SipHasher13;

/// The secret of one day. Every app server reads the same one from the
/// database, so a reader seen by two servers is one reader.
#[derive(Clone, PartialEq, Eq)]
pub struct DailySalt {
    pub day: NaiveDate,
    pub secret: [u8; 32],
}

impl DailySalt {
    /// Its day as days since the Unix epoch.
    pub fn day_number(&self) -> i64 {
        (self.day - NaiveDate::default()).num_days()
    }
}

impl std::fmt::Debug for DailySalt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DailySalt")
            .field("day", &self.day)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The reader's hash for `site_id` under `salt`: 63 bits, so it fits a
/// signed 64-bit column on both databases. SipHash is a pseudo-random
/// function of its 128-bit key: without the salt, nobody can tell which
/// address and browser a hash stands for.
pub fn reader_hash(salt: &DailySalt, site_id: i64, ip: IpAddr, user_agent: &str) -> i64 {
    let mut k0 = [0u8; 8];
    let mut k1 = [0u8; 8];
    k0.copy_from_slice(&salt.secret[..8]);
    k1.copy_from_slice(&salt.secret[8..16]);
    let mut h = SipHasher13::new_with_keys(u64::from_le_bytes(k0), u64::from_le_bytes(k1));
    h.write(&site_id.to_le_bytes());
    match ip {
        IpAddr::V4(v4) => h.write(&v4.octets()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => h.write(&v4.octets()),
            None => h.write(&v6.octets()),
        },
    }
    h.write(user_agent.as_bytes());
    (h.finish() >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn salt(day: u32, byte: u8) -> DailySalt {
        DailySalt {
            day: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            secret: [byte; 32],
        }
    }

    #[test]
    fn one_reader_one_hash_per_day_and_site() {
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let a = reader_hash(&salt(4, 1), 1, ip, "Mozilla/5.0 Firefox");
        assert_eq!(a, reader_hash(&salt(4, 1), 1, ip, "Mozilla/5.0 Firefox"));
        assert!(a >= 0);
        // Another day's salt, another site, another browser: unrelated.
        assert_ne!(a, reader_hash(&salt(5, 2), 1, ip, "Mozilla/5.0 Firefox"));
        assert_ne!(a, reader_hash(&salt(4, 1), 2, ip, "Mozilla/5.0 Firefox"));
        assert_ne!(a, reader_hash(&salt(4, 1), 1, ip, "Mozilla/5.0 Chrome"));
        // The IPv4 address written as IPv6 is the same reader.
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(
            a,
            reader_hash(&salt(4, 1), 1, mapped, "Mozilla/5.0 Firefox")
        );
    }

    #[test]
    fn days_count_from_the_epoch() {
        assert_eq!(salt(4, 0).day_number(), 20_791);
    }

    #[test]
    fn the_secret_is_not_printed() {
        assert!(!format!("{:?}", salt(4, 7)).contains('7'.to_string().repeat(3).as_str()));
        assert!(format!("{:?}", salt(4, 7)).contains("redacted"));
    }
}
