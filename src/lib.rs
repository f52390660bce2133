//! patwiz: get an Azure DevOps personal access token that works, proven scope by scope.
//!
//! Layout (data flows one way: domain <- engine <- cli/ui):
//! - [`domain`]: org URLs, scope catalogue, profiles, token shape (pure, no I/O).
//! - [`cli`]: the command line (clap).

#![forbid(unsafe_code)]

pub mod cli;
pub mod domain;
#[cfg(feature = "demo")]
pub mod emulator;
pub mod engine;
pub mod flows;
pub mod store;
pub mod ui;
