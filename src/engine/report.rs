//! The result of a check run: what `patwiz check` prints (text or JSON) and what the wizard
//! shows. Secret-free by construction: no field can hold the token.

use serde::Serialize;

use crate::domain::checks::{CheckClass, CheckStatus, Verdict};

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OrgInfo {
    /// What the user gave.
    pub input: String,
    /// The normalised URL.
    pub url: String,
    pub name: String,
    /// `cloud`, `cloud-legacy` or `server`.
    pub kind: crate::domain::org_url::OrgKind,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Identity {
    pub id: String,
    pub display_name: String,
    pub unique_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckResult {
    /// The OAuth scope id (`vso.work_write`).
    pub scope: String,
    /// The checkbox in the PAT dialog (`Work Items: Read & write`).
    pub label: String,
    pub status: CheckStatus,
    pub http_status: Option<u16>,
    pub class: CheckClass,
    pub remediation: String,
    pub source: String,
    pub elapsed_ms: u64,
    /// False for the extra scopes probed to warn about over-privilege.
    pub required: bool,
    /// What was checked, and what came back (e.g. the service's own message).
    pub detail: String,
    /// The profile's reason for this scope, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub org: OrgInfo,
    pub identity: Option<Identity>,
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
    pub elapsed_ms: u64,
    /// Notes for the whole run (trimmed token, Full access suspicion, skipped discovery).
    pub notes: Vec<String>,
}

impl Report {
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise")
    }

    /// One line per scope with a mark, the class and the fix.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Organization: {} ({})\n",
            self.org.url, self.org.kind
        ));
        match &self.identity {
            Some(id) => out.push_str(&format!(
                "Token of:     {} <{}>\n",
                id.display_name, id.unique_name
            )),
            None => out.push_str("Token of:     (not identified)\n"),
        }
        out.push('\n');
        for check in &self.checks {
            let label = if check.required {
                check.label.clone()
            } else {
                format!("{} (not needed)", check.label)
            };
            out.push_str(&format!(
                " {} {:<44} {:<18} {}\n",
                check.status.mark(),
                label,
                check.class.as_str(),
                check.detail
            ));
            if check.class != CheckClass::Ok || !check.required {
                out.push_str(&format!("     Fix: {}\n", check.remediation));
                out.push_str(&format!("     Source: {}\n", check.source));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("\nNote: {note}\n"));
        }
        let required: Vec<_> = self.checks.iter().filter(|c| c.required).collect();
        let passed = required
            .iter()
            .filter(|c| c.status == CheckStatus::Pass)
            .count();
        out.push_str(&format!(
            "\nVerdict: {} ({} of {} required scopes proven, {} ms)\n",
            self.verdict.as_str(),
            passed,
            required.len(),
            self.elapsed_ms
        ));
        out
    }

    /// A secret-free markdown summary for a helpdesk ticket.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### patwiz check: {}\n\n- Organization: {} ({})\n",
            self.verdict.as_str(),
            self.org.url,
            self.org.kind
        );
        if let Some(id) = &self.identity {
            out.push_str(&format!(
                "- Token of: {} <{}>\n",
                id.display_name, id.unique_name
            ));
        }
        out.push_str("\n| | scope | checkbox | result | fix |\n|---|---|---|---|---|\n");
        for c in &self.checks {
            let fix = if c.class == CheckClass::Ok && c.required {
                String::new()
            } else {
                c.remediation.replace('|', "/")
            };
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |\n",
                c.status.mark(),
                c.scope,
                c.label,
                c.class.as_str(),
                fix
            ));
        }
        out
    }
}
