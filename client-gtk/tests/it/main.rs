//! The GTK client end to end, against a real latchkeyd on a private bus and a real X server
//! (Xvfb, started by scripts/test.sh), in one test binary because linking it costs more than
//! most of its tests. The scripts in `tests/a11y/` drive the app through its accessibility tree
//! and the keyboard, as a person does, so they also prove that every widget they use is named.

mod app;
mod devices;
mod dialogs;
mod driver;
mod journey;
mod looks;
mod search;
mod sites;
