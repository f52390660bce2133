//! A team vault's token rotated by creating (`rotate --to … --create`) against the emulated
//! Azure DevOps, its Microsoft Entra and lifecycle API, and the in-process KV and Key Vault
//! doubles: the new token proven and written on the version read first, the old one revoked,
//! kept while Azure DevOps still accepts it and put beyond reach once it refuses it; two
//! rotations at once leave one winner and no orphan token.

use std::process::Output;
use std::time::Duration;

use patwiz::emulator::kv::KvDouble;
use patwiz::emulator::{Emulator, Scenario};

const ROOT: &str = "team-root-token-rotation-42";
const TO: &str = "vault://secret/ado/git-zen";

struct World {
    emu: Emulator,
    /// The emulated organization's URL: the facts name it, and a rotation names it with
    /// --org (a port on this machine gets a team's token only when the person names it).
    org: String,
    /// `127.0.0.1:PORT` of the emulator, as `status --from --check --trust-server` names it.
    local: String,
    kv: KvDouble,
    config: tempfile::TempDir,
    browser: std::path::PathBuf,
}

impl World {
    async fn start(scenario: Option<Scenario>) -> World {
        let emu = match scenario {
            Some(s) => crate::support::clock::start(s, "127.0.0.1:0")
                .await
                .unwrap(),
            None => crate::support::clock::start_demo().await.unwrap(),
        };
        let kv = KvDouble::start(ROOT, Duration::ZERO).await.unwrap();
        let config = tempfile::tempdir().unwrap();
        let browser = crate::support::fixtures::fake_browser(config.path());
        let org = emu.org_url();
        let url = url::Url::parse(&org).unwrap();
        let local = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
        World {
            emu,
            org,
            local,
            kv,
            config,
            browser,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.envs(env.iter().copied());
        cmd.args(args)
            .env("VAULT_ADDR", self.kv.addr())
            .env("VAULT_TOKEN", ROOT)
            .env("BROWSER", &self.browser)
            .env("PATWIZ_AZ", "/nonexistent/az")
            .env("PATWIZ_CONFIG_DIR", self.config.path());
        tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, None))
    }

    /// `create --to`: the first token, made and proven, in the vault as version 1.
    fn create(&self) -> String {
        let out = self.run(&[
            "create",
            "--org",
            &self.emu.org_url(),
            "--profile",
            "git-zen",
            "--to",
            TO,
        ]);
        let text = self.said(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        self.kv.custom_metadata("secret/ado/git-zen").unwrap()["authorization_id"].clone()
    }

    /// `login --to` with the demo's git-zen token pasted: the first token, one patwiz did not
    /// make (no id).
    fn login_pasted(&self) -> String {
        let pasted = self.emu.token("git-zen").unwrap();
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args([
            "login",
            "--org",
            &self.emu.org_url(),
            "--profile",
            "git-zen",
            "--token-stdin",
            "--to",
            TO,
        ])
        .env("VAULT_ADDR", self.kv.addr())
        .env("VAULT_TOKEN", ROOT)
        .env("PATWIZ_CONFIG_DIR", self.config.path());
        let out =
            tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, Some(&pasted)));
        assert_eq!(out.status.code(), Some(0), "{}", self.said(&out));
        pasted
    }

    /// Everything printed, checked to hold no secret the emulated services issued.
    fn said(&self, out: &Output) -> String {
        let text = crate::support::cmd::text(out);
        for secret in self.emu.issued_secrets() {
            assert!(
                !text.contains(&secret[..secret.len().min(16)]),
                "a secret is in the output: {text}"
            );
        }
        assert!(!text.contains(ROOT), "the vault token is in the output");
        text
    }

    fn facts(&self) -> std::collections::BTreeMap<String, String> {
        self.kv.custom_metadata("secret/ado/git-zen").unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_token_stays_in_the_vault_until_azure_devops_refuses_it_and_is_then_destroyed() {
    let w = World::start(None).await;
    let first_id = w.create();
    let first = w.kv.version("secret/ado/git-zen", 1).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Azure DevOps can take up to an hour to stop a revoked token everywhere.
    w.emu.set_revocation_lag(Duration::from_secs(3600));

    let out = w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Token rotated"), "{text}");
    assert!(text.contains("(version 2)"), "{text}");
    assert!(
        text.contains("still accepts it for now") && text.contains("keeps it as version 1"),
        "{text}"
    );
    assert!(
        text.contains("This machine stored the replaced token"),
        "create --to kept a copy here, which now holds the new token: {text}"
    );
    let second = w.kv.version("secret/ado/git-zen", 2).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);
    assert!(
        w.kv.version("secret/ado/git-zen", 1).is_some(),
        "kept while accepted"
    );
    let facts = w.facts();
    assert_ne!(facts["authorization_id"], first_id);
    assert_eq!(facts["replaced_id"], first_id);
    assert_eq!(facts["replaced_version"], "1");
    assert_eq!(
        w.emu.minted_live(),
        1,
        "the old token is revoked in the API"
    );

    // The fleet check, still within the lag: kept, and no action needed yet.
    let out = w.run(&[
        "status",
        "--from",
        "vault://secret/ado",
        "--check",
        "--trust-server",
        &w.local,
    ]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("still accepted for now"), "{text}");
    assert!(w.kv.version("secret/ado/git-zen", 1).is_some());

    // Once Azure DevOps refuses it, the next check destroys version 1 and lets go of it.
    w.emu.set_revocation_lag(Duration::ZERO);
    let out = w.run(&[
        "status",
        "--from",
        "vault://secret/ado",
        "--check",
        "--trust-server",
        &w.local,
        "--json",
    ]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let member = &json["tokens"][0];
    assert_eq!(member["last_verdict"], "pass", "{text}");
    assert_eq!(member["replaced"]["state"], "dead", "{text}");
    assert_eq!(
        member["replaced"]["retired"], "version 1 destroyed",
        "{text}"
    );
    assert!(w.kv.version("secret/ado/git-zen", 1).is_none(), "destroyed");
    assert_eq!(
        w.kv.version("secret/ado/git-zen", 2).unwrap()["token"],
        second.as_str(),
        "the new token is untouched"
    );
    let facts = w.facts();
    assert!(!facts.contains_key("replaced_id"), "{facts:?}");
    assert_eq!(facts["last_verdict"], "pass");
    let out = w.run(&["status", "--from", "vault://secret/ado"]);
    let text = w.said(&out);
    assert!(!text.contains("the token it replaced"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_whose_old_token_is_refused_at_once_destroys_it_in_the_same_run() {
    let w = World::start(None).await;
    w.create();
    let out = w.run(&["rotate", "--to", TO, "--org", &w.org, "--create", "--json"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["rotated"], true);
    assert_eq!(json["version"], 2);
    assert_eq!(json["replaced"]["revoked"], true);
    assert_eq!(json["replaced"]["state"], "dead");
    assert_eq!(json["replaced"]["retired"], "version 1 destroyed");
    assert_eq!(json["check"]["verdict"], "pass");
    assert!(w.kv.version("secret/ado/git-zen", 1).is_none());
    assert!(!w.facts().contains_key("replaced_id"));
    assert_eq!(
        w.facts()["authorization_id"],
        json["authorizationId"].as_str().unwrap()
    );
    assert_eq!(w.emu.minted_live(), 1);

    // --dry-run creates and writes nothing.
    let writes = w.kv.writes().len();
    let out = w.run(&[
        "rotate",
        "--to",
        TO,
        "--org",
        &w.org,
        "--create",
        "--dry-run",
    ]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Would create a token"), "{text}");
    assert!(text.contains("as version 3"), "{text}");
    assert_eq!(w.kv.writes().len(), writes);
    assert_eq!(w.emu.minted_live(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_rotations_by_creating_at_once_leave_one_winner_and_no_orphan_token() {
    // Every authenticated answer 400 ms late: both rotators read the vault before either writes
    // (creating and proving take a dozen such answers), even on a loaded machine.
    let slow = Scenario::parse(&format!(
        "{}\n[[faults]]\nkind = \"latency\"\nms = 400\n",
        patwiz::emulator::scenario::DEFAULT_SCENARIO
    ))
    .unwrap();
    let w = World::start(Some(slow)).await;
    w.create();
    assert_eq!(w.emu.minted_live(), 1);
    let (a, b) = tokio::task::block_in_place(|| {
        std::thread::scope(|s| {
            let one = s.spawn(|| w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]));
            let two = s.spawn(|| w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]));
            (one.join().unwrap(), two.join().unwrap())
        })
    });
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(75)),
        "{codes:?}\n{}\n{}",
        w.said(&a),
        w.said(&b)
    );
    let loser = if a.status.code() == Some(75) { &a } else { &b };
    let text = w.said(loser);
    assert!(
        text.contains("someone else wrote secret/ado/git-zen"),
        "{text}"
    );
    assert!(text.contains("revoked again"), "{text}");
    assert!(text.contains("still holds the old token"), "{text}");
    // One winner, and the loser's token revoked: only the winner's token is live.
    assert_eq!(w.kv.writes().len(), 2);
    assert_eq!(w.emu.minted_live(), 1);
    let settings = std::fs::read_to_string(w.config.path().join("settings.toml")).unwrap();
    assert!(
        !settings.contains("[[pending]]"),
        "no journal entry is left: {settings}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_vault_rotation_by_creating_disables_the_old_version_once_it_is_refused() {
    use patwiz::emulator::keyvault::KeyVaultDouble;
    let w = World::start(None).await;
    let vault = KeyVaultDouble::start_accepting(
        std::sync::Arc::new(w.emu.issued_access_check()),
        &w.emu.authority(),
    )
    .await
    .unwrap();
    let ca = w.config.path().join("ca.pem");
    std::fs::write(&ca, vault.ca_pem()).unwrap();
    let to = format!("{}/secrets/ado-git-zen", vault.url());
    let run = |args: &[&str]| {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .args(["--sign-in", "browser"])
            .env("BROWSER", &w.browser)
            .env("PATWIZ_AZ", "/nonexistent/az")
            .env("SSL_CERT_FILE", &ca)
            .env("PATWIZ_CONFIG_DIR", w.config.path());
        tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, None))
    };
    let out = run(&[
        "create",
        "--org",
        &w.emu.org_url(),
        "--profile",
        "git-zen",
        "--to",
        &to,
    ]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let first_id = vault.tags("ado-git-zen")["authorization_id"].clone();

    w.emu.set_revocation_lag(Duration::from_secs(3600));
    let out = run(&["rotate", "--to", &to, "--org", &w.org, "--create"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("still accepts it for now"), "{text}");
    assert_eq!(vault.enabled("ado-git-zen"), [true, true]);
    let tags = vault.tags("ado-git-zen");
    assert_eq!(tags["replaced_id"], first_id);
    assert_eq!(tags["replaced_version"].len(), 32, "a Key Vault version id");

    w.emu.set_revocation_lag(Duration::ZERO);
    let out = run(&[
        "status",
        "--from",
        &vault.url(),
        "--check",
        "--trust-server",
        &w.local,
    ]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("no longer accepts it; its version in the Key Vault disabled"),
        "{text}"
    );
    assert_eq!(vault.enabled("ado-git-zen"), [false, true]);
    let tags = vault.tags("ado-git-zen");
    assert!(!tags.contains_key("replaced_id"), "{tags:?}");
    assert_eq!(tags["last_verdict"], "pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_tokens_successor_is_made_and_the_person_is_told_to_revoke_the_old_one() {
    let w = World::start(None).await;
    let pasted = w.login_pasted();

    let out = w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "was not created by patwiz, so its id is not known: revoke it in Azure DevOps"
        ),
        "{text}"
    );
    assert!(!w.facts().contains_key("replaced_id"), "nothing to confirm");
    assert_eq!(
        w.kv.version("secret/ado/git-zen", 1).unwrap()["token"],
        pasted.as_str(),
        "the pasted token stays in the vault's history"
    );
    assert!(w.kv.version("secret/ado/git-zen", 2).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_refusal_leaves_the_vault_as_it_was_and_says_who_can_change_it() {
    let restricted = crate::support::fixtures::scenario_with_lifecycle(
        "[lifecycle]\nuser = \"ada\"\nrestrict_creation = true\n",
    );
    let w = World::start(Some(restricted)).await;
    w.login_pasted();

    let out = w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("Who can change it:"), "{text}");
    assert!(text.contains("still holds the old token"), "{text}");
    assert_eq!(w.kv.writes().len(), 1, "nothing written");
    assert_eq!(w.emu.minted_live(), 0, "nothing made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_tampered_to_name_another_token_never_turn_a_rotation_against_it() {
    let w = World::start(None).await;
    w.create();
    // Another token of the same person, for another integration, made on another machine.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args(["create", "--org", &w.emu.org_url(), "--profile", "nango"])
        .env("BROWSER", &w.browser)
        .env("PATWIZ_AZ", "/nonexistent/az")
        .env("PATWIZ_CONFIG_DIR", elsewhere.path());
    let out = tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, None));
    assert_eq!(out.status.code(), Some(0), "{}", w.said(&out));
    let settings: toml::Value =
        toml::from_str(&std::fs::read_to_string(elsewhere.path().join("settings.toml")).unwrap())
            .unwrap();
    let other_id = settings["org"][0]["authorization_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Someone who can write the vault points its facts at that token.
    let mut facts = w.facts();
    facts.insert("authorization_id".into(), other_id.clone());
    let kv = patwiz::engine::kv::Kv::new(
        &w.kv.addr(),
        secrecy::SecretString::from(ROOT.to_string()),
        None,
        &patwiz::engine::http::HttpOptions::default(),
    )
    .unwrap();
    kv.set_metadata("secret", "ado/git-zen", &facts)
        .await
        .unwrap();
    assert_eq!(w.emu.minted_live(), 2);

    let out = w.run(&["rotate", "--to", TO, "--org", &w.org, "--create"]);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("is not one patwiz made for demo with these scopes, so it was not revoked"),
        "{text}"
    );
    // The other integration's token lives on (with the two git-zen ones, as nothing was
    // revoked): only the person decides about it.
    assert_eq!(w.emu.minted_live(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_killed_after_any_step_leaves_the_vault_a_working_token_and_no_orphan() {
    let w = World::start(None).await;
    w.create();
    let rotate = ["rotate", "--to", TO, "--org", &w.org, "--create"];

    // Killed after the new token's id is journaled, before anything uses it.
    let out = w.run_with(&rotate, &[("PATWIZ_TEST_CRASH_MINT", "team-journaled")]);
    assert_ne!(out.status.code(), Some(0), "{}", w.said(&out));
    assert_eq!(
        w.kv.writes().len(),
        1,
        "the vault still holds the first token"
    );
    assert_eq!(w.emu.minted_live(), 2, "the first and the orphan");
    // The next rotation revokes the orphan first, then rotates.
    let out = w.run(&rotate);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Revoked 1 token(s) an interrupted rotation"),
        "{text}"
    );
    assert_eq!(w.emu.minted_live(), 1);
    assert!(
        w.kv.version("secret/ado/git-zen", 1).is_none(),
        "refused, destroyed"
    );

    // Killed after the write, before the old token is revoked.
    let out = w.run_with(&rotate, &[("PATWIZ_TEST_CRASH_MINT", "team-stored")]);
    assert_ne!(out.status.code(), Some(0), "{}", w.said(&out));
    assert_eq!(w.kv.writes().len(), 3);
    assert_eq!(w.facts()["replaced_version"], "2");
    assert_eq!(
        w.emu.minted_live(),
        2,
        "the stored token and the one it replaced"
    );
    // The vault's token works; the next rotation keeps it (it is the vault's, not a leftover),
    // revokes the one the interrupted run replaced, and rotates.
    let out = w.run(&rotate);
    let text = w.said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("interrupted rotation"), "{text}");
    assert!(
        text.contains("A token an earlier rotation replaced: revoked: Azure DevOps no longer accepts it; version 2 destroyed"),
        "{text}"
    );
    assert!(text.contains("version 3 destroyed"), "{text}");
    assert_eq!(w.emu.minted_live(), 1);
    let settings = std::fs::read_to_string(w.config.path().join("settings.toml")).unwrap();
    assert!(!settings.contains("[[pending]]"), "{settings}");
}
