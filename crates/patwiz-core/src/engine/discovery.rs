//! Discovery: prove the organization exists before any token is sent (anonymous requests), and
//! find the service hosts through resource areas rather than hard-coding them.
//!
//! Every lookup is `GET {org}/_apis/resourceAreas/{areaId}`, anonymous and in parallel. The core
//! area answers whether the organization exists; the others give the hosts for identities,
//! graph, entitlements, releases, feeds and the audit log. Azure DevOps Server lists no areas:
//! there, and wherever a lookup fails, the host is the one the service would use (the cloud's
//! well-known host, or the collection URL on Server). The token is only ever sent to hosts of
//! the organization's own service (same host, Azure DevOps domains for cloud, loopback for a
//! loopback organization).

use futures_util::future::join_all;
use reqwest::Method;
use url::Url;

use super::Stop;
use super::http::{Auth, Http, HttpError};
use crate::domain::checks::{CheckClass, classify_existence};
use crate::domain::org_url::{OrgKind, OrgUrl, is_loopback};

pub const AREA_CORE: &str = "79134c72-4a58-4b42-976c-04e7115f32bf";
pub const AREA_IMS: &str = "8a3d49b8-91f0-46ef-b33d-dda338c25db3";
pub const AREA_GRAPH: &str = "bb1e7ec9-e901-4b68-999a-de7012b920f8";
pub const AREA_ENTITLEMENTS: &str = "68ddce18-2501-45f1-a17b-7931a9922690";
pub const AREA_RELEASE: &str = "efc2f575-36ef-48e9-b672-0c6fb4a48ac5";
pub const AREA_FEEDS: &str = "7ab4e64e-c4d8-4f50-ae73-5ef2e21642a5";
pub const AREA_AUDIT: &str = "94ff054d-5ee1-413d-9341-3f4a7827de2e";
/// The npm area: where Azure Artifacts serves its package feeds (pkgs.dev.azure.com).
pub const AREA_NPM: &str = "4c83cfc1-f33a-477e-a789-29d38ffca52e";

/// Where each group of APIs lives (base URLs without a trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hosts {
    pub core: String,
    pub ims: String,
    pub graph: String,
    pub entitlements: String,
    pub release: String,
    pub feeds: String,
    pub audit: String,
    pub analytics: String,
    /// Azure Artifacts' package feeds (npm, PyPI, NuGet, …).
    pub pkgs: String,
}

#[derive(Debug, Clone)]
pub struct Discovery {
    pub hosts: Hosts,
    /// The service advertised resource areas (Azure DevOps Services); false on Server.
    pub advertised: bool,
}

