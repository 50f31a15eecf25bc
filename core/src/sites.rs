//! Where an account's codes are typed: the sites an account belongs to, how a page's origin is
//! read as a site, and how accounts are matched to a page.
//!
//! A browser fills a code only into a page whose site the account belongs to, so a look-alike
//! domain gets nothing however convincing it looks. An account's `sites` are host names (or
//! addresses) the user typed or an import knew; a page matches one when its host is that host or
//! under it (`gist.github.com` is under `github.com`). An account with no sites is matched by a
//! guess from its issuer (see [`guess`]) that the user confirms once, after which the page's site
//! is saved as the account's. Hosts are compared in lowercase ASCII (international names as
//! punycode, as browsers send them); the registrable part of a name ("site", as browsers mean
//! it: `bbc.co.uk`, `alice.github.io`) comes from the Public Suffix List (the `psl` crate).

use std::net::IpAddr;

/// Longest site, in bytes (the longest DNS name).
pub const MAX_SITE: usize = 253;
/// Most sites one account may have.
pub const MAX_SITES: usize = 32;

/// Why a text is not a site or an origin codes may be filled into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("the site is empty")]
    Empty,
    #[error("the site is longer than {MAX_SITE} characters")]
    TooLong,
    #[error(
        "“{0}” is not a site: give a host name such as github.com, or a web address such as \
         https://github.com/login"
    )]
    Invalid(String),
    #[error(
        "codes are not filled into pages served over {0}: only https, and http from this \
         machine (localhost, 127.0.0.0/8, ::1)"
    )]
    Insecure(String),
    #[error("an account has at most {MAX_SITES} sites")]
    TooMany,
}

/// Reads a site as a person or an import writes it — a host name (`GitHub.com`), an address
/// (`127.0.0.1`, `[::1]`) or a web address (`https://github.com/login`) — as the host alone, in
/// lowercase ASCII, without port, path or trailing dot.
pub fn normalize(text: &str) -> Result<String, SiteError> {
    let text = bounded(text)?;
    let url = if text.contains("://") {
        url::Url::parse(text)
    } else {
        url::Url::parse(&format!("https://{text}"))
    }
    .map_err(|_| invalid(text))?;
    let host = host_of(&url).ok_or_else(|| invalid(text))?;
    if host.len() > MAX_SITE {
        return Err(SiteError::TooLong);
    }
    Ok(host)
}

/// Reads a list of sites ([`normalize`] each), dropping repeats; at most [`MAX_SITES`].
pub fn normalize_all<'a>(
    sites: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, SiteError> {
    let mut out: Vec<String> = Vec::new();
    for site in sites {
        let site = normalize(site)?;
        if !out.contains(&site) {
            out.push(site);
        }
    }
    if out.len() > MAX_SITES {
        return Err(SiteError::TooMany);
    }
    Ok(out)
}

/// The sites an import knows from web addresses (a password manager's login URLs): the
/// registrable site of each `http`/`https` address, without repeats. Anything else (app links such
/// as `androidapp://…`, unreadable text) is passed over: it names no page to fill.
pub fn from_urls<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in urls {
        let text = text.trim();
        let url = match url::Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            // KeePass and Bitwarden users often save a bare host name.
            Err(url::ParseError::RelativeUrlWithoutBase) if !text.contains(':') => {
                match url::Url::parse(&format!("https://{text}")) {
                    Ok(u) => u,
                    Err(_) => continue,
                }
            }
            _ => continue,
        };
        let Some(host) = host_of(&url) else { continue };
        let site = registrable(&host);
        if out.len() < MAX_SITES && !out.contains(&site) {
            out.push(site);
        }
    }
    out
}

/// A page a browser asks about, read from its origin (`https://github.com`): the host, and the
/// site as browsers mean it (the registrable domain: `github.com` for `gist.github.com`; an
/// address or `localhost` is its own site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub host: String,
    pub site: String,
}

impl Page {
    /// Reads an origin. Only `https` pages, and `http` pages served from this machine, may have
    /// codes filled: a code sent over plain HTTP elsewhere could be read on the way.
    pub fn from_origin(origin: &str) -> Result<Self, SiteError> {
        let origin = bounded(origin)?;
        let url = url::Url::parse(origin).map_err(|_| invalid(origin))?;
        let host = host_of(&url).ok_or_else(|| invalid(origin))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            other => return Err(SiteError::Insecure(other.to_string())),
        }
        let site = registrable(&host);
        Ok(Self { host, site })
    }

    /// Whether the page is `site` or under it.
    pub fn is_at(&self, site: &str) -> bool {
        self.host == site
            || (self
                .host
                .strip_suffix(site)
                .is_some_and(|rest| rest.ends_with('.'))
                && !is_address(site))
    }
}

