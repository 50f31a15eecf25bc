//! Who is calling, as the daemon determined it from the bus and `/proc` (not as it claims).

use serde::Serialize;

/// Who is asking, as the daemon determined it from the bus (not as the requester claims).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// Unique bus name (`:1.42`).
    pub bus_name: String,
    pub uid: u32,
    pub pid: u32,
    /// Executable path from /proc, when readable.
    pub exe: String,
    /// The script the executable runs, when it is a known interpreter (a label read from the
    /// process's command line, like `exe`); empty otherwise.
    pub script: String,
    /// Flatpak application id, when the caller is sandboxed (the only proof of identity).
    pub flatpak_app: String,
    /// For a request from a remote server (a push token): who it is, as its signature proves.
    pub remote: String,
    /// The executable file's (device, inode) when the connection appeared, when readable.
    #[serde(skip)]
    pub exe_file: Option<(u64, u64)>,
    /// Whether the caller shares the daemon's mount namespace (so its paths mean ours).
    #[serde(skip)]
    pub own_mount_ns: bool,
}

impl Caller {
    /// Whether anything identifies the caller: a remote signer, a verified Flatpak app id or an
    /// executable. A process that hides itself from `/proc` (non-dumpable) is unidentified.
    pub fn is_identified(&self) -> bool {
        !self.remote.is_empty() || !self.flatpak_app.is_empty() || !self.exe.is_empty()
    }

    /// A short label to show the user: the Flatpak id, else the script an interpreter runs, else
    /// the executable, else "unidentified".
    pub fn label(&self) -> String {
        if !self.remote.is_empty() {
            self.remote.clone()
        } else if !self.flatpak_app.is_empty() {
            format!("{} (Flatpak)", self.flatpak_app)
        } else if !self.script.is_empty() {
            let interpreter = self.exe.rsplit('/').next().unwrap_or_default();
            format!("{} ({interpreter} script, pid {})", self.script, self.pid)
        } else if !self.exe.is_empty() {
            format!("{} (pid {})", self.exe, self.pid)
        } else {
            format!(
                "unidentified caller {} (pid {}, hides its executable)",
                self.bus_name, self.pid
            )
        }
    }
}
