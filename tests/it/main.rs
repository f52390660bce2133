//! The integration tests that need nothing but this crate: the engine, the emulator, the CLI,
//! the wizard's screens, hostile inputs and properties (one binary, shared support).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod check_engine;
mod checksum;
mod cli_check;
mod demo_serve;
mod emulator_http;
mod emulator_vs_recordings;
mod feeds;
mod hardening;
mod hostile_inputs;
mod lifecycle;
mod plain_mode;
mod properties;
mod recorded_service;
mod service_codes;
mod snapshots;
mod team_rotation;
mod team_vault;
