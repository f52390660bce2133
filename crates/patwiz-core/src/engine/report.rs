//! The result of a check run: what `patwiz check` prints (text or JSON) and what the wizard
//! shows. Secret-free by construction: no field can hold the token.

use serde::Serialize;

use crate::domain::checks::{CheckClass, CheckStatus, EXIT_OVER_PRIVILEGED, Verdict};

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OrgInfo {
    /// What the user gave.
    pub input: String,
    /// The normalised URL.
    pub url: String,
    pub name: String,
    /// `cloud`, `cloud-legacy` or `server`.
    pub kind: crate::domain::org_url::OrgKind,
    /// The highest REST API version the deployment takes, when patwiz asked for less than its
    /// own (given with `--api-version`, remembered, or learned from a refusal this run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
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

impl CheckResult {
    /// A required scope that failed, or could not be checked (no answer, a refusal before it
    /// ran): the rows the "what to do" advice is about.
    pub fn needs_action(&self) -> bool {
        self.required
            && matches!(
                self.status,
                CheckStatus::Fail | CheckStatus::Error | CheckStatus::Skipped
            )
    }
}

/// Serialised with [`Report::over_privileged`] beside its fields (see `impl Serialize`).
#[derive(Debug, Clone)]
pub struct Report {
    /// When the check ran (RFC 3339).
    pub checked_at: Option<time::OffsetDateTime>,
    pub org: OrgInfo,
    pub identity: Option<Identity>,
    pub verdict: Verdict,
    pub checks: Vec<CheckResult>,
    pub elapsed_ms: u64,
    /// Notes for the whole run (trimmed token, Full access suspicion, skipped discovery).
    pub notes: Vec<String>,
}

/// The JSON of a report: its fields, and `over_privileged` (the labels of the powerful scopes
/// held but not needed) so that a script need not read a note to learn it.
impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            #[serde(with = "time::serde::rfc3339::option")]
            checked_at: Option<time::OffsetDateTime>,
            org: &'a OrgInfo,
            identity: &'a Option<Identity>,
            verdict: Verdict,
            over_privileged: Vec<&'a str>,
            checks: &'a [CheckResult],
            elapsed_ms: u64,
            notes: &'a [String],
        }
        Json {
            checked_at: self.checked_at,
            org: &self.org,
            identity: &self.identity,
            verdict: self.verdict,
            over_privileged: self.over_privileged(),
            checks: &self.checks,
            elapsed_ms: self.elapsed_ms,
            notes: &self.notes,
        }
        .serialize(serializer)
    }
}

