//! Switches that only tests may turn on: debug builds (what `cargo test` runs) and builds with
//! the `test-hooks` feature (the benchmark) honour them; a release build ignores them, so no
//! environment variable can weaken an installed daemon (`systemctl --user set-environment` is
//! open to every process of the user).

/// Whether this build honours test switches at all.
pub const COMPILED_IN: bool = cfg!(any(debug_assertions, feature = "test-hooks"));

/// True when the environment variable `name` is "1" and this build honours test switches.
pub fn enabled(name: &str) -> bool {
    let set = std::env::var_os(name).is_some_and(|v| v == "1");
    if set && !COMPILED_IN {
        tracing::warn!("{name}=1 ignored: this is a release build without test hooks");
    }
    set && COMPILED_IN
}

/// The value of the environment variable `name` if this build honours test switches.
pub fn value(name: &str) -> Option<String> {
    let v = std::env::var(name).ok()?;
    if !COMPILED_IN {
        tracing::warn!("{name} ignored: this is a release build without test hooks");
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_switch_is_off() {
        assert!(!enabled("LATCHKEY_TEST_HOOK_THAT_NOBODY_SETS"));
    }
}