/// How an account belongs to a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The page is at one of the account's sites (this one).
    Site(String),
    /// The account has no sites and its issuer names the page's site (see [`guess`]): the user
    /// must confirm it once.
    Guess,
}

/// Whether an account with these `sites` and this `issuer` belongs to `page`.
pub fn matches(sites: &[String], issuer: &str, page: &Page) -> Option<Match> {
    if sites.is_empty() {
        return guess(issuer, page).then_some(Match::Guess);
    }
    sites
        .iter()
        .find(|s| page.is_at(s))
        .map(|s| Match::Site(s.clone()))
}

/// The issuer-to-domain guess, for accounts with no sites: the issuer, in lowercase with
/// everything but letters and digits removed, equals the page's registrable domain with its
/// public suffix removed (`GitHub` ↔ `github.com`, `gist.github.com`; `BBC` ↔ `bbc.co.uk`), or
/// the whole registrable domain so written (`github.com` ↔ `GitHub.com`). Never for addresses
/// or `localhost`, and never on a name that is itself a public suffix's subdomain someone else
/// registered (`GitHub` does not match `alice.github.io`, whose site is `alice.github.io`).
pub fn guess(issuer: &str, page: &Page) -> bool {
    let issuer = squash(issuer);
    if issuer.is_empty() || is_address(&page.host) || !page.site.contains('.') {
        return false;
    }
    let Some(suffix) = psl::suffix_str(&page.site) else {
        return false;
    };
    let Some(name) = page
        .site
        .strip_suffix(suffix)
        .and_then(|n| n.strip_suffix('.'))
    else {
        return false;
    };
    // A bare public suffix (no registrable label) matches nothing.
    !name.is_empty() && (squash(name) == issuer || squash(&page.site) == issuer)
}

/// The text without surrounding space, if it is neither empty nor far longer than a site (a
/// scheme, a port and a path may surround the host).
fn bounded(text: &str) -> Result<&str, SiteError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SiteError::Empty);
    }
    if text.len() > MAX_SITE + 64 {
        return Err(SiteError::TooLong);
    }
    Ok(text)
}

/// Lowercase letters and digits only.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The registrable domain of a host (its own site for addresses, `localhost` and names the
/// list does not know).
fn registrable(host: &str) -> String {
    if is_address(host) {
        return host.to_string();
    }
    psl::domain_str(host).unwrap_or(host).to_string()
}

/// A URL's host in lowercase ASCII without a trailing dot; IPv6 addresses in brackets.
fn host_of(url: &url::Url) -> Option<String> {
    let host = match url.host()? {
        url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        url::Host::Ipv4(a) => a.to_string(),
        url::Host::Ipv6(a) => format!("[{a}]"),
    };
    // Empty labels (`a..b`), wildcards and the like are no host a page can have.
    let valid = !host.is_empty()
        && (is_address(&host)
            || host.split('.').all(|l| {
                !l.is_empty()
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }));
    valid.then_some(host)
}

fn is_address(host: &str) -> bool {
    host.starts_with('[') || host.parse::<IpAddr>().is_ok()
}

/// `localhost`, 127.0.0.0/8 and `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|a| a.is_loopback())
}

