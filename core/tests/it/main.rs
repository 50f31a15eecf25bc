//! latchkey-core's integration tests, one binary: codes against oathtool and published vectors,
//! the vault file against its specification, and property tests of the URI parser and the vault.

mod otp_oathtool;
mod otp_uri_props;
mod otp_vectors;
mod sync;
mod vault_bitflip;
mod vault_copy;
mod vault_kdf_timing;
mod vault_keyring_slot;
mod vault_store;
mod vault_vector;