/// Where the organization's services are, found anonymously; or why the run stops here.
pub async fn discover(http: &Http, org: &OrgUrl) -> Result<Discovery, Stop> {
    let areas = [
        AREA_CORE,
        AREA_IMS,
        AREA_GRAPH,
        AREA_ENTITLEMENTS,
        AREA_RELEASE,
        AREA_FEEDS,
        AREA_AUDIT,
        AREA_NPM,
    ];
    let lookups = areas.iter().map(|area| {
        let url = org.join(&format!(
            "_apis/resourceAreas/{area}?api-version=5.0-preview.1"
        ));
        async move { http.send(Method::GET, &url, Auth::Anonymous, None).await }
    });
    // The whole list too: Azure DevOps Server answers it (empty) where a single area is unknown.
    let list_url = org.join("_apis/resourceAreas?api-version=5.0-preview.1");
    let (results, list) = tokio::join!(
        join_all(lookups),
        http.send(Method::GET, &list_url, Auth::Anonymous, None)
    );
    let listed_areas: Vec<serde_json::Value> = list
        .as_ref()
        .ok()
        .filter(|r| (200..300).contains(&r.status))
        .and_then(|r| r.json())
        .and_then(|j| j.get("value").and_then(|v| v.as_array()).cloned())
        .unwrap_or_default();
    let list_answered = list
        .as_ref()
        .is_ok_and(|r| classify_existence(&r.answer()) == CheckClass::Ok);

    // The core area's own answer decides, unless the whole list answered (Server).
    if !list_answered {
        core_answer(org, &results[0])?;
    }

    let fallback = fallback_hosts(org);
    let mut advertised = false;
    let mut pick = |index: usize, default: &str| -> String {
        let single = results[index]
            .as_ref()
            .ok()
            .filter(|r| (200..300).contains(&r.status))
            .and_then(|r| r.json());
        let listed = listed_areas
            .iter()
            .find(|a| {
                a.get("id")
                    .and_then(|v| v.as_str())
                    .is_some_and(|id| id.eq_ignore_ascii_case(areas[index]))
            })
            .cloned();
        match single
            .or(listed)
            .and_then(|j| {
                j.get("locationUrl")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .and_then(|u| Url::parse(&u).ok())
            .filter(|u| host_allowed(org, u))
        {
            Some(url) => {
                advertised = true;
                url.as_str().trim_end_matches('/').to_string()
            }
            None => default.to_string(),
        }
    };
    let hosts = Hosts {
        core: pick(0, &fallback.core),
        ims: pick(1, &fallback.ims),
        graph: pick(2, &fallback.graph),
        entitlements: pick(3, &fallback.entitlements),
        release: pick(4, &fallback.release),
        feeds: pick(5, &fallback.feeds),
        audit: pick(6, &fallback.audit),
        analytics: fallback.analytics.clone(),
        pkgs: pick(7, &fallback.pkgs),
    };
    Ok(Discovery { hosts, advertised })
}

/// The organization's core area, looked up anonymously: found, or why not (no such
/// organization, stopped, unreachable, an answer that is not Azure DevOps').
fn core_answer(org: &OrgUrl, core: &Result<super::http::Reply, HttpError>) -> Result<(), Stop> {
    match core {
        Ok(reply) => {
            let class = classify_existence(&reply.answer());
            if class != CheckClass::Ok {
                let said = reply
                    .message()
                    .map(|m| format!(": \"{m}\""))
                    .unwrap_or_else(|| ".".to_string());
                let detail = match class {
                    CheckClass::OrgNotFound => {
                        format!("No organization answers at {org} (HTTP {}).", reply.status)
                    }
                    CheckClass::OrgDeactivated => {
                        format!("Azure DevOps says {org} is stopped{said}.")
                    }
                    _ => format!(
                        "{} answered HTTP {} to an anonymous lookup{}{said}",
                        org,
                        reply.status,
                        reply
                            .redirected_to
                            .as_ref()
                            .map(|h| format!(" and redirected to {h} (not followed)"))
                            .unwrap_or_default()
                    ),
                };
                return Err(Stop::new(class, Some(reply.status), detail));
            }
            Ok(())
        }
        Err(error) => {
            let class = match error {
                HttpError::Timeout(_) | HttpError::Deadline => CheckClass::Timeout,
                _ => CheckClass::Network,
            };
            Err(Stop::new(
                class,
                None,
                format!("Cannot reach {org}: {error}."),
            ))
        }
    }
}

/// The hosts the service uses when discovery says nothing.
pub fn fallback_hosts(org: &OrgUrl) -> Hosts {
    match org.kind() {
        OrgKind::Cloud | OrgKind::CloudLegacy => {
            let name = org.name();
            let on = |service: &str| format!("https://{service}.dev.azure.com/{name}");
            Hosts {
                core: org.as_str().to_string(),
                ims: on("vssps"),
                graph: on("vssps"),
                entitlements: on("vsaex"),
                release: on("vsrm"),
                feeds: on("feeds"),
                audit: on("auditservice"),
                analytics: on("analytics"),
                pkgs: on("pkgs"),
            }
        }
        OrgKind::Server => {
            let base = org.as_str().to_string();
            Hosts {
                core: base.clone(),
                ims: base.clone(),
                graph: base.clone(),
                entitlements: base.clone(),
                release: base.clone(),
                feeds: base.clone(),
                audit: base.clone(),
                analytics: base.clone(),
                pkgs: base,
            }
        }
    }
}

/// May the token be sent to `url`, advertised by `org`'s service? Exactly the organization's
/// own hosts: the same origin (scheme, host and port) for a loopback organization and for
/// Azure DevOps Server; for the cloud, https on the default port to `dev.azure.com` and its
/// service hosts (`vssps.dev.azure.com`, …) and only this organization's own
/// `{org}.visualstudio.com` family (never another organization's legacy host).
pub fn host_allowed(org: &OrgUrl, url: &Url) -> bool {
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(url));
    if !secure || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    if org.is_loopback() || org.kind() == OrgKind::Server {
        return url.origin() == org.url().origin();
    }
    if url.scheme() != "https" || url.port().is_some() {
        return false;
    }
    let name = org.name().to_ascii_lowercase();
    host == "dev.azure.com"
        || host.ends_with(".dev.azure.com")
        || host == format!("{name}.visualstudio.com")
        || (host.ends_with(".visualstudio.com") && host.starts_with(&format!("{name}.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrgUrl {
        OrgUrl::parse(s).unwrap()
    }

    #[test]
    fn the_token_goes_only_to_the_services_own_hosts() {
        let cloud = org("https://dev.azure.com/contoso");
        let ok = |u: &str| host_allowed(&cloud, &Url::parse(u).unwrap());
        assert!(ok("https://vssps.dev.azure.com/contoso/"));
        assert!(ok("https://contoso.visualstudio.com/"));
        assert!(ok("https://contoso.vssps.visualstudio.com/"));
        assert!(
            !ok("https://fabrikam.visualstudio.com/"),
            "another organization's host"
        );
        assert!(!ok("https://app.vssps.visualstudio.com/"));
        assert!(!ok("https://dev.azure.com:8443/contoso/"));
        assert!(!ok("https://evil.example/contoso/"));
        assert!(!ok("http://vssps.dev.azure.com/contoso/"));
        let server = org("https://tfs.corp.example/tfs/Main");
        assert!(host_allowed(
            &server,
            &Url::parse("https://tfs.corp.example/tfs/Main/").unwrap()
        ));
        assert!(!host_allowed(
            &server,
            &Url::parse("https://vssps.dev.azure.com/x").unwrap()
        ));
        assert!(
            !host_allowed(
                &server,
                &Url::parse("https://tfs.corp.example:8443/tfs/Main/").unwrap()
            ),
            "the same host on another port"
        );
        let local = org("http://127.0.0.1:9/demo");
        assert!(host_allowed(
            &local,
            &Url::parse("http://127.0.0.1:9/_hosts/vssps/demo/").unwrap()
        ));
        assert!(!host_allowed(
            &local,
            &Url::parse("https://vssps.dev.azure.com/demo/").unwrap()
        ));
        assert!(
            !host_allowed(
                &local,
                &Url::parse("http://127.0.0.1:10/_hosts/vssps/demo/").unwrap()
            ),
            "another loopback port"
        );
        assert!(
            !host_allowed(&local, &Url::parse("http://127.0.0.2:9/demo/").unwrap()),
            "another loopback address"
        );
    }

    #[test]
    fn fallbacks_follow_the_service_layout() {
        let cloud = fallback_hosts(&org("contoso.visualstudio.com"));
        assert_eq!(cloud.core, "https://contoso.visualstudio.com");
        assert_eq!(cloud.ims, "https://vssps.dev.azure.com/contoso");
        assert_eq!(cloud.entitlements, "https://vsaex.dev.azure.com/contoso");
        let server = fallback_hosts(&org("https://tfs.example/tfs/Main"));
        assert_eq!(server.ims, "https://tfs.example/tfs/Main");
        assert_eq!(server.analytics, "https://tfs.example/tfs/Main");
    }
}
