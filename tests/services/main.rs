//! Tests against real components that a bare machine lacks: a Secret Service (gnome-keyring)
//! and a kernel session keyring, an X11 clipboard, Microsoft's azure-devops Python client.
//! Each is `#[ignore]`d with the component it needs, so a plain `cargo test` lists them as
//! ignored instead of passing them; `.ci/run` installs the components and runs them with
//! `--include-ignored`, where a missing component fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

#[cfg(unix)]
mod clipboard;
mod conformance;
#[cfg(target_os = "linux")]
mod exec;
mod feeds;
mod git;
mod leak_check;
mod mint_crash;
mod openbao;
mod pass_store;
mod store;
