//! REST API version negotiation, the way Microsoft's clients do it (VssHttpClientBase): the
//! location data of `OPTIONS {collection}/_apis` lists every API the deployment has, with the
//! highest version each takes. A request never asks for more than that, and an API that is not
//! listed does not exist there (Azure DevOps Server has no member entitlements, Graph or audit
//! API, and each Server release stops at its own version: 2019 at 5.0, 2020 at 6.0, 2022 at 7.0).

use std::collections::HashMap;

use serde_json::Value;

/// A REST API version: `7.1`, `6.0-preview.3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion {
    pub major: u32,
    pub minor: u32,
}

impl ApiVersion {
    pub fn parse(s: &str) -> Option<ApiVersion> {
        let number = s.trim().split('-').next()?;
        let (major, minor) = number.split_once('.').unwrap_or((number, "0"));
        Some(ApiVersion {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, Copy)]
struct Location {
    max: ApiVersion,
    released: ApiVersion,
    resource_version: u32,
}

/// What the deployment says of one API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiated {
    /// The api-version value to send.
    Version(String),
    /// The deployment has no such API.
    Missing,
}

/// The API locations of one deployment.
#[derive(Debug, Clone, Default)]
pub struct ApiLocations {
    by_id: HashMap<String, Location>,
}

impl ApiLocations {
    /// Reads the body of `OPTIONS {host}/_apis` (`{count, value: [{id, maxVersion, …}]}`).
    pub fn from_options(json: &Value) -> Option<ApiLocations> {
        let values = json.get("value")?.as_array()?;
        let mut by_id = HashMap::new();
        for v in values {
            let text = |k: &str| v.get(k).and_then(Value::as_str);
            let (Some(id), Some(max)) =
                (text("id"), text("maxVersion").and_then(ApiVersion::parse))
            else {
                continue;
            };
            let released = text("releasedVersion")
                .and_then(ApiVersion::parse)
                .unwrap_or(max);
            let resource_version = v
                .get("resourceVersion")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(1);
            by_id.insert(
                id.to_ascii_lowercase(),
                Location {
                    max,
                    released,
                    resource_version,
                },
            );
        }
        (!by_id.is_empty()).then_some(ApiLocations { by_id })
    }

    /// The version to ask for when `requested` is what patwiz would like.
    pub fn negotiate(&self, location_id: &str, requested: &str) -> Negotiated {
        let Some(location) = self.by_id.get(&location_id.to_ascii_lowercase()) else {
            return Negotiated::Missing;
        };
        let Some(wanted) = ApiVersion::parse(requested) else {
            return Negotiated::Version(requested.to_string());
        };
        if wanted <= location.max {
            return Negotiated::Version(requested.to_string());
        }
        let version = location.max;
        if version > location.released {
            let requested_resource = requested
                .split_once("-preview.")
                .and_then(|(_, r)| r.parse::<u32>().ok())
                .unwrap_or(location.resource_version);
            Negotiated::Version(format!(
                "{version}-preview.{}",
                requested_resource.min(location.resource_version)
            ))
        } else {
            Negotiated::Version(version.to_string())
        }
    }

    /// The highest version any API of this deployment takes (what a user would call the
    /// deployment's REST API level).
    pub fn ceiling(&self) -> Option<ApiVersion> {
        self.by_id.values().map(|l| l.max).max()
    }
}

/// `url` with its `api-version` query value replaced by `version`.
pub fn with_api_version(url: &str, version: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return format!("{url}?api-version={version}");
    };
    let mut found = false;
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| {
            if pair
                .split('=')
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case("api-version"))
            {
                found = true;
                format!("api-version={version}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    let mut query = parts.join("&");
    if !found {
        query.push_str(&format!("&api-version={version}"));
    }
    format!("{base}?{query}")
}

/// The api-version value in `url`, if any.
pub fn api_version_of(url: &str) -> Option<&str> {
    url.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.eq_ignore_ascii_case("api-version").then_some(v)
    })
}

/// `url` with the api-version the deployment takes for `location`. Without location data
/// (the cloud), `url` as it is. An API the deployment does not list is still asked, at the
/// deployment's highest version, so that its own answer (a route 404 on Azure DevOps Server)
/// says it is missing: an incomplete listing never hides an API that is there.
pub fn negotiated(apis: Option<&ApiLocations>, url: &str, location: &str) -> Option<String> {
    let Some(apis) = apis else {
        return Some(url.to_string());
    };
    let requested = api_version_of(url).unwrap_or("7.1").to_string();
    match apis.negotiate(location, &requested) {
        Negotiated::Version(v) => Some(with_api_version(url, &v)),
        Negotiated::Missing => {
            let ceiling = apis.ceiling()?;
            let wanted = ApiVersion::parse(&requested)?;
            let version = if wanted <= ceiling {
                requested
            } else {
                ceiling.to_string()
            };
            Some(with_api_version(url, &version))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn server_2020() -> ApiLocations {
        ApiLocations::from_options(&json!({"count": 2, "value": [
            {"id": "7A4D9EE9-3433-4347-B47A-7A80F1CF307E", "maxVersion": "6.0", "releasedVersion": "5.1", "resourceVersion": 3},
            {"id": "f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165", "maxVersion": "6.0", "releasedVersion": "6.0", "resourceVersion": 2},
        ]}))
        .unwrap()
    }

    #[test]
    fn never_asks_for_more_than_the_deployment_takes() {
        let s = server_2020();
        assert_eq!(
            s.negotiate("f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165", "7.1"),
            Negotiated::Version("6.0".into())
        );
        assert_eq!(
            s.negotiate("7a4d9ee9-3433-4347-b47a-7a80f1cf307e", "7.1-preview.3"),
            Negotiated::Version("6.0-preview.3".into())
        );
        assert_eq!(
            s.negotiate("f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165", "5.0"),
            Negotiated::Version("5.0".into())
        );
        assert_eq!(
            s.negotiate("8480c6eb-ce60-47e9-88df-eca3c801638b", "7.1"),
            Negotiated::Missing
        );
        assert_eq!(s.ceiling(), ApiVersion::parse("6.0"));
    }

    #[test]
    fn the_query_value_is_replaced() {
        assert_eq!(
            with_api_version(
                "https://x/_apis/teams?$top=1&api-version=7.1-preview.3",
                "6.0"
            ),
            "https://x/_apis/teams?$top=1&api-version=6.0"
        );
        assert_eq!(
            with_api_version("https://x/a", "5.0"),
            "https://x/a?api-version=5.0"
        );
        assert_eq!(
            api_version_of("https://x/a?b=1&api-version=7.1"),
            Some("7.1")
        );
    }
}
