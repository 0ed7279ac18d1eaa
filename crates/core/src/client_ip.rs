//! Which address a request comes from, behind reverse proxies.
//!
//! A proxy in front of the server makes every request come from the proxy's
//! address, and says whom it serves in `X-Forwarded-For` (or `Forwarded`).
//! Those headers are whatever the client sent, plus what each proxy
//! appended, so only the hops added by proxies we trust can be believed:
//! reading the list from the right (the nearest hop first), every address
//! that is one of our trusted proxies is skipped, and the first one that is
//! not is the client. Without trusted proxies, or when the peer itself is
//! not one, the headers are ignored and the peer is the client.
//!
//! `X-Forwarded-For` is read when the request has one, otherwise the `for=`
//! parameters of `Forwarded` (RFC 7239).

use std::net::IpAddr;
use std::str::FromStr;

/// An address or a CIDR block (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    addr: IpAddr,
    prefix: u8,
}

impl IpBlock {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address written in IPv6 (`::ffff:10.0.0.1`) is the IPv4 one.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

impl FromStr for IpBlock {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not an IP address or a CIDR block such as 10.0.0.0/8");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(IpBlock { addr, prefix })
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpBlock>);

impl TrustedProxies {
    /// From a list of addresses and CIDR blocks, each entry possibly itself
    /// comma-separated (`--trusted-proxy 10.0.0.1,10.1.0.0/16`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let blocks = entries
            .iter()
            .flat_map(|e| {
                e.as_ref()
                    .split(',')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|e| !e.trim().is_empty())
            .map(|e| e.parse())
            .collect::<Result<Vec<IpBlock>, String>>()?;
        Ok(TrustedProxies(blocks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|b| b.contains(ip))
    }
}

/// One hop of `X-Forwarded-For` or `Forwarded`: an address, possibly with a
/// port, in brackets or in quotes.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let h = hop.trim().trim_matches('"');
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    h.parse().ok().or_else(|| {
        // `1.2.3.4:5678`
        let (a, port) = h.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        a.parse().ok()
    })
}

/// The client's address: `peer` (the socket's other end) unless it is a
/// trusted proxy, in which case the right-most address of the forwarding
/// header that is not a trusted proxy. `x_forwarded_for` and `forwarded`
/// are every value of those headers, in order. A hop that cannot be read
/// stops the walk at the proxy that wrote it.
pub fn client_ip(
    peer: IpAddr,
    x_forwarded_for: &[&str],
    forwarded: &[&str],
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let hops: Vec<&str> = if !x_forwarded_for.is_empty() {
        x_forwarded_for.iter().flat_map(|v| v.split(',')).collect()
    } else {
        forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("for").then_some(v)
                })
            })
            .collect()
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop_address(hop).map(canonical) else {
            return client;
        };
        client = ip;
        if !trusted.trusts(ip) {
            return ip;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses() {
        let b: IpBlock = "10.1.0.0/16".parse().unwrap();
        assert!(b.contains(ip("10.1.200.3")) && !b.contains(ip("10.2.0.1")));
        assert!(b.contains(ip("::ffff:10.1.0.9")));
        let one: IpBlock = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6: IpBlock = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        let all: IpBlock = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", "::/129"] {
            assert!(bad.parse::<IpBlock>().is_err(), "{bad}");
        }
        assert_eq!(proxies(&["10.0.0.1, 10.0.0.2", "fd00::/8"]).0.len(), 3);
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        let nginx = proxies(&["127.0.0.1"]);
        let spoof = ["6.6.6.6"];
        // No proxies trusted, or a peer that is not one: the peer.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &spoof, &[], &none),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_ip(ip("198.51.100.7"), &spoof, &[], &nginx),
            ip("198.51.100.7")
        );
        // The proxy's own hop is the right-most; what the client wrote is left of it.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7"], &[], &nginx),
            ip("198.51.100.7")
        );
        // Two trusted proxies in a row, headers split over lines.
        let two = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &["6.6.6.6", "198.51.100.7, 10.0.0.5"],
                &[],
                &two
            ),
            ip("198.51.100.7")
        );
        // Only trusted hops: the farthest of them.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["10.0.0.5"], &[], &two),
            ip("10.0.0.5")
        );
        // An unreadable hop stops at the proxy that wrote it.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["198.51.100.7, garbage"], &[], &nginx),
            ip("127.0.0.1")
        );
        // Forwarded, with ports, brackets and quotes.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &[],
                &["for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https"],
                &nginx
            ),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &["192.0.2.1:5000"], &[], &nginx),
            ip("192.0.2.1")
        );
    }
}
