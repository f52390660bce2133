//! patwiz: get an Azure DevOps personal access token that works, proven scope by scope.
//!
//! Layout (data flows one way: domain ← engine, store ← flows ← cli, ui; the emulator beside):
//! - [`domain`]: organization URLs, the scope catalogue, profiles, token shapes, answers and
//!   their classes, remediation, expiry: pure, no I/O.
//! - [`engine`]: proving a token: anonymous discovery, identity, context, one side-effect-free
//!   probe per scope, results streamed; the HTTP client.
//! - [`store`]: the OS secret store, the settings file, crash-safe rotation, reminders, the
//!   user's profile files.
//! - [`flows`]: the use cases the front ends share (prove, store, rotate, forget, status).
//! - [`ui`]: the wizard (one state machine; a full-screen and a plain renderer).
//! - [`cli`]: the command line (clap), exit codes.
//! - `emulator` (feature `demo`, on by default): the built-in Azure DevOps the demo, the tests
//!   and the benchmarks run against.

#![forbid(unsafe_code)]

pub mod cli;
pub mod domain;
#[cfg(feature = "demo")]
pub mod emulator;
pub mod engine;
pub mod flows;
pub mod store;
pub mod ui;
