//! The command line: `patwiz [COMMAND]`. With no command it opens the wizard.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
pub(crate) use error::{CliError, CmdResult};
use secrecy::zeroize::Zeroizing;

mod commands;
mod error;
mod shared;

#[cfg(feature = "demo")]
use commands::demo;
use commands::{
    check, create, doctor, exec, feed, forget, git_credential, login, mend, remind, rotate,
    setup_git, status, tokens,
};

/// Exit status for a command-line usage error (BSD sysexits `EX_USAGE`).
pub use crate::domain::checks::EXIT_USAGE;

#[derive(Debug, Parser)]
#[command(
    name = "patwiz",
    version,
    about = "Set up an Azure DevOps personal access token that works, proven scope by scope",
    long_about = "patwiz walks you from \"I need a PAT for integration X\" to a least-privilege token, \
                  proven scope by scope and stored in the OS keyring. Run it with no command for the \
                  full-screen wizard, or `patwiz demo` to try it on a built-in demo organization."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Append one line per HTTP request (time, method, host, path, status, duration; never a
    /// header, a query or a token) to FILE, or to standard error with `-`.
    #[arg(long, global = true, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// With no command: the wizard as plain line-by-line prompts (screen readers, TERM=dumb),
    /// as `patwiz wizard --plain`.
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the wizard (the default when no command is given).
    Wizard(WizardArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell) to standard output.
    Completions(CompletionsArgs),
    /// Run the wizard on a built-in demo organization (no network, no account), or only its
    /// emulated Azure DevOps with --serve.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Prove a token's scopes for a profile; prints one line (or JSON) per scope.
    Check(CheckArgs),
    /// Validate a token for a profile and store it in the OS keyring.
    Login(LoginArgs),
    /// Show every stored organization: identity, profile, last verdict, days to expiry.
    Status(StatusArgs),
    /// Replace a stored token with a new one, only after the new one passes.
    Rotate(RotateArgs),
    /// Create a token for a profile through Azure DevOps' API (after a Microsoft Entra
    /// sign-in), prove it scope by scope, and store it.
    Create(CreateArgs),
    /// List your tokens in the organization (through the API), flagging global, Full-access
    /// and soon-expiring ones and those patwiz stores.
    Tokens(TokensArgs),
    /// Add a scope to the stored token or extend it, in place (the value stays), then prove it.
    Mend(MendArgs),
    /// git's credential helper: answers git with the stored token for the organizations patwiz
    /// stores (and its expiry); any other host is left to git's next helper.
    #[command(name = "git-credential")]
    GitCredential(GitCredentialArgs),
    /// Configure git (user level) to use patwiz for the stored organizations; --undo removes it.
    #[command(name = "setup-git")]
    SetupGit(SetupGitArgs),
    /// Run a command with the stored token in its environment only (az, Terraform, the MCP
    /// server, NuGet), after checking it still passes; the exit code is the command's.
    Exec(ExecArgs),
    /// The user-level ~/.npmrc entries npm needs for an Azure Artifacts feed (the token as
    /// base64, as npm wants it), shown masked or merged in with --write; never a project file.
    Npmrc(FeedArgs),
    /// The user-level pip.conf index for an Azure Artifacts feed, shown masked or merged in
    /// with --write; never a project file.
    #[command(name = "pip-conf")]
    PipConf(FeedArgs),
    /// Remove an organization's stored token and settings.
    Forget(OrgArg),
    /// Write a calendar reminder (iCalendar) 7 days before a token expires.
    Remind(RemindArgs),
    /// Say which secret store is in use, whether it survives a reboot, and whether it is locked.
    Doctor(DoctorArgs),
    /// When a PAT is the right choice, and how to prepare (plain text).
    Guide(GuideArgs),
    /// List the integration profiles and the scopes each needs.
    Profiles,
}

