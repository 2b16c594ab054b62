//! Who the client is behind proxies: `X-Forwarded-For` and `X-Real-IP` are believed only when
//! the socket's peer is a trusted proxy, and `X-Forwarded-For` is read from the right (the
//! entries on the left are whatever the client sent).

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    // An IPv4 peer may arrive as an IPv4-mapped IPv6 address on a dual-stack socket.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    proxies.iter().any(|net| net.contains(&ip))
}

/// The client's address for a request whose socket peer is `peer`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if !forwarded.is_empty() {
        // From the right: skip our own proxies; the first other address is the client.
        let mut last = peer;
        for entry in forwarded.iter().rev() {
            let Ok(ip) = entry.parse::<IpAddr>() else {
                // A hop we cannot read: nothing to its left can be trusted.
                return last;
            };
            if !trusted(ip, proxies) {
                return ip;
            }
            last = ip;
        }
        return last;
    }
    headers.get("x-real-ip").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok()).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr"), "::1/128".parse().expect("cidr")];
        let forged = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-real-ip", "5.6.7.8")]);
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(client_ip(ip("203.0.113.9"), &forged, &proxies), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("203.0.113.9"), &forged, &[]), ip("203.0.113.9"));
        // Behind our proxy: the rightmost address that is not ours, not what the client prepended.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Several headers are one list.
        let h = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("198.51.100.7"));
        // Garbage stops the walk at the last good hop.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, junk")]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.0.1"));
        // X-Real-IP when there is no X-Forwarded-For; an IPv4-mapped peer is matched as IPv4.
        let h = headers(&[("x-real-ip", "198.51.100.8")]);
        assert_eq!(client_ip(ip("::ffff:10.0.0.2"), &h, &proxies), ip("198.51.100.8"));
        assert_eq!(client_ip(ip("::1"), &HeaderMap::new(), &proxies), ip("::1"));
    }
}
