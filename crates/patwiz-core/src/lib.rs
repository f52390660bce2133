//! patwiz's core: the use cases both front ends share and the clients they need. No terminal,
//! no command line: the wizard, plain mode and the CLI translate to and from these.
//!
//! Layout (data flows one way: `domain` ← `engine`, `store` ← `flows`):
//! - [`domain`]: re-exported `patwiz-domain` (pure: URLs, scopes, profiles, answers, expiry).
//! - [`engine`]: proving a token (anonymous discovery, identity, context, one side-effect-free
//!   probe per scope, results streamed), the HTTP client, and the outbound clients (Microsoft
//!   Entra, the PAT lifecycle API, OpenBao/Vault KV, Azure Key Vault, `pass`).
//! - [`store`]: this computer's keeping: the OS secret store, the settings file, crash-safe
//!   rotation, reminders, the user's profile files, safe file reads and writes.
//! - [`flows`]: the use cases (prove, keep, create, mend, extend, rotate, forget, status, team
//!   vaults), typed in and typed out, printing nothing.
//! - [`clock`]: the one clock every use case is given (the system's, or a fixed one in tests).

#![forbid(unsafe_code)]

pub use patwiz_domain as domain;

pub mod clock;
pub mod engine;
pub mod flows;
pub mod store;
