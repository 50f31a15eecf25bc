//! Arguments of the approval commands: approvals, approve, deny, request-approval, access,
//! activity.

use super::JsonOpt;
use clap::{Args, Subcommand};

// `latchkey approvals [watch]`.
#[derive(Debug, Args)]
pub struct ApprovalsArgs {
    /// `watch`: print each new request and answer it on the terminal.
    #[arg(value_parser = ["watch"])]
    pub watch: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

// A request id (`7`, as `latchkey approvals` shows it, or the object path).
#[derive(Debug, Args)]
pub struct IdArg {
    /// The request id.
    pub id: String,
}

// `latchkey approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request id.
    pub id: String,
    /// The number the requester shows (number matching).
    #[arg(long)]
    pub number: Option<u32>,
    /// For a push sign-in with a presence check: the answer the sign-in page shows.
    #[arg(long, conflicts_with = "number")]
    pub answer: Option<String>,
    /// For an access request: remember the permission.
    #[arg(long)]
    pub always: bool,
}

// `latchkey request-approval`.
#[derive(Debug, Args)]
pub struct RequestApprovalArgs {
    /// What the user is asked to approve.
    #[arg(long)]
    pub title: String,
    /// More detail.
    #[arg(long, default_value = "")]
    pub message: String,
    /// The user must pick the number this command prints.
    #[arg(long)]
    pub number_matching: bool,
    /// Seconds to wait (1–300, default 60).
    #[arg(long)]
    pub timeout: Option<u32>,
    /// The application name to show (as stated by you).
    #[arg(long)]
    pub app_name: Option<String>,
}

/// `latchkey access`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum AccessCommand {
    /// List remembered decisions.
    List(JsonOpt),
    /// Allow an app ahead of time (e.g. a script): `exe:/usr/bin/python3` or `flatpak:org.example.App`.
    Allow {
        /// `flatpak:<app id>` or `exe:<path>`.
        identity: String,
        /// Only this account (default: every account and the list).
        #[arg(long)]
        account: Option<String>,
    },
    /// Forget decisions for an identity (as `access list` shows it).
    Revoke {
        /// `flatpak:<app id>` or `exe:<path>`.
        identity: String,
        /// Only this account's decision.
        #[arg(long)]
        account: Option<String>,
    },
}

// `latchkey activity`.
#[derive(Debug, Args)]
pub struct ActivityArgs {
    /// How many entries.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
