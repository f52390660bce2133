//! What the test binaries share: one command builder, one PTY harness, one set of fixtures.

#![allow(dead_code)]

pub mod cmd;
#[cfg(unix)]
pub mod pty;
pub mod replay;
