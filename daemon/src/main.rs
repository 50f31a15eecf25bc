//! latchkeyd entry point.

fn main() {}
