//! What several commands share: reading the token and proving it, dates, signing in, and
//! writing into a team vault. Commands import from here and never from each other.

pub mod dates;
pub mod local;
pub mod minted;
pub mod sign_in;
pub mod team_vault;
pub mod token;
