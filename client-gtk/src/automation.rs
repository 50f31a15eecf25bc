//! Test-only automation hook: with `LATCHKEY_GTK_AUTOMATION=1` the app reads commands from
//! stdin and answers one JSON line each on stdout.
//!
//! Commands go through the same actions, entries and dialog responses that keyboard and mouse
//! use (`action lock` activates `win.lock` like Ctrl+L does), so tests exercise the real UI
//! code; the hook only replaces the pointer. It is off unless the variable is set, compiled
//! only into debug builds and builds with the `test-hooks` feature, and it offers nothing the
//! user could not do at the keyboard: it never reads a code that is not on screen. Commands: `state`, `action NAME [ID]`, `passphrase TEXT`, `search TEXT`,
//! `select N`, `respond PATH RESPONSE`, `add-link URI` (paste and Add),
//! `add-qr FILE` (as picked in the file chooser), `import-file FILE` (likewise, in the import
//! window), `close-others` (other windows),
//! `bench-scroll FRAMES` then `bench-result`, `quit`.

use crate::window::Window;
use gtk::glib;
use gtk::prelude::*;
use serde_json::{Value, json};
use std::io::{BufRead, Write};

thread_local! {
    /// The last scroll benchmark's summary, read with `bench-result`.
    static BENCH: std::cell::RefCell<Option<Value>> = const { std::cell::RefCell::new(None) };
}

/// Frame interval statistics (ms): mean, median, 95th and 99th percentile, max.
fn summary(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    json!({"frames": ms.len(), "mean": mean, "median": at(0.5), "p95": at(0.95),
           "p99": at(0.99), "max": ms.last(),
           "code_fetches": crate::window::CODE_FETCHES.load(std::sync::atomic::Ordering::Relaxed)})
}

/// The environment variable that turns the hook on.
pub const ENV: &str = "LATCHKEY_GTK_AUTOMATION";

/// Whether the hook runs: only in debug builds (the tests) or with the `test-hooks` feature, so
/// an installed app cannot be scripted by whoever sets its environment and holds its stdin.
pub fn enabled() -> bool {
    std::env::var_os(ENV).is_some_and(|v| v == "1")
}

/// Starts reading commands for `window`.
pub fn start(window: &Window) {
    let (tx, rx) = async_channel::unbounded::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send_blocking(line).is_err() {
                break;
            }
        }
    });
    glib::spawn_future_local(glib::clone!(
        #[weak]
        window,
        async move {
            while let Ok(line) = rx.recv().await {
                let reply = run(&window, line.trim());
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{reply}");
                let _ = out.flush();
            }
        }
    ));
}

fn run(w: &Window, line: &str) -> Value {
    let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
    match cmd {
        "state" => state(w),
        "action" => {
            let (name, arg) = rest.split_once(' ').unwrap_or((rest, ""));
            let param = (!arg.is_empty()).then(|| arg.to_variant());
            match WidgetExt::activate_action(w, &format!("win.{name}"), param.as_ref()) {
                Ok(()) => json!({"ok": true}),
                Err(e) => json!({"ok": false, "error": e.to_string()}),
            }
        }
        "passphrase" => {
            w.unlock_page().set_passphrase(rest);
            json!({"ok": true})
        }
        "search" => {
            w.set_search(rest);
            json!({"ok": true})
        }
        "select" => match rest.parse() {
            Ok(n) => {
                w.select(n);
                json!({"ok": true})
            }
            Err(_) => json!({"ok": false, "error": "select needs a number"}),
        },
        "respond" => {
            let (path, response) = rest.split_once(' ').unwrap_or((rest, ""));
            json!({"ok": w.respond(path, response)})
        }
        "add-link" | "add-qr" => {
            let dialog = crate::widgets::AddDialog::new(w);
            dialog.present();
            if cmd == "add-link" {
                dialog.set_link(rest);
                dialog.submit();
            } else {
                dialog.scan(rest.into());
            }
            json!({"ok": true})
        }
        "import-file" => {
            let dialog = crate::widgets::ImportDialog::new(w);
            dialog.present();
            dialog.load_file(rest.into());
            json!({"ok": true})
        }
        "close-others" => {
            for t in gtk::Window::list_toplevels() {
                if let Ok(t) = t.downcast::<gtk::Window>()
                    && &t != w.upcast_ref::<gtk::Window>()
                {
                    t.close();
                }
            }
            json!({"ok": true})
        }
        "bench-scroll" => {
            let frames = rest.parse().unwrap_or(300);
            w.bench_scroll(frames, |ms| {
                BENCH.with(|b| {
                    b.replace(Some(summary(ms)));
                })
            });
            json!({"ok": true})
        }
        "bench-result" => BENCH.with(|b| b.borrow().clone()).unwrap_or(Value::Null),
        "quit" => {
            w.close();
            json!({"ok": true})
        }
        _ => json!({"ok": false, "error": format!("unknown command {cmd:?}")}),
    }
}

fn state(w: &Window) -> Value {
    let rows: Vec<Value> = (0..w.shown_count().min(20))
        .filter_map(|i| w.account_at(i))
        .map(|a| json!({"id": a.id(), "issuer": a.issuer(), "account": a.account(), "kind": a.kind()}))
        .collect();
    let dialogs: Vec<Value> = w
        .open_dialogs()
        .into_iter()
        .map(|d| {
            json!({"path": d.path, "heading": d.heading, "body": d.body, "responses": d.responses,
                   "width": d.size.0, "height": d.size.1})
        })
        .collect();
    let windows: Vec<Value> = gtk::Window::list_toplevels()
        .into_iter()
        .filter_map(|t| t.downcast::<gtk::Window>().ok())
        .filter(|t| t.is_visible())
        .map(|t| json!({"title": t.title().map(|s| s.to_string()), "width": t.width(), "height": t.height()}))
        .collect();
    let add_errors: Vec<Value> = gtk::Window::list_toplevels()
        .into_iter()
        .filter_map(|t| t.downcast::<crate::widgets::AddDialog>().ok())
        .filter_map(|d| d.last_error())
        .map(Value::from)
        .collect();
    json!({
        "windows": windows,
        "page": w.page(),
        "shown": w.shown_count(),
        "rows": rows,
        "selected": w.selected_account().map(|a| a.id()),
        "unlock_error": w.unlock_page().error(),
        "unlock_wait": w.unlock_page().wait_seconds(),
        "toast": w.last_toast(),
        "dialogs": dialogs,
        "add_errors": add_errors,
    })
}
