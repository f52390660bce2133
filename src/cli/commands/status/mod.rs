//! `patwiz status`: this computer's tokens, or with `--from` a team vault's.

mod fleet;
mod local;

use crate::cli::{CmdResult, StatusArgs};

pub async fn run(args: StatusArgs) -> CmdResult {
    if args.from.is_some() {
        fleet::run(args).await
    } else {
        local::run(args).await
    }
}
