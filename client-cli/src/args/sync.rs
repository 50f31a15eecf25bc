//! Arguments of `latchkey sync`: sync between machines through a folder the user already syncs.

use super::JsonOpt;
use clap::Subcommand;
use std::path::PathBuf;

/// `latchkey sync …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum SyncCommand {
    /// Turn sync on as the first machine: FOLDER is a folder your sync engine (Syncthing,
    /// Nextcloud…) shares between your machines; Latchkey writes in its Latchkey subfolder.
    Enable {
        folder: PathBuf,
        /// How other machines list this one (default: the host name).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Print a one-time code for your next machine (valid 24 hours; it gives every account:
    /// type it only on your own machine).
    Invite(JsonOpt),
    /// Join the machines of an invite code, through the same shared FOLDER (a machine not
    /// admitted yet may join again with a new code).
    Join {
        folder: PathBuf,
        code: String,
        /// How other machines list this one (default: the host name).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Show whether sync is on, its folder, the last merge and any error.
    Status(JsonOpt),
    /// List the machines: names, ids, when each was last seen.
    Devices(JsonOpt),
    /// Forget a lost machine (by name, id or id prefix): nothing is sealed for it again and its
    /// later files are refused.
    Forget { device: String },
    /// Turn sync off on this machine (its accounts stay).
    Disable,
    /// Mirror the encrypted Aegis backups your phone writes into FOLDER (Syncthing-Android,
    /// Nextcloud): entries added, changed and removed in Aegis follow here; asks for the Aegis
    /// password, which is kept in the vault. Latchkey never writes into FOLDER.
    FollowAegis {
        /// The folder Aegis's automatic backups arrive in (not needed with --stop).
        #[arg(required_unless_present = "stop")]
        folder: Option<PathBuf>,
        /// Read the Aegis password as one line from standard input instead of the terminal.
        #[arg(long)]
        passphrase_stdin: bool,
        /// Stop following (the mirrored accounts stay).
        #[arg(long, conflicts_with_all = ["folder", "passphrase_stdin"])]
        stop: bool,
    },
}
