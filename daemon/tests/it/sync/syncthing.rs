//! Real Syncthing instances from Debian's package, on 127.0.0.1 only: discovery, relays, NAT
//! and usage reports off, each introduced to the other through its REST API, one shared
//! folder. Every process is stopped by its PID.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free port on 127.0.0.1 (bound and released; Syncthing binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One Syncthing instance and the folder it shares.
pub struct Syncthing {
    pub home: PathBuf,
    pub folder: PathBuf,
    pub id: String,
    gui: u16,
    pub listen: u16,
    key: String,
    child: Option<Child>,
}

impl Syncthing {
    /// Generates a home in `root` with a configuration bound to loopback ports.
    pub fn generate(root: &Path, name: &str) -> Self {
        let home = root.join(format!("syncthing-{name}"));
        let folder = root.join(format!("shared-{name}"));
        std::fs::create_dir_all(&folder).expect("folder");
        let out = Command::new("syncthing")
            .args(["generate", "--no-default-folder", "--skip-port-probing"])
            .arg(format!("--home={}", home.display()))
            .output()
            .expect("syncthing generate runs (apt install syncthing)");
        assert!(out.status.success(), "syncthing generate failed");
        let text = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        let id = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Device ID: "))
            .expect("the device id")
            .trim()
            .to_string();
        let (gui, listen) = (free_port(), free_port());
        let path = home.join("config.xml");
        let mut config = std::fs::read_to_string(&path).expect("config.xml");
        for (from, to) in [
            (
                "<address>127.0.0.1:8384</address>".to_string(),
                format!("<address>127.0.0.1:{gui}</address>"),
            ),
            (
                "<listenAddress>default</listenAddress>".into(),
                format!("<listenAddress>tcp://127.0.0.1:{listen}</listenAddress>"),
            ),
            (
                "<globalAnnounceEnabled>true".into(),
                "<globalAnnounceEnabled>false".into(),
            ),
            (
                "<localAnnounceEnabled>true".into(),
                "<localAnnounceEnabled>false".into(),
            ),
            ("<relaysEnabled>true".into(), "<relaysEnabled>false".into()),
            ("<natEnabled>true".into(), "<natEnabled>false".into()),
            ("<urAccepted>0".into(), "<urAccepted>-1".into()),
            ("<startBrowser>true".into(), "<startBrowser>false".into()),
            (
                "<crashReportingEnabled>true".into(),
                "<crashReportingEnabled>false".into(),
            ),
        ] {
            config = config.replace(&from, &to);
        }
        std::fs::write(&path, &config).expect("config.xml written");
        let key = config
            .split("<apikey>")
            .nth(1)
            .and_then(|r| r.split("</apikey>").next())
            .expect("the API key")
            .to_string();
        Self {
            home,
            folder,
            id,
            gui,
            listen,
            key,
            child: None,
        }
    }

    /// Starts `syncthing serve` and waits for its REST API.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("syncthing")
            .arg("serve")
            .arg(format!("--home={}", self.home.display()))
            .args(["--no-browser", "--no-restart"])
            .arg(format!("--logfile={}", self.home.join("log").display()))
            .env("STNOUPGRADE", "1")
            .env("STNODEFAULTFOLDER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("syncthing serve runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.request("GET", "/rest/system/ping", "").is_err() {
            assert!(
                Instant::now() < deadline,
                "syncthing's REST API did not come up"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the instance by its PID (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signalling a child we spawned and have not reaped.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Introduces `peer` and shares one folder (id `latchkey-test`) with it.
    pub fn share_with(&self, peer: &Syncthing) {
        let device = format!(
            r#"{{"deviceID":"{}","name":"peer","addresses":["tcp://127.0.0.1:{}"],"autoAcceptFolders":false}}"#,
            peer.id, peer.listen
        );
        self.request("POST", "/rest/config/devices", &device)
            .expect("add the peer");
        let folder = format!(
            r#"{{"id":"latchkey-test","label":"latchkey-test","path":"{}","type":"sendreceive","devices":[{{"deviceID":"{}"}},{{"deviceID":"{}"}}],"fsWatcherEnabled":true,"fsWatcherDelayS":1,"rescanIntervalS":3600}}"#,
            self.folder.display(),
            self.id,
            peer.id
        );
        self.request("POST", "/rest/config/folders", &folder)
            .expect("share the folder");
    }

    /// One REST call; the body of a 2xx answer.
    fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.gui))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.key,
            body.len()
        )?;
        let mut answer = String::new();
        s.read_to_string(&mut answer)?;
        let status = answer.split_whitespace().nth(1).unwrap_or("");
        if !status.starts_with('2') {
            return Err(std::io::Error::other(format!("{method} {path}: {status}")));
        }
        Ok(answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
    }
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        self.stop();
    }
}
