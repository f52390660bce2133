//! What the test binaries share: one command builder, one PTY harness, one set of fixtures.

#![allow(dead_code)]

pub mod clock;
pub mod cmd;
pub mod fixtures;
#[cfg(unix)]
pub mod pty;
pub mod replay;
