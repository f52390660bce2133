//! `patwiz rotate`: this computer's token (by a pasted one, or `--create`), or a team vault's
//! (`--to`, by a pasted one or `--create`).

mod by_creating;
mod local;
mod team;
mod team_creating;

use crate::cli::{CmdResult, RotateArgs};

pub async fn run(args: RotateArgs) -> CmdResult {
    if args.to.is_some() {
        Box::pin(team::run(args)).await
    } else if args.create {
        Box::pin(by_creating::run(args)).await
    } else {
        Box::pin(local::run(args)).await
    }
}
