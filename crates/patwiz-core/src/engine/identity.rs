//! Who the token belongs to (connectionData), or why the service refused to say: the refusal
//! read from the answer, the account it names, in words.

use serde::Deserialize;
use serde_json::Value;

use super::http::{HttpError, Reply};
use super::outcome::http_error_class;
use super::{ANONYMOUS_ID, CheckRequest, Identity, Stop};
use crate::domain::checks::{CheckClass, RemediationKey, classify_identity, is_named_account};

/// An account as the service names it (`{directory}\{upn}`, or `{directory}\…\{upn}`), in
/// words: the sign-in name, and the kind of account the directory part says it is: one of a
/// Microsoft Entra directory (a tenant id), a personal Microsoft account (`Windows Live ID`),
/// or a Windows domain's (Azure DevOps Server).
pub(super) fn account_words(raw: &str) -> String {
    let (Some((directory, _)), Some((_, upn))) = (raw.split_once('\\'), raw.rsplit_once('\\'))
    else {
        return raw.to_string();
    };
    if directory.is_empty() || upn.is_empty() {
        return raw.to_string();
    }
    if directory.eq_ignore_ascii_case("Windows Live ID") {
        format!("{upn} (a personal Microsoft account)")
    } else if uuid_shaped(directory) {
        format!("{upn} (of the Microsoft Entra directory {directory})")
    } else {
        format!("{upn} (of the domain {directory})")
    }
}