impl Report {
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise")
    }

    /// The report for a terminal or a log, wrapped to `width` columns (`None`: not wrapped):
    /// the facts, one row per scope with its result in words and the evidence under the ones
    /// that did not pass, then what to do once, where the advice comes from, and the verdict.
    pub fn to_text(&self, width: Option<usize>) -> String {
        let wrap = |text: &str, first: &str, rest: &str| -> String {
            match width {
                Some(w) => {
                    let options = textwrap::Options::new(w.max(40))
                        .initial_indent(first)
                        .subsequent_indent(rest)
                        // Lines break at spaces, never at the hyphens of a GUID, a date or a name.
                        .word_splitter(textwrap::WordSplitter::NoHyphenation);
                    textwrap::fill(text, options) + "\n"
                }
                None => format!("{first}{text}\n"),
            }
        };
        let mut out = String::new();
        out.push_str(&wrap(
            &format!("{} ({})", self.org.url, self.org.kind),
            "Organization: ",
            "              ",
        ));
        let who = self.identity.as_ref().map_or_else(
            || "(not identified)".to_string(),
            |id| format!("{} <{}>", id.display_name, id.unique_name),
        );
        out.push_str(&wrap(&who, "Token of:     ", "              "));
        out.push('\n');
        let label_width = self
            .checks
            .iter()
            .map(|c| c.label.chars().count() + if c.required { 0 } else { 13 })
            .max()
            .unwrap_or(0)
            .min(44);
        let mut shown: Vec<&str> = Vec::new();
        for check in &self.checks {
            let label = if check.required {
                check.label.clone()
            } else {
                format!("{} (not needed)", check.label)
            };
            out.push_str(&format!(
                " {} {label:<label_width$}  {}\n",
                check.status.mark(),
                check.class.words()
            ));
            // The evidence, each piece once (a token refused at the first request fails every
            // row for the same reason, which the notes say).
            let said = shown.contains(&check.detail.as_str())
                || self.notes.iter().any(|n| check.detail.contains(n.as_str()));
            if check.class != CheckClass::Ok && !check.detail.is_empty() && !said {
                out.push_str(&wrap(&check.detail, "     ", "     "));
                shown.push(&check.detail);
            }
        }
        out.push('\n');
        if let Some(fix) = self.what_to_do() {
            out.push_str(&wrap(&fix, "What to do now: ", "                "));
        }
        // The advice for what passes but is not needed (least privilege), once each.
        let mut also: Vec<&str> = Vec::new();
        for check in self.checks.iter().filter(|c| !c.required) {
            if !check.remediation.is_empty() && !also.contains(&check.remediation.as_str()) {
                also.push(&check.remediation);
            }
        }
        for advice in also {
            out.push_str(&wrap(advice, "Also: ", "      "));
        }
        let mut sources: Vec<&str> = Vec::new();
        for check in self
            .checks
            .iter()
            .filter(|c| c.class != CheckClass::Ok || !c.required)
        {
            if !check.source.is_empty() && !sources.contains(&check.source.as_str()) {
                sources.push(&check.source);
            }
        }
        if !sources.is_empty() {
            out.push_str(&wrap(&sources.join("; "), "Sources: ", "         "));
        }
        for note in &self.notes {
            out.push_str(&wrap(note, "Note: ", "      "));
        }
        let required: Vec<_> = self.checks.iter().filter(|c| c.required).collect();
        let passed = required
            .iter()
            .filter(|c| c.status == CheckStatus::Pass)
            .count();
        let extra = self.over_privileged().len();
        let held = match (self.verdict, extra) {
            (Verdict::Pass, 1) => ", but it holds 1 powerful scope not needed".to_string(),
            (Verdict::Pass, n) if n > 1 => {
                format!(", but it holds {n} powerful scopes not needed")
            }
            _ => String::new(),
        };
        out.push_str(&format!(
            "\nVerdict: {}{held} ({} of {} required scopes proven, {} ms)\n",
            self.verdict.as_str(),
            passed,
            required.len(),
            self.elapsed_ms
        ));
        out
    }

    /// The verdict as a headline for a person. A refused token says why it was refused, by the
    /// first check that refused it (a token that was read but whose account is not in the
    /// organization was not "rejected").
    pub fn headline(&self, integration: &str) -> String {
        if self.verdict == Verdict::TokenRejected {
            match self
                .checks
                .iter()
                .map(|c| c.class)
                .find(|c| c.rejects_token())
            {
                Some(CheckClass::NoAccess) => {
                    return "The token's account has no access to this organization".to_string();
                }
                Some(CheckClass::TokenExpired) => return "The token has expired".to_string(),
                Some(CheckClass::PolicyBlocked) => {
                    return "The organization's policy refused this token".to_string();
                }
                _ => {}
            }
        }
        let extra = self.over_privileged().len();
        if self.verdict == Verdict::Pass && extra > 0 {
            return format!(
                "{}, but it holds {extra} powerful scope{} {integration} does not need",
                self.verdict.headline(integration),
                if extra == 1 { "" } else { "s" }
            );
        }
        self.verdict.headline(integration)
    }

    /// The powerful scopes the token holds that the integration does not need (most often: a
    /// Full access token). A pass with any of these is a pass with a warning, never a plain one.
    pub fn over_privileged(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| !c.required && c.class == CheckClass::Ok)
            .map(|c| c.label.as_str())
            .collect()
    }

    /// The exit code; with `strict`, a pass that holds scopes the integration does not need
    /// fails with [`EXIT_OVER_PRIVILEGED`].
    pub fn exit_code_for(&self, strict: bool) -> u8 {
        if strict && self.verdict == Verdict::Pass && !self.over_privileged().is_empty() {
            EXIT_OVER_PRIVILEGED
        } else {
            self.exit_code()
        }
    }

    /// What to do now, once: every missing scope in one sentence (they are ticked on the same
    /// token), then each other distinct fix. `None` when nothing needs fixing.
    pub fn what_to_do(&self) -> Option<String> {
        let failing: Vec<&CheckResult> = self.checks.iter().filter(|c| c.needs_action()).collect();
        let mut fixes: Vec<String> = Vec::new();
        let missing: Vec<&str> = failing
            .iter()
            .filter(|c| c.class == CheckClass::MissingScope)
            .map(|c| c.label.as_str())
            .collect();
        if !missing.is_empty() {
            fixes.push(format!(
                "Edit the token in Azure DevOps (User settings → Personal access tokens → select it → Edit), tick {}, save, then check again: editing keeps the token's value.",
                crate::domain::text::list_and(&missing)
            ));
        }
        for c in failing
            .iter()
            .filter(|c| c.class != CheckClass::MissingScope)
        {
            if !c.remediation.is_empty() && !fixes.contains(&c.remediation) {
                fixes.push(c.remediation.clone());
            }
        }
        (!fixes.is_empty()).then(|| fixes.join(" "))
    }

    /// A plain-text report for a helpdesk ticket (it pastes cleanly where Markdown is not
    /// rendered): a one-line summary, the facts, the rows, what to do, the notes. Never the token.
    pub fn to_ticket(&self, facts: &TicketFacts<'_>) -> String {
        let required: Vec<_> = self.checks.iter().filter(|c| c.required).collect();
        let proven = required
            .iter()
            .filter(|c| c.class == CheckClass::Ok)
            .count();
        let mut out = format!(
            "{} ({} of {} scopes proven).\n\n",
            self.headline(facts.integration),
            proven,
            required.len()
        );
        let mut fact = |name: &str, value: String| out.push_str(&format!("{name:<14}{value}\n"));
        fact(
            "Organization:",
            format!("{} ({})", self.org.url, self.org.kind),
        );
        fact(
            "Token of:",
            self.identity.as_ref().map_or_else(
                || "not identified".to_string(),
                |id| format!("{} <{}>", id.display_name, id.unique_name),
            ),
        );
        fact("Profile:", facts.profile.to_string());
        if let Some(expires) = facts.expires {
            fact("Expires:", expires.to_string());
        }
        if let Some(store) = facts.stored_in {
            fact("Stored in:", store.to_string());
        }
        if let Some(created) = &facts.created {
            fact("Created:", format!("{created} (as the token itself says)"));
        }
        if let Some(fingerprint) = &facts.fingerprint {
            fact(
                "Token C3ID:",
                format!("{fingerprint} (Microsoft's fingerprint of it, not the token)"),
            );
        }
        fact(
            "Checked:",
            format!(
                "{} by patwiz {}",
                self.checked_at
                    .and_then(|t| t
                        .format(time::macros::format_description!(
                            "[year]-[month]-[day] [hour]:[minute] UTC"
                        ))
                        .ok())
                    .unwrap_or_else(|| "now".into()),
                env!("CARGO_PKG_VERSION")
            ),
        );
        out.push_str("\nScopes:\n");
        for c in &self.checks {
            let result = if c.required {
                c.class.words().to_string()
            } else {
                "held, but not needed".to_string()
            };
            let status = c
                .http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {} — {result}{}\n",
                c.status.mark(),
                c.label,
                if c.class == CheckClass::Ok {
                    String::new()
                } else {
                    status
                }
            ));
        }
        if let Some(fix) = self.what_to_do() {
            out.push_str(&format!("\nWhat to do: {fix}\n"));
        }
        if !self.notes.is_empty() {
            out.push_str("\nNotes:\n");
            for note in &self.notes {
                out.push_str(&format!("  - {note}\n"));
            }
        }
        out.push_str("\n(No token is in this report.)\n");
        out
    }
}

