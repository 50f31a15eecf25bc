//! latchkey-browser-host: the native-messaging host a browser starts for Latchkey's extension.
//!
//! It reads requests on stdin, asks latchkeyd's `Browser` interface on the session bus (which
//! determines the browser as this process's parent, asks the user, and logs every fill), and
//! writes the replies on stdout. Requests are answered as they finish, so one waiting for the
//! user's consent does not hold up another. It keeps nothing on disk and holds a code only in
//! buffers wiped when dropped. Diagnostics go to stderr (the browser's log), never a code.

use latchkey_browser_host::framing::{FrameError, MAX_REPLY, read_frame, write_frame};
use latchkey_browser_host::manifest;
use latchkey_browser_host::protocol::{self, Account, Answer, Code, HostError, Request};
use latchkey_dbus::BrowserProxy;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::{OnceCell, Semaphore};
use zeroize::Zeroizing;

/// Requests answered at once; more are refused until one finishes.
const MAX_OPEN: usize = 16;

/// A reply's bytes on their way to stdout.
type Reply = Zeroizing<Vec<u8>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let extension = manifest::extension_from_args(&args);
    if let Err(e) = &extension {
        eprintln!("latchkey-browser-host: {e}");
    }
    let (replies, outgoing) = mpsc::channel::<Reply>();
    let writer = std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for reply in outgoing {
            if let Err(e) = write_frame(&mut out, &reply) {
                // The browser closed the pipe: nobody is left to answer.
                eprintln!("latchkey-browser-host: {e}");
                break;
            }
        }
    });
    let (requests, incoming) = tokio::sync::mpsc::unbounded_channel::<(u64, Request)>();
    let refusals = replies.clone();
    let reader = std::thread::spawn(move || read_requests(requests, refusals));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("latchkey-browser-host: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(incoming, replies, extension));
    // The browser closed stdin: requests still waiting are dropped with the runtime, and the
    // daemon withdraws their consent questions when this connection leaves the bus.
    drop(runtime);
    let _ = reader.join();
    let _ = writer.join();
    ExitCode::SUCCESS
}

/// Reads frames until the browser closes stdin; what is no request is refused at once.
fn read_requests(
    requests: tokio::sync::mpsc::UnboundedSender<(u64, Request)>,
    replies: mpsc::Sender<Reply>,
) {
    let mut input = std::io::stdin().lock();
    loop {
        let refused = match read_frame(&mut input) {
            Ok(None) => return,
            Ok(Some(message)) => match protocol::parse(&message) {
                Ok(request) => {
                    if requests.send(request).is_err() {
                        return;
                    }
                    continue;
                }
                Err((id, e)) => protocol::refusal(id, &e),
            },
            Err(e @ FrameError::TooLarge { .. }) => {
                protocol::refusal(None, &HostError::MessageTooLarge(e.to_string()))
            }
            Err(e) => {
                // Cut off or unreadable: the stream is out of step; stop reading.
                eprintln!("latchkey-browser-host: {e}");
                return;
            }
        };
        if replies.send(Zeroizing::new(refused)).is_err() {
            return;
        }
    }
}

/// Answers each request on a task of its own, at most [`MAX_OPEN`] at once.
async fn serve(
    mut incoming: tokio::sync::mpsc::UnboundedReceiver<(u64, Request)>,
    replies: mpsc::Sender<Reply>,
    extension: Result<String, HostError>,
) {
    let daemon = Arc::new(Daemon::default());
    let open = Arc::new(Semaphore::new(MAX_OPEN));
    while let Some((id, request)) = incoming.recv().await {
        let extension = match &extension {
            Ok(e) => e.clone(),
            Err(e) => {
                let _ = replies.send(Zeroizing::new(protocol::refusal(Some(id), e)));
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            let busy = HostError::TooManyRequests(MAX_OPEN);
            let _ = replies.send(Zeroizing::new(protocol::refusal(Some(id), &busy)));
            continue;
        };
        let (daemon, replies) = (daemon.clone(), replies.clone());
        tokio::spawn(async move {
            let reply = daemon.answer(id, request, &extension).await;
            let _ = replies.send(reply);
            drop(permit);
        });
    }
}

/// latchkeyd, reached once the first request needs it.
#[derive(Default)]
struct Daemon {
    conn: OnceCell<zbus::Connection>,
}

impl Daemon {
    async fn proxy(&self) -> Result<BrowserProxy<'static>, HostError> {
        let unreachable = |e: zbus::Error| HostError::DaemonUnreachable(e.to_string());
        let conn = self
            .conn
            .get_or_try_init(zbus::Connection::session)
            .await
            .map_err(unreachable)?;
        BrowserProxy::builder(conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .map_err(unreachable)
    }

    /// The reply to one request: the daemon's answer, or its refusal under its own name.
    async fn answer(&self, id: u64, request: Request, extension: &str) -> Reply {
        if request == Request::Hello {
            return protocol::success(
                id,
                &Answer::Hello {
                    host: "latchkey-browser-host",
                    version: env!("CARGO_PKG_VERSION"),
                    protocol: protocol::PROTOCOL,
                },
            );
        }
        let browser = match self.proxy().await {
            Ok(p) => p,
            Err(e) => return Zeroizing::new(protocol::refusal(Some(id), &e)),
        };
        let result = match request {
            Request::Hello => unreachable!("answered above"),
            Request::Accounts { origin } => {
                browser
                    .accounts(&origin, extension)
                    .await
                    .map(|found| Answer::Accounts {
                        accounts: found
                            .into_iter()
                            .map(|a| Account {
                                id: a.id,
                                issuer: a.issuer,
                                account: a.account,
                                kind: a.kind,
                                site: a.site,
                                guessed: a.guessed,
                            })
                            .collect(),
                    })
            }
            Request::Code { origin, account } => browser
                .get_code(&origin, extension, &account)
                .await
                .map(|(code, valid_from, valid_until)| Answer::Code {
                    code: Code(code),
                    valid_from,
                    valid_until,
                }),
        };
        match result {
            Ok(answer) => {
                let bytes = protocol::success(id, &answer);
                if bytes.len() > MAX_REPLY {
                    let e = FrameError::ReplyTooLarge { len: bytes.len() };
                    let e = HostError::ReplyTooLarge(e.to_string());
                    return Zeroizing::new(protocol::refusal(Some(id), &e));
                }
                bytes
            }
            Err(e) => Zeroizing::new(refused_by_daemon(id, e)),
        }
    }
}

/// A daemon error under its contract name (`Locked`, `AccessDenied`, …); a bus failure is
/// `DaemonUnreachable`.
fn refused_by_daemon(id: u64, e: zbus::Error) -> Vec<u8> {
    let e = latchkey_dbus::Error::from(e);
    if let latchkey_dbus::Error::ZBus(inner) = &e {
        return protocol::refusal(Some(id), &HostError::DaemonUnreachable(inner.to_string()));
    }
    let name = zbus::DBusError::name(&e);
    let short = name
        .as_str()
        .rsplit('.')
        .next()
        .unwrap_or("Failed")
        .to_string();
    protocol::failure(Some(id), &short, &e.message())
}
