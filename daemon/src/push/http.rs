//! HTTPS to the privacyIDEA server: rustls (aws-lc-rs) with the system's trust store, a timeout
//! on every request, no redirects, and a cap on the answer's size.
//!
//! Plain `http://` is refused unless the host is a loopback address (a server on this machine,
//! e.g. behind a local proxy or in tests). A token whose server asked for `sslverify=0` gets a
//! client that does not check certificates; that is logged as a warning at enrollment.

use std::net::IpAddr;
use std::time::Duration;

/// Largest answer read from the server.
pub const MAX_BODY: usize = 256 * 1024;
/// Longest time one request may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0:?} is not a valid URL")]
    BadUrl(String),
    #[error(
        "refusing plain http to {0}: only https, or http to this machine (127.0.0.1, ::1, localhost)"
    )]
    Insecure(String),
    #[error("request to {host} failed: {message}")]
    Request { host: String, message: String },
    #[error("the answer from {0} is larger than {MAX_BODY} bytes")]
    TooLarge(String),
}

/// Whether `url` may be used, and its host for messages.
pub fn check_url(url: &str) -> Result<reqwest::Url, HttpError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| HttpError::BadUrl(shorten(url)))?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&host) => Ok(parsed),
        "http" => Err(HttpError::Insecure(host)),
        _ => Err(HttpError::BadUrl(shorten(url))),
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(200).collect()
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Two clients: one that checks certificates, one for tokens with `sslverify=0`.
pub struct Http {
    verified: reqwest::Client,
    unverified: reqwest::Client,
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("latchkey/", env!("CARGO_PKG_VERSION")))
}

impl Http {
    /// Builds both clients.
    pub fn new() -> Result<Self, HttpError> {
        let err = |e: reqwest::Error| HttpError::Request {
            host: String::new(),
            message: e.to_string(),
        };
        Ok(Self {
            verified: builder().build().map_err(err)?,
            unverified: builder()
                .tls_danger_accept_invalid_certs(true)
                .build()
                .map_err(err)?,
        })
    }

    fn client(&self, sslverify: bool) -> &reqwest::Client {
        if sslverify {
            &self.verified
        } else {
            &self.unverified
        }
    }

    /// GET `url` with `query`; returns the body (any status: privacyIDEA explains errors in JSON).
    pub async fn get(
        &self,
        url: &str,
        sslverify: bool,
        query: &[(&str, &str)],
    ) -> Result<Vec<u8>, HttpError> {
        let (url, host) = target(url)?;
        read(self.client(sslverify).get(url).query(query), host).await
    }

    /// POSTs `form` to `url`; returns the body.
    pub async fn post(
        &self,
        url: &str,
        sslverify: bool,
        form: &[(&str, &str)],
    ) -> Result<Vec<u8>, HttpError> {
        let (url, host) = target(url)?;
        read(self.client(sslverify).post(url).form(form), host).await
    }
}

fn target(url: &str) -> Result<(reqwest::Url, String), HttpError> {
    let url = check_url(url)?;
    let host = url.host_str().unwrap_or_default().to_string();
    Ok((url, host))
}

async fn read(request: reqwest::RequestBuilder, host: String) -> Result<Vec<u8>, HttpError> {
    let fail = |e: reqwest::Error| HttpError::Request {
        host: host.clone(),
        // Without the URL: it may carry a signature in its query.
        message: e.without_url().to_string(),
    };
    let mut response = request.send().await.map_err(fail)?;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(HttpError::TooLarge(host));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_url("https://pi.example.com/ttype/push").is_ok());
        assert!(check_url("http://127.0.0.1:5000/ttype/push").is_ok());
        assert!(check_url("http://[::1]:5000/ttype/push").is_ok());
        assert!(check_url("http://localhost/ttype/push").is_ok());
        assert!(matches!(
            check_url("http://pi.example.com/ttype/push"),
            Err(HttpError::Insecure(_))
        ));
        assert!(matches!(
            check_url("http://10.0.0.1/ttype/push"),
            Err(HttpError::Insecure(_))
        ));
        assert!(matches!(check_url("ftp://x/y"), Err(HttpError::BadUrl(_))));
        assert!(matches!(check_url("not a url"), Err(HttpError::BadUrl(_))));
    }
}
