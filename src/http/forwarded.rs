//! The client address behind proxies, for rate limits. `X-Forwarded-For` is
//! a list each proxy appends its peer to, so only the entries added by proxies
//! we run can be believed: the rest were written by the client. Which those
//! are is configured by hop count or by the proxies' networks
//! (`TRUSTED_PROXY_HOPS`, `TRUSTED_PROXIES`).

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::config::TrustedProxies;

/// The client's address: the peer's, or the entry of `X-Forwarded-For` the
/// configured proxies vouch for. IPv4-mapped IPv6 addresses come out as IPv4.
pub fn client_address(proxies: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let peer = peer.to_canonical();
    if *proxies == TrustedProxies::None {
        return peer;
    }
    // Several headers are one list in order (RFC 9110 field lines).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    match proxies {
        TrustedProxies::None => peer,
        // The Nth from the right; with fewer entries, the leftmost (the request came
        // through fewer proxies, e.g. straight to the load balancer).
        TrustedProxies::Hops(hops) => entries
            .len()
            .checked_sub(*hops)
            .map_or(entries.first(), |index| entries.get(index))
            .and_then(|entry| parse(entry))
            .unwrap_or(peer),
        // From the peer leftwards, past every trusted address.
        TrustedProxies::Networks(networks) => {
            let trusted = |address: &IpAddr| networks.iter().any(|network| network.contains(address));
            let mut nearest = peer;
            if !trusted(&peer) {
                return peer;
            }
            for entry in entries.iter().rev() {
                // An entry no proxy of ours would write ends the walk at the last one we believe.
                let Some(address) = parse(entry) else { return nearest };
                if !trusted(&address) {
                    return address;
                }
                nearest = address;
            }
            nearest
        }
    }
}

/// An entry as proxies write it: an address, or one with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .or_else(|_| entry.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>())
        .ok()
        .map(|address| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let forged = headers(&["203.0.113.9"]);
        assert_eq!(client_address(&TrustedProxies::None, ip("10.0.0.1"), &forged), ip("10.0.0.1"));
        assert_eq!(client_address(&TrustedProxies::None, ip("::ffff:192.0.2.1"), &forged), ip("192.0.2.1"));
    }

    #[test]
    fn hops_count_from_the_right() {
        let forwarded = headers(&["198.51.100.1, 203.0.113.7", "192.0.2.10"]);
        let peer = ip("10.0.0.1");
        assert_eq!(client_address(&TrustedProxies::Hops(1), peer, &forwarded), ip("192.0.2.10"));
        assert_eq!(client_address(&TrustedProxies::Hops(2), peer, &forwarded), ip("203.0.113.7"));
        // Fewer entries than hops: the furthest one there is.
        assert_eq!(client_address(&TrustedProxies::Hops(5), peer, &forwarded), ip("198.51.100.1"));
        assert_eq!(client_address(&TrustedProxies::Hops(1), peer, &HeaderMap::new()), peer);
        assert_eq!(client_address(&TrustedProxies::Hops(1), peer, &headers(&["not an address"])), peer);
        assert_eq!(client_address(&TrustedProxies::Hops(1), peer, &headers(&["192.0.2.1:4711"])), ip("192.0.2.1"));
        assert_eq!(client_address(&TrustedProxies::Hops(1), peer, &headers(&["[2001:db8::1]:443"])), ip("2001:db8::1"));
    }

    #[test]
    fn networks_walk_past_trusted_proxies() {
        let proxies =
            TrustedProxies::Networks(vec!["10.0.0.0/8".parse().unwrap(), "2001:db8:ff::/48".parse().unwrap()]);
        let chain = headers(&["6.6.6.6, 198.51.100.1, 10.1.2.3"]);
        assert_eq!(
            client_address(&proxies, ip("10.0.0.1"), &chain),
            ip("198.51.100.1"),
            "the forged 6.6.6.6 is skipped"
        );
        // A peer outside the trusted networks wrote the header itself.
        assert_eq!(client_address(&proxies, ip("192.0.2.50"), &chain), ip("192.0.2.50"));
        assert_eq!(client_address(&proxies, ip("::ffff:10.0.0.1"), &chain), ip("198.51.100.1"));
        assert_eq!(client_address(&proxies, ip("2001:db8:ff::1"), &headers(&["::ffff:192.0.2.8"])), ip("192.0.2.8"));
        // Every entry trusted: the furthest.
        assert_eq!(client_address(&proxies, ip("10.0.0.1"), &headers(&["10.9.9.9"])), ip("10.9.9.9"));
        assert_eq!(client_address(&proxies, ip("10.0.0.1"), &headers(&["garbage, 10.9.9.9"])), ip("10.9.9.9"));
    }
}