/// What the ticket report says besides the check itself.
#[derive(Debug, Clone, Default)]
pub struct TicketFacts<'a> {
    /// The integration's name ("Git-Zen").
    pub integration: &'a str,
    /// The profile's name (`git-zen`).
    pub profile: &'a str,
    /// The expiry date the person chose, as typed.
    pub expires: Option<&'a str>,
    /// Where the token was stored, once it was.
    pub stored_in: Option<&'a str>,
    /// The token's cross-company correlating id (names it without the secret).
    pub fingerprint: Option<String>,
    /// The month the token says it was created ("November 2026").
    pub created: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, required: bool, status: CheckStatus) -> CheckResult {
        CheckResult {
            scope: label.to_lowercase(),
            label: label.to_string(),
            status,
            http_status: Some(200),
            class: CheckClass::Ok,
            remediation: String::new(),
            source: String::new(),
            elapsed_ms: 1,
            required,
            detail: String::new(),
            why: None,
        }
    }

    fn report(checks: Vec<CheckResult>) -> Report {
        Report {
            checked_at: None,
            org: OrgInfo::default(),
            identity: None,
            verdict: Verdict::Pass,
            checks,
            elapsed_ms: 1,
            notes: vec![],
        }
    }

    #[test]
    fn a_pass_holding_more_than_it_needs_says_so_everywhere_and_fails_strictly() {
        let full = report(vec![
            row("Code: Read", true, CheckStatus::Pass),
            row("Build: Read", false, CheckStatus::Warn),
            row("Graph: Read", false, CheckStatus::Warn),
        ]);
        assert_eq!(full.over_privileged(), ["Build: Read", "Graph: Read"]);
        assert_eq!(
            full.headline("Git-Zen"),
            "The token works for Git-Zen, but it holds 2 powerful scopes Git-Zen does not need"
        );
        assert_eq!(full.exit_code_for(false), 0);
        assert_eq!(full.exit_code_for(true), EXIT_OVER_PRIVILEGED);
        let json: serde_json::Value = serde_json::from_str(&full.to_json()).unwrap();
        assert_eq!(
            json["over_privileged"],
            serde_json::json!(["Build: Read", "Graph: Read"])
        );
        assert!(
            full.to_text(None)
                .contains("Verdict: pass, but it holds 2 powerful scopes")
        );

        let exact = report(vec![row("Code: Read", true, CheckStatus::Pass)]);
        assert!(exact.over_privileged().is_empty());
        assert_eq!(exact.exit_code_for(true), 0);
        assert_eq!(exact.headline("Git-Zen"), "The token works for Git-Zen");
    }

    #[test]
    fn a_refused_token_is_headlined_by_why_it_was_refused() {
        let refused = |class: CheckClass| {
            let mut r = report(vec![CheckResult {
                class,
                ..row("Code: Read", true, CheckStatus::Fail)
            }]);
            r.verdict = Verdict::TokenRejected;
            r.headline("Git-Zen")
        };
        // Read, but its account is not in the organization: not "rejected".
        assert_eq!(
            refused(CheckClass::NoAccess),
            "The token's account has no access to this organization"
        );
        assert_eq!(refused(CheckClass::TokenExpired), "The token has expired");
        assert_eq!(
            refused(CheckClass::TokenInvalid),
            "Azure DevOps rejected this token"
        );
    }
}