#[derive(Debug, Args, Default)]
pub struct WizardArgs {
    /// Plain line-by-line prompts instead of the full-screen interface (screen readers,
    /// TERM=dumb).
    #[arg(long)]
    pub plain: bool,
    /// Start with this organization URL filled in.
    #[arg(long)]
    pub org: Option<String>,
    /// Start with this integration profile.
    #[arg(long)]
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only run the emulated Azure DevOps and print its URL and demo tokens.
    #[arg(long)]
    pub serve: bool,
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: String,
    /// A scenario file (TOML), or a built-in scenario: demo, deactivated, server-2019,
    /// server-2020, server-2022.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Plain line-by-line prompts instead of the full-screen interface.
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Organization URL (dev.azure.com/{org}, {org}.visualstudio.com, or a collection URL);
    /// optional when exactly one organization is stored.
    #[arg(long)]
    pub org: Option<String>,
    /// Integration profile whose scopes to prove (git-zen, exalate, jira-git, nango, custom).
    /// Without --profile or --scopes, the profile stored for the organization (`patwiz login`).
    #[arg(long, conflicts_with = "scopes")]
    pub profile: Option<String>,
    /// Scope ids to prove instead of a profile, comma-separated (vso.work_write,vso.code).
    #[arg(long, value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Fail (exit 4) when the token passes but also holds powerful scopes the integration does
    /// not need (a Full access token, most often).
    #[arg(long)]
    pub strict: bool,
    /// Read the token from standard input (else AZURE_DEVOPS_EXT_PAT, else the keyring).
    #[arg(long)]
    pub token_stdin: bool,
    /// Project to probe project-level scopes in (default: the first one the token can see).
    #[arg(long)]
    pub project: Option<String>,
    /// Seconds allowed for each request (1 to 600).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Seconds allowed for the whole check (1 to 86400).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub deadline: u64,
    /// Accept an Azure DevOps Server whose host looks like one of Azure DevOps' own hosts
    /// (patwiz refuses such a look-alike without it).
    #[arg(long)]
    pub server: bool,
    /// Extra CA certificates (PEM) for Azure DevOps Server behind a private CA [default:
    /// the file SSL_CERT_FILE names, if set].
    // Read by hand, not with clap's `env`: clap would list it in the usage line as required.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// The highest REST API version to ask for (5.0 for Azure DevOps Server 2019) [default:
    /// patwiz's own, lowered to what the server names when it refuses them, and remembered
    /// for a stored organization].
    #[arg(long, value_parser = parse_api_version)]
    pub api_version: Option<crate::engine::versions::ApiVersion>,
}