fn invalid(text: &str) -> SiteError {
    let shown: String = text.chars().take(80).collect();
    SiteError::Invalid(shown.escape_debug().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(origin: &str) -> Page {
        Page::from_origin(origin).expect("origin")
    }

    #[test]
    fn sites_are_read_as_hosts() {
        for (text, want) in [
            ("github.com", "github.com"),
            (" GitHub.COM ", "github.com"),
            ("https://github.com/login?x=1", "github.com"),
            ("github.com:8443/path", "github.com"),
            ("github.com.", "github.com"),
            ("bücher.de", "xn--bcher-kva.de"),
            ("127.0.0.1", "127.0.0.1"),
            ("[::1]", "[::1]"),
        ] {
            assert_eq!(normalize(text).as_deref(), Ok(want), "{text}");
        }
        for text in [
            "",
            "  ",
            "a..b",
            "*.github.com",
            "has space.com",
            "https://",
            "http://[zz]",
        ] {
            assert!(normalize(text).is_err(), "{text:?} read as a site");
        }
        assert_eq!(normalize(&"a".repeat(400)), Err(SiteError::TooLong));
        let many: Vec<String> = (0..=MAX_SITES).map(|i| format!("s{i}.example")).collect();
        assert_eq!(
            normalize_all(many.iter().map(String::as_str)),
            Err(SiteError::TooMany)
        );
        assert_eq!(
            normalize_all(["github.com", "GITHUB.com", "gitlab.com"]),
            Ok(vec!["github.com".to_string(), "gitlab.com".to_string()])
        );
    }

    #[test]
    fn origins_must_be_https_or_served_from_this_machine() {
        assert_eq!(
            page("https://gist.github.com"),
            Page {
                host: "gist.github.com".into(),
                site: "github.com".into()
            }
        );
        assert_eq!(page("http://127.0.0.1:8080").site, "127.0.0.1");
        assert_eq!(page("http://localhost:1").site, "localhost");
        assert_eq!(page("http://[::1]:1").host, "[::1]");
        assert_eq!(page("https://alice.github.io").site, "alice.github.io");
        assert_eq!(page("https://www.bbc.co.uk").site, "bbc.co.uk");
        for origin in [
            "http://github.com",
            "ftp://github.com",
            "file:///etc/passwd",
            "data:text/html,x",
        ] {
            assert!(
                matches!(
                    Page::from_origin(origin),
                    Err(SiteError::Insecure(_) | SiteError::Invalid(_))
                ),
                "{origin} accepted"
            );
        }
        assert!(Page::from_origin("null").is_err());
        assert_eq!(Page::from_origin(""), Err(SiteError::Empty));
    }

    #[test]
    fn a_page_matches_its_accounts_sites_and_hosts_under_them() {
        let sites = vec!["github.com".to_string()];
        for origin in ["https://github.com", "https://gist.github.com"] {
            assert_eq!(
                matches(&sites, "", &page(origin)),
                Some(Match::Site("github.com".into())),
                "{origin}"
            );
        }
        for origin in [
            "https://github.com.evil.example",
            "https://evilgithub.com",
            "https://github.co",
            "https://alice.github.io",
        ] {
            assert_eq!(matches(&sites, "GitHub", &page(origin)), None, "{origin}");
        }
        // An address matches itself only.
        let local = vec!["127.0.0.1".to_string()];
        assert!(matches(&local, "", &page("http://127.0.0.1:9")).is_some());
        assert!(matches(&local, "", &page("http://localhost:9")).is_none());
    }

    #[test]
    fn the_issuer_guess_needs_the_registrable_name() {
        let none: Vec<String> = vec![];
        for (issuer, origin) in [
            ("GitHub", "https://github.com"),
            ("GitHub", "https://gist.github.com"),
            ("github.com", "https://github.com"),
            ("BBC", "https://www.bbc.co.uk"),
            ("Some-Shop", "https://some-shop.example"),
        ] {
            assert_eq!(
                matches(&none, issuer, &page(origin)),
                Some(Match::Guess),
                "{issuer} on {origin}"
            );
        }
        for (issuer, origin) in [
            ("GitHub", "https://alice.github.io"),
            ("GitHub", "https://github.com.evil.example"),
            ("GitHub", "https://githubb.com"),
            ("Google", "https://google.evil.example"),
            ("", "https://github.com"),
            ("127", "http://127.0.0.1"),
            ("localhost", "http://localhost"),
            ("com", "https://com"),
        ] {
            assert_eq!(
                matches(&none, issuer, &page(origin)),
                None,
                "{issuer} on {origin}"
            );
        }
        // An account with sites is matched by them alone, never by its issuer.
        let sites = vec!["gitlab.com".to_string()];
        assert_eq!(matches(&sites, "GitHub", &page("https://github.com")), None);
    }

    #[test]
    fn imports_keep_the_registrable_site_of_web_addresses() {
        assert_eq!(
            from_urls([
                "https://www.github.com/login",
                "https://github.com",
                "androidapp://com.github.android",
                "accounts.google.com",
                "not a url at all",
                "",
            ]),
            vec!["github.com".to_string(), "google.com".to_string()]
        );
    }
}
