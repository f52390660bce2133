//! Properties of the URL parser, the token classifier and the response classifier, over
//! generated inputs: no panic, stable normal forms, no echo of secrets.

use patwiz::domain::checks::{
    Answer, CheckClass, Expect, classify_existence, classify_identity, classify_probe,
};
use patwiz::domain::org_url::OrgUrl;
use patwiz::domain::token::check_pasted;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_url_parser_never_panics_and_its_output_is_a_fixed_point(input in "\\PC{0,200}") {
        if let Ok(org) = OrgUrl::parse(&input) {
            let again = OrgUrl::parse(org.as_str()).expect("a normalised URL parses again");
            prop_assert_eq!(again.as_str(), org.as_str());
            prop_assert_eq!(again.key(), org.key());
            prop_assert!(org.as_str().starts_with("https://") || org.is_loopback());
            prop_assert!(!org.as_str().ends_with('/'));
        }
    }

    #[test]
    fn every_organization_name_round_trips(org in "[a-zA-Z0-9]([a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?") {
        for form in [org.clone(), format!("dev.azure.com/{org}"), format!("https://dev.azure.com/{org}/p/_git/r"), format!(" {org}.visualstudio.com/ ")] {
            let parsed = OrgUrl::parse(&form).unwrap();
            prop_assert!(parsed.name().eq_ignore_ascii_case(&org));
            prop_assert_eq!(parsed.key(), format!("https://dev.azure.com/{}", org.to_ascii_lowercase()));
        }
    }

    #[test]
    fn urls_with_arbitrary_junk_around_them_parse_or_say_why(junk in "[ \\t\\n\\u{200B}\\u{FEFF}]{0,5}", tail in "(/[a-z_]{0,10}){0,2}/?") {
        let input = format!("{junk}https://dev.azure.com/contoso{tail}{junk}");
        match OrgUrl::parse(&input) {
            Ok(org) => prop_assert_eq!(org.name(), "contoso"),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn the_token_check_never_panics_and_never_echoes(input in "\\PC{0,200}") {
        match check_pasted(&input) {
            Ok(checked) => {
                let t = checked.token.expose();
                prop_assert!(t.len() == 52 || t.len() == 84 || t.len() == 88);
                prop_assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'='));
                let debug = format!("{:?}", checked);
                prop_assert!(!debug.contains(t));
            }
            Err(e) => {
                let message = e.to_string();
                let core = input.trim();
                // Anything token-like (16+ alphanumerics) is never echoed back.
            if core.chars().count() >= 16 && core.chars().all(|c| c.is_ascii_alphanumeric()) {
                    prop_assert!(!message.contains(core), "the message echoes the input");
                }
            }
        }
    }

    #[test]
    fn valid_tokens_survive_any_surrounding_whitespace(
        random in "[0-9A-Za-z]{52}", date in "[0-9A-Za-z][A-L]", platform in "[0-9A-Za-z]{12}", check in "[0-9A-Za-z]{4}",
        before in "[ \\t\\r\\n]{0,3}", after in "[ \\t\\r\\n]{0,3}",
    ) {
        let token = format!("{random}JQQJ99{date}{platform}AAAAAZDO{check}");
        let checked = check_pasted(&format!("{before}{token}{after}")).unwrap();
        prop_assert_eq!(checked.token.expose(), token.as_str());
    }

    #[test]
    fn the_response_classifier_is_total_and_a_2xx_html_page_is_never_ok(
        status in 100u16..600, html in any::<bool>(), json_ok in any::<bool>(), user_data in any::<bool>(),
        message in proptest::option::of("\\PC{0,80}"), anonymous in any::<bool>(),
    ) {
        let answer = Answer {
            status,
            content_type: Some(if html { "text/html".into() } else { "application/json".into() }),
            has_user_data: user_data,
            message,
            json_ok: json_ok && !html,
            ..Answer::default()
        };
        for expect in [Expect::Json, Expect::Success, Expect::Authorised] {
            let class = classify_probe(&answer, expect);
            if html && (200..300).contains(&status) {
                prop_assert_ne!(class, CheckClass::Ok);
            }
            if status == 401 {
                prop_assert!(matches!(class, CheckClass::MissingScope | CheckClass::TokenExpired | CheckClass::PolicyBlocked | CheckClass::NoAccess | CheckClass::TokenInvalid | CheckClass::OrgDeactivated));
            }
        }
        let identity = classify_identity(&answer, anonymous);
        if anonymous || status == 203 || html {
            prop_assert_ne!(identity, CheckClass::Ok);
        }
        let _ = classify_existence(&answer);
    }
}