/// A tenant id: 8-4-4-4-12 hexadecimal digits.
fn uuid_shaped(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The sign-in name alone (the last part of `{directory}\…\{upn}`): what the advice calls the
/// account once the evidence above it has named its directory.
pub(super) fn sign_in_name(raw: &str) -> String {
    match raw.rsplit_once('\\') {
        Some((directory, upn)) if !directory.is_empty() && !upn.is_empty() => upn.to_string(),
        _ => raw.to_string(),
    }
}

/// The parts of `_apis/connectionData` patwiz reads. Each field is taken when it is a string
/// and ignored otherwise: one odd field never hides the others.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ConnectionData {
    #[serde(deserialize_with = "lenient")]
    authenticated_user: AuthenticatedUser,
    #[serde(deserialize_with = "lenient")]
    deployment_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AuthenticatedUser {
    #[serde(deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient")]
    provider_display_name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    custom_display_name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    properties: UserProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserProperties {
    #[serde(rename = "Account", deserialize_with = "lenient")]
    account: PropertyValue,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PropertyValue {
    #[serde(rename = "$value", deserialize_with = "lenient")]
    value: Option<String>,
}

/// The field as its type when it has that shape, its default otherwise.
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

impl ConnectionData {
    fn read(json: Option<&Value>) -> ConnectionData {
        json.and_then(|j| serde_json::from_value(j.clone()).ok())
            .unwrap_or_default()
    }
}

/// The token's identity and the deployment type, or why the token was refused.
pub(super) fn read_identity(
    request: &CheckRequest,
    reply: Result<Reply, HttpError>,
) -> Result<(Identity, Option<String>), Stop> {
    let reply = reply.map_err(|e| {
        Stop::new(
            http_error_class(&e),
            None,
            format!("Asking Azure DevOps who the token belongs to: {e}."),
        )
    })?;
    let json = reply.json();
    let data = ConnectionData::read(json.as_ref());
    let user = data.authenticated_user;
    let id = user.id.clone().unwrap_or_default();
    let anonymous = (200..300).contains(&reply.status)
        && json.is_some()
        && (id.is_empty() || id.eq_ignore_ascii_case(ANONYMOUS_ID));
    let answer = reply.answer();
    let class = classify_identity(&answer, anonymous);
    if class != CheckClass::Ok {
        return Err(refused(request, &reply, &answer, class, anonymous));
    }
    let from_header = reply
        .headers
        .get("x-vss-userdata")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(':').map(|(_, name)| name.to_string()));
    // Names from the server are data: cleaned of control characters before anything shows them.
    let clean = |s: String| crate::domain::text::clean_line(&s);
    let identity = Identity {
        id: clean(id),
        display_name: user
            .provider_display_name
            .or(user.custom_display_name)
            .map(clean)
            .unwrap_or_default(),
        unique_name: user
            .properties
            .account
            .value
            .or(from_header)
            .map(clean)
            .unwrap_or_default(),
    };
    Ok((identity, data.deployment_type))
}

/// Why the service would not say whose the token is: the refusal in words (the account it
/// named, a redirect, a stopped organization), with the fix it calls for.
fn refused(
    request: &CheckRequest,
    reply: &Reply,
    answer: &crate::domain::answer::Answer,
    class: CheckClass,
    anonymous: bool,
) -> Stop {
    let named = answer.tf400813_user();
    let raw_account = answer
        .named_account()
        .filter(|u| is_named_account(u))
        .or_else(|| answer.user_data.clone());
    let account = raw_account.as_deref().map(account_words);
    let said = reply
        .message()
        .map(|m| format!(": \"{m}\""))
        .unwrap_or_else(|| ".".to_string());
    let anonymous_401 = named
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case(ANONYMOUS_ID));
    let (detail, key) = if anonymous && class == CheckClass::TokenInvalid {
        (
            format!(
                "{} answered with the anonymous identity: the token was not accepted.",
                request.org
            ),
            Some(RemediationKey::TokenInvalidAnonymous),
        )
    } else if anonymous_401 && class == CheckClass::TokenInvalid {
        (
            format!(
                "Azure DevOps refused the request as coming from the anonymous user (HTTP {}){said}",
                reply.status
            ),
            Some(RemediationKey::TokenInvalidAnonymous),
        )
    } else if reply.redirect_loop {
        (
            format!(
                "Asking who the token belongs to: {} kept redirecting to itself; patwiz stopped after {} redirects (the token went with them: they stayed on the organization's own host).",
                request.org, 3
            ),
            None,
        )
    } else if let Some(target) = &reply.redirected_to {
        (
            format!(
                "Asking who the token belongs to was redirected to {target}; patwiz did not follow, so the token was not sent there."
            ),
            None,
        )
    } else if class == CheckClass::NoAccess {
        (
            format!(
                "Azure DevOps knows the account {} but it has no access to {} (HTTP {}){said}",
                account.as_deref().unwrap_or("(not named)"),
                request.org,
                reply.status
            ),
            None,
        )
    } else if class == CheckClass::OrgDeactivated {
        (
            format!("Azure DevOps says {} is stopped{said}", request.org),
            None,
        )
    } else {
        let said = if said == "." && reply.status == 203 {
            ": the sign-in page.".to_string()
        } else {
            said
        };
        (
            format!(
                "Asking who the token belongs to: HTTP {}{said}",
                reply.status
            ),
            None,
        )
    };
    Stop {
        class,
        http_status: Some(reply.status),
        detail,
        key,
        // The evidence names the directory; the advice below it, the sign-in name.
        account: raw_account.as_deref().map(sign_in_name),
        said: reply.message(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_named_as_the_kind_the_service_says_it_is() {
        assert_eq!(
            account_words("72f988bf-86f1-41af-91ab-2d7cd011db47\\ann@contoso.com"),
            "ann@contoso.com (of the Microsoft Entra directory 72f988bf-86f1-41af-91ab-2d7cd011db47)"
        );
        assert_eq!(
            account_words("Windows Live ID\\ann@outlook.com"),
            "ann@outlook.com (a personal Microsoft account)"
        );
        assert_eq!(account_words("CONTOSO\\ann"), "ann (of the domain CONTOSO)");
        // TF401444 names the directory twice.
        let twice = "72f988bf-86f1-41af-91ab-2d7cd011db47\\72f988bf-86f1-41af-91ab-2d7cd011db47\\ann@contoso.com";
        assert_eq!(sign_in_name(twice), "ann@contoso.com");
        assert!(account_words(twice).starts_with("ann@contoso.com (of the Microsoft Entra"));
        assert_eq!(account_words("ann@contoso.com"), "ann@contoso.com");
    }

    #[test]
    fn connection_data_is_read_field_by_field() {
        let json: Value = serde_json::json!({
            "authenticatedUser": {
                "id": "u-1",
                "providerDisplayName": 7,
                "customDisplayName": "Ann",
                "properties": {"Account": {"$value": "ann@contoso.com"}}
            },
            "deploymentType": "hosted"
        });
        let data = ConnectionData::read(Some(&json));
        assert_eq!(data.authenticated_user.id.as_deref(), Some("u-1"));
        assert_eq!(data.authenticated_user.provider_display_name, None);
        assert_eq!(
            data.authenticated_user.custom_display_name.as_deref(),
            Some("Ann")
        );
        assert_eq!(
            data.authenticated_user.properties.account.value.as_deref(),
            Some("ann@contoso.com")
        );
        assert_eq!(data.deployment_type.as_deref(), Some("hosted"));
        let odd: Value = serde_json::json!({"authenticatedUser": "nobody", "deploymentType": 1});
        let data = ConnectionData::read(Some(&odd));
        assert!(data.authenticated_user.id.is_none() && data.deployment_type.is_none());
        let odd: Value = serde_json::json!({"authenticatedUser": {"id": "u", "properties": []}});
        assert_eq!(
            ConnectionData::read(Some(&odd))
                .authenticated_user
                .id
                .as_deref(),
            Some("u")
        );
    }
}
