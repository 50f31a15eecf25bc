//! A real privacyIDEA 3.14 for tests: installed in a virtualenv (`scripts/pi-venv.sh`), set up
//! with SQLite in a temporary directory by `server.py`, run on 127.0.0.1 on a free port, and
//! stopped by its PID when dropped. Its admin API is driven over HTTP.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The virtualenv holding privacyIDEA: `LATCHKEY_PI_VENV`, else `target/pi-venv`.
pub fn venv() -> PathBuf {
    if let Some(v) = std::env::var_os("LATCHKEY_PI_VENV") {
        return PathBuf::from(v);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pi-venv")
}

/// A running privacyIDEA server.
pub struct Pi {
    child: Child,
    _dir: tempfile::TempDir,
    pub base: String,
    jwt: String,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Drop for Pi {
    fn drop(&mut self) {
        // Stopped by the PID we started (server.py execs the server in place).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Pi {
    /// Sets up and starts the server; panics (failing the test) if privacyIDEA is not installed.
    pub fn start() -> Self {
        let venv = venv();
        let python = venv.join("bin/python");
        assert!(
            python.exists(),
            "privacyIDEA is not installed in {}: run scripts/pi-venv.sh (scripts/test.sh does)",
            venv.display()
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/privacyidea/server.py");
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
        let child = Command::new(&python)
            .arg(&script)
            .arg(&venv)
            .arg(dir.path())
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start privacyIDEA");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut pi = Self {
            child,
            _dir: dir,
            base: format!("http://127.0.0.1:{port}"),
            jwt: String::new(),
            rt,
            http: reqwest::Client::new(),
        };
        pi.wait_ready();
        let auth = pi.call(
            "POST",
            "/auth",
            &[("username", "admin"), ("password", "test")],
        );
        pi.jwt = auth["result"]["value"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("admin login: {auth}"))
            .to_string();
        pi
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self._dir.path().join("server.log"));
                panic!("privacyIDEA exited ({status}): {log:?}");
            }
            let url = format!("{}/", self.base);
            let up = self
                .rt
                .block_on(async { self.http.get(&url).send().await.is_ok() });
            if up {
                return;
            }
            assert!(Instant::now() < deadline, "privacyIDEA did not start");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Calls the API (form parameters; GET sends them as the query) and returns the JSON answer.
    pub fn call(&self, method: &str, path: &str, params: &[(&str, &str)]) -> serde_json::Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(&url).query(params),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).form(params),
        };
        let request = if self.jwt.is_empty() {
            request
        } else {
            request.header("Authorization", &self.jwt)
        };
        let body = self.rt.block_on(async {
            let response = request.send().await.expect("request");
            response.bytes().await.expect("body")
        });
        serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("{path}: not JSON ({e}): {}", String::from_utf8_lossy(&body))
        })
    }

    /// Like [`Pi::call`], and asserts `result.status`.
    pub fn ok(&self, method: &str, path: &str, params: &[(&str, &str)]) -> serde_json::Value {
        let v = self.call(method, path, params);
        assert_eq!(v["result"]["status"], true, "{method} {path}: {v}");
        v
    }

    /// A realm `realm1` with the user `alice` (from a passwd-style file the server set up).
    pub fn add_user(&self) {
        let users = self._dir.path().join("users");
        let users = users.to_str().expect("utf-8 path");
        self.ok(
            "POST",
            "/resolver/reso1",
            &[("type", "passwdresolver"), ("fileName", users)],
        );
        self.ok("POST", "/realm/realm1", &[("resolvers", "reso1")]);
    }

    /// Sets a policy: `action` is privacyIDEA's comma-separated action list.
    pub fn policy(&self, name: &str, scope: &str, action: &str) {
        self.ok(
            "POST",
            &format!("/policy/{name}"),
            &[("scope", scope), ("action", action)],
        );
    }

    /// Enrolls (first step) a push token for alice with PIN 1234; returns its otpauth URI.
    pub fn init_push_token(&self) -> (String, String) {
        let v = self.ok(
            "POST",
            "/token/init",
            &[
                ("type", "push"),
                ("genkey", "1"),
                ("user", "alice"),
                ("realm", "realm1"),
                ("pin", "1234"),
            ],
        );
        let uri = v["detail"]["pushurl"]["value"]
            .as_str()
            .expect("pushurl")
            .to_string();
        let serial = v["detail"]["serial"].as_str().expect("serial").to_string();
        (uri, serial)
    }

    /// Starts a sign-in for alice (`/validate/check` with the PIN); returns the whole answer.
    pub fn trigger(&self) -> serde_json::Value {
        self.call(
            "POST",
            "/validate/check",
            &[("user", "alice"), ("realm", "realm1"), ("pass", "1234")],
        )
    }

    /// `/validate/polltransaction`: whether the sign-in was approved, and `challenge_status`
    /// (`accept`, `declined`, `cancelled` or `pending`).
    pub fn poll_transaction(&self, tx: &str) -> (bool, String) {
        let v = self.ok(
            "GET",
            "/validate/polltransaction",
            &[("transaction_id", tx)],
        );
        let status = v["detail"]["challenge_status"].as_str().unwrap_or_default();
        (v["result"]["value"] == true, status.to_string())
    }

    /// How many polls (`GET /ttype/push`) for `serial` the server's audit log has recorded.
    pub fn polls(&self, serial: &str) -> u64 {
        let v = self.ok(
            "GET",
            "/audit/",
            &[
                ("action", "GET /ttype/*"),
                ("serial", serial),
                ("page_size", "1"),
            ],
        );
        v["result"]["value"]["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("audit count: {v}"))
    }

    /// The final check after the push answer: empty pass with the transaction id.
    pub fn finish(&self, tx: &str) -> serde_json::Value {
        self.call(
            "POST",
            "/validate/check",
            &[
                ("user", "alice"),
                ("realm", "realm1"),
                ("pass", ""),
                ("transaction_id", tx),
            ],
        )
    }
}
