//! The SSRF guard: feeds are fetched from public addresses only.
//!
//! A feed URL is chosen by whoever adds the source, and what comes back is published, so a URL
//! naming loopback, a private network or the cloud metadata service (169.254.169.254) would
//! publish an internal page. Two checks together cover every address a fetch connects to:
//!
//! - [`PublicResolver`], the client's DNS resolver, drops every non-public address a name resolves
//!   to. The addresses it returns are the ones connected to, so a name cannot resolve to a
//!   public address for a check and a private one for the connection.
//! - reqwest does not call the resolver for IP-literal hosts, so [`check_url`] checks a URL's
//!   literal host before the request and on every redirect hop. The `url` crate has already
//!   normalised every spelling of an IPv4 address (`2130706433`, `0x7f000001`, `127.1`,
//!   `017700000001`) to `Host::Ipv4`.
//!
//! A request sent through a proxy connects to the proxy, so only the literal-host check applies
//! to the feed's own host then; the proxy's own name goes through the resolver.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// A fetch refused by the guard. Travels through reqwest's error chain as the source of its
/// error, where [`refusal_in`] finds it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The guard's refusal somewhere in `e`'s source chain, if it is one.
pub(crate) fn refusal_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cur = err.source();
    }
    None
}

/// Whether a feed may be fetched from `ip`: not loopback, private, shared (CGNAT), link-local,
/// unique-local, multicast, unspecified, broadcast, documentation or otherwise reserved.
/// IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // 0.0.0.0/8: "this network", 0.0.0.0 included
        || a == 10 // 10.0.0.0/8 private
        || (a == 100 && (64..=127).contains(&b)) // 100.64.0.0/10 shared address space (CGNAT)
        || a == 127 // 127.0.0.0/8 loopback
        || (a == 169 && b == 254) // 169.254.0.0/16 link-local, cloud metadata
        || (a == 172 && (16..=31).contains(&b)) // 172.16.0.0/12 private
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24 IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // 192.0.2.0/24 TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 192.88.99.0/24 6to4 relay anycast (deprecated)
        || (a == 192 && b == 168) // 192.168.0.0/16 private
        || (a == 198 && (b == 18 || b == 19)) // 198.18.0.0/15 benchmarking
        || (a == 198 && b == 51 && c == 100) // 198.51.100.0/24 TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // 203.0.113.0/24 TEST-NET-3
        || a >= 224; // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255 broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // :: unspecified, ::1 loopback (also caught below, named for clarity).
        [0, 0, 0, 0, 0, 0, 0, 0] | [0, 0, 0, 0, 0, 0, 0, 1] => false,
        // ::ffff:a.b.c.d IPv4-mapped and ::a.b.c.d IPv4-compatible (deprecated): the IPv4 decides.
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => is_public_v4(embedded_v4(hi, lo)),
        // 64:ff9b::/96 NAT64 well-known prefix: translated to the embedded IPv4.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => is_public_v4(embedded_v4(hi, lo)),
        // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): a private translator.
        [0x64, 0xff9b, 1, ..] => false,
        // 2002::/16 6to4: the IPv4 of the tunnel endpoint decides.
        [0x2002, hi, lo, ..] => is_public_v4(embedded_v4(hi, lo)),
        _ => {
            let first = s[0];
            let refused = (s[..4] == [0x100, 0, 0, 0]) // 100::/64 discard-only
                || (first == 0x2001 && s[1] < 0x200) // 2001::/23 IETF protocol assignments (Teredo, ORCHID, …)
                || (first == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32 documentation
                || (first == 0x3fff && s[1] < 0x1000) // 3fff::/20 documentation
                || first == 0x5f00 // 5f00::/16 SRv6 SIDs
                || (first & 0xfe00 == 0xfc00) // fc00::/7 unique local
                || (first & 0xffc0 == 0xfe80) // fe80::/10 link-local
                || (first & 0xffc0 == 0xfec0) // fec0::/10 site-local (deprecated)
                || (first & 0xff00 == 0xff00) // ff00::/8 multicast
                || first < 0x100; // ::/8 reserved (mapped and compatible forms handled above)
            !refused
        }
    }
}

/// Refuses a URL whose host is a non-public IP literal. Called before a fetch and by the
/// redirect policy on every hop; names are left to [`PublicResolver`].
pub(crate) fn check_url(url: &Url) -> Result<(), Refused> {
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        // The url crate turns every IPv4 spelling into Host::Ipv4; should a domain still read as
        // an address to the connector, it is judged as one.
        Some(Host::Domain(d)) => match d.trim_end_matches('.').parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => return Ok(()),
        },
        None => return Err(Refused(format!("{url} has no host"))),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(Refused(format!("{} is a private, loopback or otherwise non-public address", url.host_str().unwrap_or(""))))
    }
}

/// The fetcher's DNS resolver: the system's (through tokio's `lookup_host`, run off the async
/// threads), with every non-public address dropped.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = public_addrs(&host).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// `host`'s public addresses (port 0: reqwest puts the URL's port in), or why there are none.
async fn public_addrs(host: &str) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let all: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    if all.is_empty() {
        return Err(format!("{host} has no addresses").into());
    }
    let public: Vec<SocketAddr> = all.into_iter().filter(|a| is_public(a.ip())).collect();
    if public.is_empty() {
        return Err(Box::new(Refused(format!("{host} resolves only to private or loopback addresses"))));
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for s in [
            "127.0.0.1",
            "127.255.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "192.0.2.1",
            "198.18.0.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "2002:7f00:1::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001:db8::1",
            "2001::1",
            "100::1",
        ] {
            assert!(!is_public(ip(s)), "{s} must be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "223.5.5.5",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "2400:3200::1",
            "2001:4860:4860::8888",
            "::ffff:1.1.1.1",
            "64:ff9b::101:101",
        ] {
            assert!(is_public(ip(s)), "{s} must be allowed");
        }
    }

    #[test]
    fn every_spelling_of_loopback_in_a_url_is_refused() {
        let loopback = Ipv4Addr::new(127, 0, 0, 1);
        // The url crate normalises these to one IPv4 address: the guard sees 127.0.0.1.
        for host in ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "017700000001", "0x7f.1", "127.0.0.1."] {
            let url = Url::parse(&format!("http://{host}:8080/feed.xml")).expect("url");
            assert_eq!(url.host(), Some(Host::Ipv4(loopback)), "{host}");
            assert!(check_url(&url).is_err(), "{host}");
        }
        for raw in [
            "http://0.0.0.0/",
            "http://0/",
            "http://10.0.0.1/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "https://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
        ] {
            let url = Url::parse(raw).expect("url");
            let err = check_url(&url).expect_err(raw);
            assert!(err.0.contains("non-public address"), "{raw}: {err}");
        }
        for raw in ["http://1.1.1.1/feed", "https://[2606:4700::1111]/feed", "https://news.example/rss.xml"] {
            assert_eq!(check_url(&Url::parse(raw).expect("url")), Ok(()), "{raw}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let err = public_addrs("localhost").await.expect_err("localhost is loopback");
        let refused = refusal_in(err.as_ref()).expect("a refusal");
        assert_eq!(refused.0, "localhost resolves only to private or loopback addresses");
    }
}
