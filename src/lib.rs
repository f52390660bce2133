//! patwiz: get an Azure DevOps personal access token that works, proven scope by scope.
//!
//! This crate is the two front ends over [`patwiz_core`]: the wizard ([`ui`]: one state
//! machine, a full-screen and a plain renderer) and the command line ([`cli`]: clap, exit
//! codes). Both only translate to and from the core's use cases. The layers below are
//! re-exported under their old names:
//! - [`domain`] (`patwiz-domain`): pure, no I/O.
//! - [`engine`], [`store`], [`flows`], [`clock`] (`patwiz-core`): proving, keeping, the use
//!   cases, the clients.
//! - `emulator` (`patwiz-emulator`, feature `demo`, on by default): the built-in Azure DevOps
//!   the demo, the tests and the benchmarks run against.

#![forbid(unsafe_code)]

pub use patwiz_core::{clock, domain, engine, flows, store};
#[cfg(feature = "demo")]
pub use patwiz_emulator as emulator;

pub mod cli;
pub mod ui;