/// `--api-version`: `MAJOR.MINOR`, from 1.0 to 7.1 (the REST API versions Azure DevOps has).
fn parse_api_version(text: &str) -> Result<crate::engine::versions::ApiVersion, String> {
    let version = crate::engine::versions::ApiVersion::parse(text)
        .filter(|_| text.trim().chars().all(|c| c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("\"{text}\" is not a REST API version such as 7.1 or 5.0"))?;
    let (lowest, highest) = (
        crate::engine::versions::ApiVersion { major: 1, minor: 0 },
        crate::engine::versions::ApiVersion { major: 7, minor: 2 },
    );
    if version < lowest || version > highest {
        return Err(format!(
            "{version} is not a REST API version of Azure DevOps (1.0 to 7.2)"
        ));
    }
    Ok(version)
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub profile: String,
    #[arg(long)]
    pub token_stdin: bool,
    /// Store the token even if scopes are missing (says which).
    #[arg(long)]
    pub force: bool,
    /// The expiry date you chose when creating the token (YYYY-MM-DD).
    #[arg(long)]
    pub expires: Option<String>,
    /// Accept an Azure DevOps Server whose host looks like one of Azure DevOps' own hosts
    /// (patwiz refuses such a look-alike without it).
    #[arg(long)]
    pub server: bool,
    /// Store the proven token in the team's vault instead of this machine's secret store:
    /// vault://MOUNT/PATH (HashiCorp Vault or OpenBao KV version 2 at VAULT_ADDR).
    #[arg(long, value_name = "URI")]
    pub to: Option<String>,
    /// With --to: prove the token and say what would be written where; write nothing.
    #[arg(long, requires = "to")]
    pub dry_run: bool,
    /// How to sign in to an Azure Key Vault (--to keyvault://…).
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON object (the store and each organization, or with --from each secret).
    #[arg(long)]
    pub json: bool,
    /// Re-validate each stored token live.
    #[arg(long)]
    pub check: bool,
    /// With --check: count a token that passes but also holds powerful scopes its integration
    /// does not need as needing action (exit 1).
    #[arg(long, requires = "check")]
    pub strict: bool,
    /// The team's tokens under a vault prefix instead of this machine's: vault://MOUNT[/PREFIX],
    /// keyvault://VAULT or pass://[PREFIX] (every secret below it, with the facts patwiz keeps
    /// beside each).
    #[arg(long, value_name = "URI")]
    pub from: Option<String>,
    /// With --from --check: an Azure DevOps Server host the vault's facts may name, or a port
    /// of this machine (127.0.0.1:8080); tokens are sent to a Server or a local port only when
    /// named here (repeatable).
    #[arg(long, value_name = "HOST", requires = "from")]
    pub trust_server: Vec<String>,
    /// How to sign in to an Azure Key Vault (--from keyvault://…).
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The stored organization whose token is replaced (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// Read the new token from standard input (else AZURE_DEVOPS_EXT_PAT).
    #[arg(long)]
    pub token_stdin: bool,
    /// The new token's expiry date (YYYY-MM-DD).
    #[arg(long)]
    pub expires: Option<String>,
    /// Print one JSON object: rotated or not, whether the account changed, and the check.
    #[arg(long)]
    pub json: bool,
    /// Refuse (exit 4) a new token that passes but also holds powerful scopes the integration
    /// does not need; the old token stays.
    #[arg(long)]
    pub strict: bool,
    /// Create the new token through Azure DevOps' API (same scopes), prove it, swap it in and
    /// revoke the old one; no token to paste. With --to, the vault keeps the old token until
    /// Azure DevOps refuses it, then destroys (KV) or disables (Key Vault) that version.
    #[arg(long, conflicts_with = "token_stdin")]
    pub create: bool,
    /// Rotate the token in the team's vault (vault://MOUNT/PATH, keyvault://VAULT/SECRET,
    /// pass://PATH): the organization and profile come from the facts beside it; the write only
    /// lands if no one rotated it meanwhile.
    #[arg(long, value_name = "URI")]
    pub to: Option<String>,
    /// With --to: say what would be created or written where; create and write nothing.
    #[arg(long, requires = "to")]
    pub dry_run: bool,
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

/// How to sign in with Microsoft Entra for the lifecycle API.
#[derive(Debug, Args, Clone, Default)]
pub struct SignInArgs {
    /// az (your Azure CLI sign-in), browser (authorization code with PKCE) or device (a code
    /// to enter elsewhere; many tenants block it). Default: az when installed, else browser,
    /// else device.
    #[arg(long, value_name = "HOW")]
    pub sign_in: Option<String>,
    /// The client id of an app registered in your tenant for browser and device sign-in
    /// (default: PATWIZ_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Organization URL.
    #[arg(long)]
    pub org: String,
    /// Integration profile whose scopes the token gets (exactly those).
    #[arg(long)]
    pub profile: String,
    /// Expiry date (YYYY-MM-DD; default 30 days). A tenant's maximum lifespan may cut it: the
    /// date it got is printed.
    #[arg(long)]
    pub expires: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also put the created, proven token in the team's vault (vault://MOUNT/PATH,
    /// keyvault://VAULT/SECRET or pass://PATH); it stays in this machine's store too, so that
    /// `rotate --create` and `mend` can manage it.
    #[arg(long, value_name = "URI", conflicts_with = "json")]
    pub to: Option<String>,
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Look for Azure DevOps tokens left in the usual places (~/.npmrc, git config, shell
    /// history, .env files here): file and line, never the token; exit 1 if any is found.
    #[arg(long)]
    pub scan: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The stored organization (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// Run without checking the token first.
    #[arg(long)]
    pub no_check: bool,
    /// An Azure Artifacts NuGet feed to set VSS_NUGET_EXTERNAL_FEED_ENDPOINTS for.
    #[arg(long, value_name = "FEED")]
    pub nuget_feed: Option<String>,
    /// The command and its arguments (after --).
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FeedArgs {
    /// The organization (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// The feed's name, as Azure Artifacts shows it.
    #[arg(long)]
    pub feed: String,
    /// The project of a project-scoped feed (leave it out for the organization's own feeds).
    #[arg(long)]
    pub project: Option<String>,
    /// Merge the entries into your user-level file (without it they are only shown, masked).
    #[arg(long)]
    pub write: bool,
    /// Skip proving that the token can read the feed first.
    #[arg(long)]
    pub no_check: bool,
    /// Read the token from standard input instead of the secret store.
    #[arg(long)]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct GitCredentialArgs {
    /// get, store or erase (git passes it).
    pub operation: String,
}

#[derive(Debug, Args)]
pub struct SetupGitArgs {
    /// Only this stored organization (default: every one).
    #[arg(long)]
    pub org: Option<String>,
    /// Show what would be written and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove what setup-git wrote.
    #[arg(long)]
    pub undo: bool,
}

#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Organization URL (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// Also revoked and expired tokens.
    #[arg(long)]
    pub all: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct MendArgs {
    /// The stored organization (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// A scope to add to the stored token (repeatable).
    #[arg(long, value_name = "SCOPE")]
    pub add_scope: Vec<String>,
    /// A new expiry date (YYYY-MM-DD), only while the token is still valid.
    #[arg(long, value_name = "DATE")]
    pub extend: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

#[derive(Debug, Args)]
pub struct OrgArg {
    /// The stored organization (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// The stored organization (optional when only one is stored).
    #[arg(long)]
    pub org: Option<String>,
    /// Where to write the .ics file (default: standard output).
    #[arg(long)]
    pub ics: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct GuideArgs {
    /// Only the advice for this profile.
    #[arg(long)]
    pub profile: Option<String>,
}

/// Whether `args` (without the program name) parse as a command line; the error text (with
/// anything token-shaped removed) if not. For the fuzzer of the flags: no value may panic.
pub fn parse_only(args: &[String]) -> Result<(), UsageError> {
    let all = std::iter::once("patwiz".to_string()).chain(args.iter().cloned());
    Cli::try_parse_from(all)
        .map(|_| ())
        .map_err(|e| UsageError(crate::domain::text::safe_message(&e.render().to_string())))
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            if err.use_stderr() {
                // clap repeats the offending value: never a token typed into the wrong flag.
                eprint!(
                    "{}",
                    crate::domain::text::safe_message(&err.render().to_string())
                );
            } else {
                let _ = err.print();
            }
            return ExitCode::from(code);
        }
    };
    error::finish(run(cli))
}

fn run(cli: Cli) -> CmdResult {
    if let Some(path) = &cli.log
        && let Err(e) = crate::engine::request_log::start(path)
    {
        return Err(usage(format!("--log {}: {e}", path.display())));
    }
    match cli.command {
        Some(Command::Profiles) => print_profiles(),
        Some(Command::Completions(args)) => {
            use clap::CommandFactory as _;
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "patwiz", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Guide(args)) => guide(args),
        #[cfg(feature = "demo")]
        Some(Command::Demo(args)) if args.serve => block_on(demo::serve(args)),
        #[cfg(feature = "demo")]
        Some(Command::Demo(args)) => block_on(demo::wizard(args)),
        Some(Command::Wizard(args)) => block_on(wizard(args)),
        None => block_on(wizard(WizardArgs {
            plain: cli.plain,
            ..WizardArgs::default()
        })),
        Some(Command::Check(args)) => block_on(check::run(args)),
        Some(Command::Login(args)) => block_on(login::run(args)),
        Some(Command::Status(args)) => block_on(status::run(args)),
        Some(Command::Rotate(args)) => block_on(rotate::run(args)),
        Some(Command::Create(args)) => block_on(create::run(args)),
        Some(Command::Tokens(args)) => block_on(tokens::run(args)),
        Some(Command::Mend(args)) => block_on(mend::run(args)),
        Some(Command::GitCredential(args)) => block_on(git_credential::run(&args.operation)),
        Some(Command::SetupGit(args)) => block_on(setup_git::run(args)),
        Some(Command::Exec(args)) => block_on(exec::run(args)),
        Some(Command::Npmrc(args)) => block_on(feed::run(feed::Client::Npm, args)),
        Some(Command::PipConf(args)) => block_on(feed::run(feed::Client::Pip, args)),
        Some(Command::Forget(args)) => block_on(forget::run(args)),
        Some(Command::Remind(args)) => block_on(remind::run(args)),
        Some(Command::Doctor(args)) => block_on(doctor::run(args)),
    }
}

/// Runs a command to completion, then gives the runtime at most a moment to wind down: a
/// blocking call still stuck (a clipboard, a browser launcher or a secret store that never
/// answers) never keeps the process alive once the command is done.
fn block_on<F: Future>(command: F) -> F::Output {
    let runtime = runtime();
    let out = runtime.block_on(command);
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    out
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// patwiz's config directory: `PATWIZ_CONFIG_DIR`, else the platform's (XDG on Linux).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PATWIZ_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "patwiz").map(|d| d.config_dir().to_path_buf())
}

pub(crate) fn user_profiles_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("profiles"))
}

/// The built-in or user profile `name`; a usage error (printed) when there is none.
pub(crate) fn find_profile(name: &str) -> Result<crate::domain::profiles::Profile, CliError> {
    crate::store::user_profiles::find(name, user_profiles_dir().as_deref()).map_err(usage)
}

/// Refuses a look-alike of an Azure DevOps host unless the user said `--server`.
pub(crate) fn refuse_lookalike(
    org: &crate::domain::org_url::OrgUrl,
    server: bool,
) -> Result<(), CliError> {
    match org.lookalike() {
        Some(reason) if !server => Err(usage(format!(
            "--org: {reason}. If it really is your Azure DevOps Server, pass --server; otherwise check the address (no token was sent)."
        ))),
        _ => Ok(()),
    }
}

/// A problem with what was given on the command line or on its input: said plainly, exit 64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A usage error (exit 64), said once by [`error::finish`].
pub(crate) fn usage(message: impl std::fmt::Display) -> CliError {
    CliError::Usage(message.to_string())
}

/// The organization `--org` names, or without it the only one stored; a clear usage error
/// when none or several are stored.
pub(crate) fn org_or_only_stored(
    org: Option<&str>,
) -> Result<crate::domain::org_url::OrgUrl, CliError> {
    use crate::domain::org_url::OrgUrl;
    if let Some(text) = org {
        return OrgUrl::parse(text).map_err(|e| usage(format!("--org: {e}")));
    }
    let stored: Vec<String> = config_dir()
        .and_then(|dir| crate::store::settings::SettingsFile::new(dir).load().ok())
        .map(|(settings, _)| settings.orgs.into_iter().map(|o| o.url).collect())
        .unwrap_or_default();
    match stored.as_slice() {
        [only] => OrgUrl::parse(only).map_err(|e| usage(format!("the stored organization: {e}"))),
        [] => Err(usage(
            "--org is needed: no organization is stored yet (`patwiz login --org URL` stores one)",
        )),
        many => Err(usage(format!(
            "--org is needed: {} organizations are stored ({})",
            many.len(),
            many.join(", ")
        ))),
    }
}

/// How wide text output wraps: the terminal's width (at most 100 columns, easier to read), or
/// not at all when the output goes to a file or a pipe.
pub(crate) fn text_width() -> Option<usize> {
    use std::io::IsTerminal as _;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w).min(100))
}

/// A text report as it goes to standard output: its marks and verdict in colour at a terminal
/// (unless NO_COLOR is set), as they are elsewhere.
pub(crate) fn print_report(report: &crate::engine::Report) {
    use crossterm::style::Stylize as _;
    use std::io::IsTerminal as _;
    let text = report.to_text(text_width());
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if !colour {
        print!("{text}");
        return;
    }
    for line in text.lines() {
        let (mark, rest) = line.split_at(line.char_indices().nth(2).map_or(line.len(), |(i, _)| i));
        let coloured = match mark {
            " ✓" => format!("{}{rest}", mark.green()),
            " ✗" => format!("{}{rest}", mark.red().bold()),
            " !" => format!("{}{rest}", mark.yellow()),
            _ if line.starts_with("Verdict: pass,") => line.yellow().to_string(),
            _ if line.starts_with("Verdict: pass") => line.green().to_string(),
            _ if line.starts_with("Verdict: ") => line.red().bold().to_string(),
            _ if line.starts_with("What to do now: ") => {
                format!(
                    "{}{}",
                    "What to do now: ".bold(),
                    &line["What to do now: ".len()..]
                )
            }
            _ => line.to_string(),
        };
        println!("{coloured}");
    }
}

/// Says on stderr that a token stored or rotated in holds more than its integration needs.
pub(crate) fn warn_if_over_privileged(report: &crate::engine::Report) {
    let extra = report.over_privileged();
    if !extra.is_empty() {
        eprintln!(
            "patwiz: warning: the token also holds {}, which the integration does not need (--strict refuses such a token).",
            crate::domain::text::list_and(&extra)
        );
    }
}

/// Reads the token from standard input (at most 16 MiB; the shape check says what is wrong).
/// Says on stderr, before anything is sent, that a token's checksum does not match.
pub(crate) fn warn_if_mistyped(checked: &crate::domain::token::CheckedToken) {
    if checked.checksum_mismatch() {
        eprintln!(
            "patwiz: warning: {}",
            crate::domain::token::CHECKSUM_WARNING
        );
    }
}

pub(crate) fn read_token_stdin() -> Result<Zeroizing<String>, UsageError> {
    use std::io::Read as _;
    let mut bytes = Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(16 * 1024 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| UsageError(format!("cannot read the token from standard input: {e}")))?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_string())),
        Err(_) => Err(UsageError(
            "the token on standard input is not text (binary data); paste the token Azure DevOps showed"
                .to_string(),
        )),
    }
}

