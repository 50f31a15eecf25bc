//! Latchkey D-Bus contract.
