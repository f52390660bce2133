//! `patwiz npmrc` and `patwiz pip-conf`: the entries npm and pip need to read an Azure
//! Artifacts feed with the stored token, shown with the token masked or, with `--write`, merged
//! into the user-level file (never a project's). Before anything is shown or written the token is
//! proven to read the feed, and the package host comes from the organization's own discovery.

use crate::cli::{CliError, CmdResult};
use std::path::PathBuf;
use std::process::ExitCode;

use reqwest::Method;
use secrecy::zeroize::Zeroizing;

use crate::cli::shared::token::open_vault;
use crate::cli::{FeedArgs, usage};
use crate::domain::checks::Verdict;
use crate::domain::feed_config::{self, Feed, PipPlacement};
use crate::domain::org_url::OrgUrl;
use crate::domain::token::{Token, check_pasted};
use crate::engine::http::{Auth, Http, HttpOptions};
use crate::store::user_config;

/// Which client's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Npm,
    Pip,
}

impl Client {
    fn command(self) -> &'static str {
        match self {
            Client::Npm => "npmrc",
            Client::Pip => "pip-conf",
        }
    }

    /// The user-level file the client reads: its own variable first, as the client does.
    fn user_file(self) -> Option<PathBuf> {
        let from_env = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var_os(n).filter(|v| !v.is_empty()))
                .map(PathBuf::from)
        };
        match self {
            Client::Npm => from_env(&["NPM_CONFIG_USERCONFIG", "npm_config_userconfig"])
                .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".npmrc"))),
            Client::Pip => from_env(&["PIP_CONFIG_FILE"]).or_else(|| {
                let name = if cfg!(windows) { "pip.ini" } else { "pip.conf" };
                directories::BaseDirs::new().map(|d| d.config_dir().join("pip").join(name))
            }),
        }
    }
}

