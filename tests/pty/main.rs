//! The real binary in a pseudo-terminal, read as a person reads the screen (slow; unix).

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod colours;
mod personas;
mod promises;
mod wizard;
