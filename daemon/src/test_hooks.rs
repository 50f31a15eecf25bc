//! Switches that only tests may turn on, compiled into debug builds (what `cargo test` runs) and
//! builds with the `test-hooks` feature (the benchmark), and absent from release builds: no
//! environment variable can weaken an installed daemon (`systemctl --user set-environment` is
//! open to every process of the user), and a release binary does not even name them.

/// Treat every same-user caller as one of Latchkey's own clients (consent tests set it to 0).
pub const TRUST_ALL: &str = "LATCHKEY_TEST_TRUST_ALL_CALLERS";
/// New vaults get test-only KDF parameters, so tests do not wait for Argon2id.
pub const INSECURE_KDF: &str = "LATCHKEY_INSECURE_TEST_KDF";
/// New vaults get Argon2id with this many MiB and 2 passes (the flood test wants KDF runs as
/// long as real ones take in an optimised build).
pub const KDF_MIB: &str = "LATCHKEY_TEST_KDF_MIB";
/// Serve `org.latchkey.Latchkey1.Testing`, the fault hooks.
pub const FAULTS: &str = "LATCHKEY_TEST_FAULTS";

/// True when the environment variable `name` is "1".
pub fn enabled(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v == "1")
}

/// The value of the environment variable `name`.
pub fn value(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_switch_is_off() {
        assert!(!enabled("LATCHKEY_TEST_HOOK_THAT_NOBODY_SETS"));
    }
}
