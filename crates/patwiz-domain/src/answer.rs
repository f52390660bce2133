//! An HTTP answer of Azure DevOps reduced to what classification needs, read the way the
//! real service writes it (see `../shared/ado/recordings`):
//!
//! - JSON error bodies (`WrappedException`) may start with a UTF-8 byte-order mark (the
//!   recorded 503 TF24668 of a deactivated organization does);
//! - the reason may be only in `X-TFS-ServiceError`, URL-encoded (route 404s, 503s, expired
//!   tokens);
//! - some answers are HTML pages (the reason is the page's title) or `text/plain` (the route
//!   404 and git's pkt-line refusals);
//! - `X-VSS-UserData` (`{id}:{unique name}`) is present when the caller was authenticated.
//!
//! Everything read here is data from a server: it is cleaned of control characters.

use serde_json::Value;

use super::text::{clean_line, shorten};

/// The longest reason kept from an answer.
const MAX_MESSAGE: usize = 400;

/// An HTTP answer, reduced to what classification needs.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub has_user_data: bool,
    /// The account `X-VSS-UserData` names (its unique name), when the caller authenticated.
    pub user_data: Option<String>,
    /// The service's reason: a JSON body's `message`, else `X-TFS-ServiceError`, else an HTML
    /// page's title, else the text of a plain-text body.
    pub message: Option<String>,
    /// The `typeKey` of a JSON error body (`RuleValidationException`, …).
    pub type_key: Option<String>,
    /// The body parsed as JSON (false for HTML, empty or malformed bodies).
    pub json_ok: bool,
    /// The answer carried `X-TFS-ServiceError` (the service's own error, not a proxy's).
    pub service_error: bool,
}

/// The raw parts of an answer, as an HTTP client has them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawAnswer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub user_data: Option<&'a str>,
    pub service_error: Option<&'a str>,
    pub body: &'a [u8],
}

/// The body without a leading UTF-8 byte-order mark.
pub fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// A JSON body, byte-order mark or not.
pub fn parse_json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(strip_bom(body)).ok()
}

impl Answer {
    pub fn read(raw: RawAnswer) -> Answer {
        let json = parse_json(raw.body);
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(clean_line);
        let json_message = json.as_ref().and_then(|j| text(j, "message"));
        let header_message = raw
            .service_error
            .map(|v| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .map(|m| clean_line(&m));
        let media = raw.content_type.map(|c| c.to_ascii_lowercase());
        let body_message = match media.as_deref() {
            _ if json.is_some() => None,
            Some(m) if m.starts_with("text/html") => html_title(raw.body),
            Some(m) if m.starts_with("text/plain") => plain_reason(raw.body),
            _ => None,
        };
        let message = json_message
            .or(header_message)
            .or(body_message)
            .filter(|m| !m.is_empty())
            .map(|m| shorten(&m, MAX_MESSAGE));
        let user_data = raw
            .user_data
            .map(|v| v.split_once(':').map_or(v, |(_, name)| name))
            .map(clean_line)
            .filter(|s| !s.is_empty());
        Answer {
            status: raw.status,
            content_type: raw.content_type.map(clean_line),
            has_user_data: raw.user_data.is_some(),
            user_data,
            message,
            type_key: json.as_ref().and_then(|j| text(j, "typeKey")),
            json_ok: json.is_some(),
            service_error: raw.service_error.is_some(),
        }
    }

    pub fn is_html(&self) -> bool {
        self.media_type().starts_with("text/html")
    }

    pub fn is_plain_text(&self) -> bool {
        self.media_type().starts_with("text/plain")
    }

    fn media_type(&self) -> String {
        self.content_type
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    pub fn message_has(&self, needle: &str) -> bool {
        self.message.as_deref().is_some_and(|m| {
            m.to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())
        })
    }

    pub fn type_is(&self, key: &str) -> bool {
        self.type_key
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case(key))
    }

    /// The API does not exist on this deployment: "The controller for path … was not found".
    pub fn is_missing_route(&self) -> bool {
        self.status == 404
            && (self.message_has("controller for path")
                || self.message_has("does not implement IController"))
    }

    /// The project in the URL does not exist (TF200016; VS800075 "project … does not exist").
    pub fn is_missing_project(&self) -> bool {
        self.status == 404
            && (self.message_has("TF200016")
                || self.message_has("VS800075")
                || self.type_is("ProjectDoesNotExistWithNameException")
                || self.type_is("ProjectDoesNotExistException"))
    }

    /// The organization is stopped: TF24668, deactivated (for instance after inactivity).
    pub fn is_stopped_organization(&self) -> bool {
        self.message_has("TF24668")
    }

    /// The work item process rules refused the would-be item (TF401320): the write itself was
    /// authorised.
    pub fn is_rule_validation(&self) -> bool {
        self.status == 400
            && (self.message_has("TF401320") || self.type_is("RuleValidationException"))
    }

    pub fn says_expired(&self) -> bool {
        self.message_has("has expired")
    }

    pub fn says_conditional_access(&self) -> bool {
        self.message_has("VS403463") || self.message_has("conditional access")
    }

