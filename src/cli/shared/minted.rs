//! What a created token is, said once for `create` and `rotate --create`.

use crate::flows::mint::{self};
use serde_json::json;

pub(crate) fn say_minted(minted: &mint::Minted, json: bool, verb: &str) {
    let valid_to = minted.valid_to.map(|t| t.date());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                verb: true,
                "name": minted.display_name,
                "authorizationId": minted.authorization_id,
                "expires": valid_to.map(crate::store::settings::format_date),
                "expiryCapped": minted.capped_from.map(|t| crate::store::settings::format_date(t.date())),
                "store": minted.stored.backend.name(),
                "check": minted.report,
            }))
            .expect("serialises")
        );
        return;
    }
    crate::cli::print_report(&minted.report);
    println!(
        "Token {verb}: \"{}\", proven and stored ({}).",
        minted.display_name,
        minted.stored.backend.name()
    );
    if let Some(date) = valid_to {
        println!("Expires: {}", crate::store::settings::format_date(date));
    }
    if let Some(asked) = minted.capped_from {
        println!(
            "Note: you asked for {}; your tenant's maximum lifespan cut it to the date above.",
            crate::store::settings::format_date(asked.date())
        );
    }
}