/// `~/…` for a path under the home directory, as people write it.
fn shown(path: &std::path::Path) -> String {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match home.and_then(|h| path.strip_prefix(&h).ok().map(|p| p.to_path_buf())) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

pub async fn run(client: Client, args: FeedArgs) -> CmdResult {
    let org = crate::cli::org_or_only_stored(args.org.as_deref())?;
    crate::cli::refuse_lookalike(&org, false)?;
    if let Err(bad) = feed_config::check_feed_name(&args.feed) {
        return Err(usage(format!("--feed: {bad}")));
    }
    if let Some(project) = &args.project
        && (project.trim().is_empty() || project.chars().any(crate::domain::text::is_control))
    {
        return Err(usage(
            "--project: the project's name, as Azure DevOps shows it",
        ));
    }
    let token = token_for(&org, args.token_stdin, client).await?;
    let options = HttpOptions::default();
    let hosts = discover(&org, &options).await?;
    let feed = Feed {
        host: hosts.pkgs.clone(),
        project: args.project.clone(),
        name: args.feed.clone(),
        org_name: org.name().to_string(),
    };
    if !args.no_check
        && let Err(code) = prove_feed(&org, &token, &hosts.feeds, &feed, &options).await
    {
        return Err(code);
    }
    if client == Client::Npm {
        warn_about_project_npmrc();
    }
    let Some(path) = client.user_file() else {
        return Err(usage("no home directory: set HOME"));
    };
    if !args.write {
        preview(client, &feed, &token, &path);
        return Ok(ExitCode::SUCCESS);
    }
    write(client, &feed, &token, &path)
}

/// The token: from standard input, or the one stored for `org`.
async fn token_for(org: &OrgUrl, token_stdin: bool, client: Client) -> Result<Token, CliError> {
    if token_stdin {
        let raw = crate::cli::read_token_stdin().map_err(usage)?;
        return match check_pasted(&raw) {
            Ok(checked) => {
                crate::cli::warn_if_mistyped(&checked);
                Ok(checked.token)
            }
            Err(shape) => {
                eprintln!("patwiz: the token from standard input was refused: {shape}");
                Err(CliError::Said(ExitCode::from(
                    Verdict::TokenRejected.exit_code(),
                )))
            }
        };
    }
    let vault = open_vault().await?;
    match vault.token(&org.key()).await {
        Ok(Some(token)) => Ok(token),
        _ => Err(usage(format!(
            "{org} has no stored token: store one that can read feeds (`patwiz login --org {org} --profile azure-artifacts`), or pass one with `patwiz {} --token-stdin`",
            client.command()
        ))),
    }
}

async fn discover(
    org: &OrgUrl,
    options: &HttpOptions,
) -> Result<crate::engine::discovery::Hosts, CliError> {
    let http = Http::anonymous(options).map_err(|e| {
        eprintln!("patwiz: {e}");
        ExitCode::from(Verdict::Unreachable.exit_code())
    })?;
    crate::engine::discovery::discover(&http, org)
        .await
        .map(|d| d.hosts)
        .map_err(|stop| {
            eprintln!(
                "patwiz: {}",
                crate::domain::text::safe_message(&stop.detail)
            );
            CliError::Said(ExitCode::from(Verdict::Unreachable.exit_code()))
        })
}

/// Proves the token holds Packaging (Read) with the same probes as `check`, then that it can
/// read this very feed (which may not exist, or be a project's).
async fn prove_feed(
    org: &OrgUrl,
    token: &Token,
    feeds_host: &str,
    feed: &Feed,
    options: &HttpOptions,
) -> Result<(), CliError> {
    let profile = crate::domain::profiles::find("azure-artifacts").map_err(usage)?;
    let scopes = profile.scope_ids();
    let report = crate::flows::prove::run(
        crate::flows::prove::request(crate::flows::prove::Proof {
            org: org.clone(),
            token: token.clone(),
            scopes: &scopes,
            profile: Some(&profile),
            notes: Vec::new(),
            http: options.clone(),
            clock: crate::cli::clock(),
        }),
        None,
    )
    .await;
    if report.verdict != Verdict::Pass {
        crate::cli::print_report(&report);
        eprintln!("patwiz: nothing was written: the token cannot read feeds.");
        return Err(CliError::Said(ExitCode::from(report.exit_code())));
    }
    let http = Http::new(token.clone(), options).map_err(|e| {
        eprintln!("patwiz: {e}");
        ExitCode::from(Verdict::Unreachable.exit_code())
    })?;
    let segment = Feed::escaped;
    let url = match &feed.project {
        Some(p) => format!(
            "{feeds_host}/{}/_apis/packaging/feeds/{}?api-version=7.1",
            segment(p),
            segment(&feed.name)
        ),
        None => format!(
            "{feeds_host}/_apis/packaging/feeds/{}?api-version=7.1",
            segment(&feed.name)
        ),
    };
    let reply = http
        .send(Method::GET, &url, Auth::Rest, None)
        .await
        .map_err(|e| {
            eprintln!("patwiz: cannot reach the feeds of {org}: {e}");
            CliError::Said(ExitCode::from(Verdict::Unreachable.exit_code()))
        })?;
    let said = reply
        .message()
        .map(|m| {
            format!(
                " Azure DevOps says: \"{}\"",
                crate::domain::text::safe_message(&m)
            )
        })
        .unwrap_or_default();
    let place = feed
        .project
        .as_ref()
        .map_or_else(|| format!("{org}"), |p| format!("the project {p}"));
    match reply.status {
        200..=299 => {
            eprintln!(
                "patwiz: ✓ the token reads the feed {} of {place}.",
                feed.name
            );
            Ok(())
        }
        404 => {
            let hint = if feed.project.is_none() {
                " If it is a project's feed, add --project NAME."
            } else {
                " Check the feed's and the project's names in Azure Artifacts."
            };
            eprintln!(
                "patwiz: there is no feed {} in {place}.{said}{hint} Nothing was written.",
                feed.name
            );
            Err(CliError::Said(ExitCode::from(
                Verdict::MissingScopes.exit_code(),
            )))
        }
        401 | 403 => {
            eprintln!(
                "patwiz: the account behind the token may not read the feed {}.{said} Ask the feed's owner to make you a Reader (Azure Artifacts → the feed → Feed settings → Permissions). Nothing was written.",
                feed.name
            );
            Err(CliError::Said(ExitCode::from(
                Verdict::PermissionDenied.exit_code(),
            )))
        }
        status => {
            eprintln!(
                "patwiz: the feed {} could not be checked (HTTP {status}).{said} Nothing was written.",
                feed.name
            );
            Err(CliError::Said(ExitCode::from(
                Verdict::Unreachable.exit_code(),
            )))
        }
    }
}

/// A project `.npmrc` (here or up to the repository's top) holding a credential: said, with
/// file and line, never the value.
fn warn_about_project_npmrc() {
    let Ok(here) = std::env::current_dir() else {
        return;
    };
    let top = user_config::repository_of(&here.join("x")).unwrap_or_else(|| here.clone());
    let mut dir = Some(here.as_path());
    while let Some(d) = dir {
        let file = d.join(".npmrc");
        if let Ok(text) = crate::store::files::read_regular(&file, 1024 * 1024) {
            let text = Zeroizing::new(text);
            for found in feed_config::project_npmrc_credentials(&text) {
                eprintln!(
                    "patwiz: warning: {}:{} holds a credential ({}). A project's .npmrc is committed with the code: remove it there, keep credentials in your user ~/.npmrc (patwiz npmrc --write), and revoke the token if it was ever pushed.",
                    file.display(),
                    found.line,
                    found.key
                );
            }
        }
        if d == top {
            break;
        }
        dir = d.parent();
    }
}

fn preview(client: Client, feed: &Feed, token: &Token, path: &std::path::Path) {
    match client {
        Client::Npm => {
            println!("Your user-level {} would get (token masked):", shown(path));
            print!("{}", feed_config::npm_entries_masked(feed, token));
            println!();
            println!("Your project's .npmrc needs only (no token):");
            print!("{}", feed.npm_project_lines());
        }
        Client::Pip => {
            println!("Your user-level {} would get (token masked):", shown(path));
            println!("[global]");
            println!("index-url = {}", feed_config::pip_index_masked(feed, token));
        }
    }
    println!();
    println!(
        "Nothing was written. `patwiz {} --feed {}{} --write` merges it into {} (only you can read it).",
        client.command(),
        feed.name,
        feed.project
            .as_ref()
            .map(|p| format!(" --project \"{p}\""))
            .unwrap_or_default(),
        shown(path)
    );
}

fn write(client: Client, feed: &Feed, token: &Token, path: &std::path::Path) -> CmdResult {
    let Some(config) = crate::cli::config_dir() else {
        return Err(usage("no config directory: set PATWIZ_CONFIG_DIR"));
    };
    let _lock = match crate::store::files::exclusive_lock(
        &config.join(".feed-config.lock"),
        std::time::Duration::from_secs(10),
    ) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("patwiz: cannot write {}: {e}", shown(path));
            return Ok(ExitCode::from(1));
        }
    };
    let target = match user_config::writable_target(path) {
        Ok(t) => t,
        Err(refusal) => {
            eprintln!("patwiz: {refusal}. Nothing was written.");
            return Ok(ExitCode::from(1));
        }
    };
    let existing = match crate::store::files::read_regular(&target, 4 * 1024 * 1024) {
        Ok(text) => Zeroizing::new(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Zeroizing::new(String::new()),
        Err(e) => {
            eprintln!(
                "patwiz: cannot read {}: {e}. Nothing was written.",
                shown(path)
            );
            return Ok(ExitCode::from(1));
        }
    };
    let (merged, placement) = match client {
        Client::Npm => (
            feed_config::merge_npmrc(&existing, feed, &feed_config::npm_entries(feed, token)),
            None,
        ),
        Client::Pip => {
            let url = feed_config::pip_index_with_token(feed, token);
            let (text, placement) = feed_config::merge_pip_conf(&existing, feed, &url);
            (text, Some(placement))
        }
    };
    if let Err(e) = user_config::write_private(&target, &merged) {
        eprintln!("patwiz: {e}. The file is as it was.");
        return Ok(ExitCode::from(1));
    }
    println!(
        "Wrote the credentials for the feed {} to {} (only you can read it).",
        feed.name,
        shown(path)
    );
    match (client, placement) {
        (Client::Npm, _) => {
            println!("Your project's .npmrc needs only (no token):");
            print!("{}", feed.npm_project_lines());
        }
        (Client::Pip, Some(PipPlacement::Extra)) => println!(
            "pip keeps the index it already had and also looks in {} (extra-index-url).",
            feed.name
        ),
        (Client::Pip, _) => println!("pip now installs from {} (index-url).", feed.name),
    }
    println!(
        "When you rotate the token, run this again: the old entry is replaced, nothing else changes."
    );
    Ok(ExitCode::SUCCESS)
}