    /// The account a refusal names: TF400813's user (see [`Answer::tf400813_user`]) or
    /// TF401444's ("Please sign-in at least once as {account} in a web browser").
    pub fn named_account(&self) -> Option<String> {
        if let Some(user) = self.tf400813_user() {
            return Some(user);
        }
        let message = self.message.as_deref()?;
        let after = &message[message.find("TF401444")?..];
        let start = after.find(" as ")? + " as ".len();
        let len = after[start..].find(" in a web browser")?;
        Some(after[start..start + len].trim().to_string())
    }

    /// The account a `TF400813: The user '…' is not authorized` names: `Some("")` for the
    /// empty user, the anonymous id for an anonymous caller, else `tenant\upn` or a name.
    pub fn tf400813_user(&self) -> Option<String> {
        let message = self.message.as_deref()?;
        if !message.contains("TF400813") {
            return None;
        }
        let start = message.find('\'')? + 1;
        let len = message[start..].find('\'')?;
        Some(message[start..start + len].to_string())
    }
}

/// The REST API ceiling a version refusal names: "The requested REST API version of 7.1 is out
/// of range for this server. The latest REST API version this server supports is 5.0." (the
/// wording of every Azure DevOps Server and TFS release; `VssVersionOutOfRangeException`).
pub fn version_ceiling_in(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    if !lower.contains("out of range") {
        return None;
    }
    let at = lower.find("supports is ")? + "supports is ".len();
    let version: String = message[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    let (major, minor) = version.split_once('.').unwrap_or((version, ""));
    (!major.is_empty() && minor.chars().all(|c| c.is_ascii_digit())).then(|| version.to_string())
}

/// The title of an HTML page ("Access Denied: The Personal Access Token used has expired.").
fn html_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    Some(clean_line(&text[start..end]))
}

/// The reason in a plain-text body: the first line with a TF/VS code (git's pkt-line
/// refusals), else the first non-empty line.
fn plain_reason(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let coded = lines.iter().find_map(|l| {
        let at = l.find("TF").or_else(|| l.find("VS"))?;
        let code = &l[at + 2..];
        code.chars()
            .take(5)
            .all(|c| c.is_ascii_digit())
            .then(|| l[at..].to_string())
    });
    coded
        .or_else(|| lines.first().map(|l| l.to_string()))
        .map(|l| clean_line(&l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_refusal_names_the_servers_ceiling() {
        for (message, ceiling) in [
            (
                "The requested REST API version of 7.2 is out of range for this server. The latest REST API version this server supports is 6.1.",
                "6.1",
            ),
            (
                "The requested REST API version of 5.2 is out of range for this server. The latest REST API version this server supports is 5.1.",
                "5.1",
            ),
            (
                "The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 4.1.",
                "4.1",
            ),
        ] {
            assert_eq!(version_ceiling_in(message).as_deref(), Some(ceiling));
        }
        assert_eq!(
            version_ceiling_in("The latest version this server supports is 5.0"),
            None
        );
        assert_eq!(version_ceiling_in("out of range; supports is soon"), None);
    }

    fn read(status: u16, ct: Option<&str>, service_error: Option<&str>, body: &[u8]) -> Answer {
        Answer::read(RawAnswer {
            status,
            content_type: ct,
            user_data: None,
            service_error,
            body,
        })
    }

    #[test]
    fn a_byte_order_mark_does_not_lose_the_message() {
        let a = read(
            503,
            Some("application/json"),
            None,
            "\u{feff}{\"message\":\"TF24668: stopped\",\"typeKey\":\"VssServiceException\"}"
                .as_bytes(),
        );
        assert!(a.json_ok);
        assert_eq!(a.message.as_deref(), Some("TF24668: stopped"));
        assert!(a.is_stopped_organization());
    }

    #[test]
    fn the_reason_comes_from_the_header_the_title_or_the_text() {
        let a = read(
            404,
            Some("text/plain"),
            Some("The%20controller%20for%20path%20%27%2Fx%27%20was%20not%20found"),
            b"",
        );
        assert!(a.is_missing_route());
        let page = b"<html><head><title>Access Denied: The Personal Access Token used has expired.</title></head></html>";
        assert!(read(401, Some("text/html; charset=utf-8"), None, page).says_expired());
        let pkt = b"001f# service=git-receive-pack\n0000000000aaTF401027: You need the Git 'GenericContribute' permission.\n";
        let a = read(403, Some("text/plain"), None, pkt);
        assert_eq!(
            a.message.as_deref(),
            Some("TF401027: You need the Git 'GenericContribute' permission.")
        );
    }

    #[test]
    fn the_named_account_is_read() {
        let a = read(
            401,
            Some("application/json"),
            None,
            br#"{"message":"TF400813: The user 'c7ac\\roshan@x.com' is not authorized to access this resource."}"#,
        );
        assert_eq!(a.tf400813_user().as_deref(), Some("c7ac\\roshan@x.com"));
        let hostile = read(
            401,
            Some("application/json"),
            None,
            br#"{"message":"TF400813: The user '\u001b]52;c;eA==\u0007' is not"}"#,
        );
        assert!(!hostile.message.unwrap().contains('\u{1b}'));
    }
}
