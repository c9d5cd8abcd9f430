//! Which URLs the server may call. Webhooks make the server send requests on an admin's
//! behalf; without these checks they would reach its own network (databases, cloud metadata
//! at 169.254.169.254, admin ports on localhost). So, unless `webhook_allow_private` is set:
//! HTTPS only; no host that is, or resolves to, a private, loopback, link-local or otherwise
//! non-public address, checked when the endpoint is saved and again at every connection (the
//! client's resolver drops such addresses, so DNS rebinding doesn't help); redirects are
//! never followed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL is refused (shown to the admin as the `url` field's problem).
pub type Refusal = String;

/// Checks the URL itself: its form, scheme, and a literal IP host. Names are checked by
/// `check_resolved` (on save) and by `PublicResolver` (on every connection).
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, Refusal> {
    if raw.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    let url = Url::parse(raw.trim()).map_err(|_| "is not a URL".to_string())?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("must start with https://".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials".into());
    }
    let Some(host) = url.host() else {
        return Err("has no host".into());
    };
    if !allow_private {
        let ip = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        if ip.is_some_and(|ip| !is_public(ip)) {
            return Err("points to a private, loopback or link-local address".into());
        }
    }
    Ok(url)
}

/// Resolves the URL's host now and refuses it when any address is not public.
pub async fn check_resolved(url: &Url, allow_private: bool) -> Result<(), Refusal> {
    if allow_private {
        return Ok(());
    }
    let Some(url::Host::Domain(name)) = url.host() else {
        return Ok(()); // a literal address, checked by `check_url`
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tokio::net::lookup_host((name, port)),
    )
    .await;
    let addrs: Vec<SocketAddr> = match lookup {
        Ok(Ok(addrs)) => addrs.collect(),
        _ => return Err("does not resolve".into()),
    };
    if addrs.is_empty() {
        return Err("does not resolve".into());
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err("resolves to a private, loopback or link-local address".into());
    }
    Ok(())
}

/// The delivery client's resolver when private targets are refused: it returns only public
/// addresses, and fails when there are none.
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the host resolves to no public address".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible ::a.b.c.d
                || (first == 0x64 && v6.segments()[1] == 0xff9b) // NAT64 64:ff9b::/96
                || (first == 0x2001 && v6.segments()[1] == 0xdb8)) // documentation
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network"
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224) // multicast, reserved, broadcast
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} should be refused");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(check_url("http://example.com/hook", false).is_err());
        assert!(check_url("ftp://example.com/hook", false).is_err());
        assert!(check_url("https://127.0.0.1/hook", false).is_err());
        assert!(check_url("https://[::1]/hook", false).is_err());
        assert!(check_url("https://0x7f000001/hook", false).is_err());
        assert!(check_url("https://user:pw@example.com/", false).is_err());
        assert!(check_url("not a url", false).is_err());
        assert!(check_url("http://127.0.0.1:9/hook", true).is_ok());
    }
}