/// How a command asks for a token it was not given.
pub(crate) struct TokenAsk<'a> {
    /// The command line that would pass it, for the message ("patwiz rotate --org X").
    pub command: &'a str,
    /// The hidden prompt when standard input is a terminal (none: do not ask).
    pub prompt: Option<&'a str>,
}

/// Where the token comes from: --token-stdin, else AZURE_DEVOPS_EXT_PAT, else (at a terminal)
/// a prompt that does not echo.
pub(crate) fn token_text(
    token_stdin: bool,
    ask: &TokenAsk<'_>,
) -> Result<(Zeroizing<String>, &'static str), UsageError> {
    use std::io::IsTerminal as _;
    if token_stdin {
        return read_token_stdin().map(|t| (t, "standard input"));
    }
    if let Some(value) = std::env::var_os("AZURE_DEVOPS_EXT_PAT") {
        return value
            .into_string()
            .map(|t| (Zeroizing::new(t), "AZURE_DEVOPS_EXT_PAT"))
            .map_err(|_| UsageError("AZURE_DEVOPS_EXT_PAT is not valid text".to_string()));
    }
    if let Some(prompt) = ask.prompt
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
    {
        return crate::ui::services::hidden_input::read_hidden(prompt, &mut std::io::stderr())
            .map(|t| (t, "the prompt"))
            .ok_or_else(|| UsageError("no token was entered".to_string()));
    }
    let last = if ask.prompt.is_some() {
        "or run the command in a terminal to paste it at a prompt"
    } else {
        "or store one with `patwiz login`"
    };
    Err(UsageError(format!(
        "no token: pipe it in with `{} --token-stdin < token.txt`, set AZURE_DEVOPS_EXT_PAT, {last}",
        ask.command
    )))
}

