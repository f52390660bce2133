//! The use cases the wizard, plain mode and the command line share: prove a token, store a
//! proven one, rotate, forget, report the status of what is stored. Typed results, no printing,
//! no clock of their own (each is given a [`ctx::Ctx`]): each front end says the result in its
//! own words.

pub mod ctx;
pub mod keep;
pub mod mint;
pub mod prove;
pub mod scan;
pub mod sign_in;
pub mod status;
pub mod team_rotation;
pub mod team_vault;

pub use ctx::Ctx;