async fn wizard(args: WizardArgs) -> CmdResult {
    let Some(config_dir) = config_dir() else {
        return Err(usage("no config directory: set PATWIZ_CONFIG_DIR"));
    };
    let mut options = crate::ui::WizardOptions {
        skip_start: args.profile.is_some(),
        org: args.org,
        profile: args.profile,
        clock: clock(),
        ..crate::ui::WizardOptions::new(config_dir)
    };
    // A private CA named by SSL_CERT_FILE counts for the wizard's checks as for `check`.
    options.http.ca_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    if crate::ui::wants_plain(args.plain) {
        Ok(crate::ui::plain::run(options).await)
    } else {
        Ok(crate::ui::run(options).await)
    }
}

/// `patwiz guide`: when a PAT is the right choice, how to prepare, and where the token goes.
fn guide(args: GuideArgs) -> CmdResult {
    let catalogue = crate::domain::scopes::Catalogue::get();
    let (profiles, _) = crate::store::user_profiles::load_all(user_profiles_dir().as_deref());
    let chosen: Vec<_> = match &args.profile {
        Some(name) => match profiles.iter().find(|p| p.name == *name) {
            Some(p) => vec![p.clone()],
            None => return Err(usage(format!("no profile named \"{name}\""))),
        },
        None => profiles,
    };
    for p in chosen {
        println!("== {} ({}) — from the {}\n", p.title, p.name, p.source);
        if !p.when_to_use.is_empty() || !p.service_account.is_empty() {
            println!("Before you start");
            if let Some((intro, reasons)) = p.when_to_use.split_first() {
                println!("  {intro}");
                for r in reasons {
                    println!("    - {r}");
                }
            }
            for advice in &p.service_account {
                println!("  {advice}");
            }
            println!();
        }
        for pre in &p.prerequisites {
            println!("Prerequisite: {pre}");
        }
        if !p.scopes.is_empty() {
            println!("Scopes (Show all scopes → Custom defined):");
            for s in &p.scopes {
                println!("  [x] {} — {}", catalogue.label(&s.id), s.why);
            }
        }
        let today = shared::dates::today();
        println!(
            "Token name: {}. Organization: {}",
            p.token_name,
            crate::domain::in_tense(&p.organization_advice, today)
        );
        println!("Expiration: {}", p.expiry_advice);
        for caveat in &p.caveats {
            println!("Note: {}", crate::domain::in_tense(caveat, today));
        }
        println!("\nWhere the token goes ({}):", p.handoff.source);
        for (i, step) in p.handoff.steps.iter().enumerate() {
            println!("  {}. {step}", i + 1);
        }
        if let Some(multi) = &p.multi_org {
            println!("\nMore than one organization: {multi}");
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

fn print_profiles() -> CmdResult {
    let catalogue = crate::domain::scopes::Catalogue::get();
    let (profiles, errors) = crate::store::user_profiles::load_all(None);
    for profile in profiles {
        println!("{} ({}): {}", profile.name, profile.title, profile.summary);
        for scope in &profile.scopes {
            println!(
                "  - {} [{}]: {}",
                catalogue.label(&scope.id),
                scope.id,
                scope.why
            );
        }
    }
    for error in errors {
        eprintln!(
            "warning: {}",
            crate::domain::text::safe_message(&error.to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The clock of this run, read once: the system's, or the day a test names with
/// `PATWIZ_TEST_CLOCK` (see [`crate::clock::TEST_CLOCK_VAR`]).
/// The context every use case of a command gets: the default client, this process's clock,
/// the person's profiles directory and this computer's store (the secret store the platform
/// and `PATWIZ_SECRET_STORE` choose).
pub(crate) fn ctx() -> crate::flows::Ctx {
    crate::flows::Ctx {
        http: crate::engine::http::HttpOptions::default(),
        clock: clock(),
        profiles_dir: user_profiles_dir(),
        config_dir: config_dir(),
        secret_store: None,
    }
}

/// This process's clock: the system's; in a debug build (what the tests run) the test clock
/// variable's day when it is set, so a test never depends on the date it runs.
pub(crate) fn clock() -> crate::clock::Clock {
    static CLOCK: std::sync::OnceLock<crate::clock::Clock> = std::sync::OnceLock::new();
    *CLOCK.get_or_init(|| {
        if cfg!(debug_assertions) {
            crate::clock::Clock::from_env()
        } else {
            crate::clock::Clock::system()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_version_is_one_azure_devops_has() {
        assert_eq!(
            parse_api_version("5.0").unwrap(),
            crate::engine::versions::ApiVersion { major: 5, minor: 0 }
        );
        assert!(parse_api_version("7.1").is_ok());
        for bad in ["9.0", "0.5", "7.1-preview", "five", ""] {
            assert!(parse_api_version(bad).is_err(), "{bad}");
        }
    }
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_takes_a_profile_or_scopes_but_not_both() {
        // Neither: the stored organization's profile is used (or a usage error says there is none).
        assert!(Cli::try_parse_from(["patwiz", "check", "--org", "x"]).is_ok());
        assert!(
            Cli::try_parse_from([
                "patwiz",
                "check",
                "--org",
                "x",
                "--profile",
                "nango",
                "--scopes",
                "vso.code"
            ])
            .is_err()
        );
        let cli = Cli::try_parse_from([
            "patwiz",
            "check",
            "--org",
            "x",
            "--scopes",
            "vso.code,vso.work",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Check(args)) => assert_eq!(args.scopes, ["vso.code", "vso.work"]),
            other => panic!("{other:?}"),
        }
        assert!(
            Cli::try_parse_from([
                "patwiz",
                "check",
                "--org",
                "x",
                "--profile",
                "nango",
                "--scopes",
                "vso.code"
            ])
            .is_err()
        );
    }
}
