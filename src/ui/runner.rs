//! Runs the effects `update` asks for, as tasks that answer with messages. It never sees the
//! wizard's state: everything it needs is in the effect, or in the run's own configuration.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::effect::{Effect, MintRequest, ReminderRequest, SaveRequest};
use super::msg::{BrowserError, Copied, MintFailure, Msg, ReminderError};
use super::services::clipboard::Clipboard;
use super::services::osc52::TerminalCopy;
use crate::domain::checks::CheckClass;
use crate::domain::org_url::OrgUrl;
use crate::domain::token::Token;
use crate::engine::Stop;
use crate::engine::discovery;
use crate::engine::http::{Http, HttpOptions};
use crate::flows;
use crate::store::rotation::LocalStoreError;
use crate::store::secret::Backend;
use crate::store::settings::OrgSettings;
use secrecy::zeroize::Zeroizing;

pub struct Runner {
    tx: UnboundedSender<Msg>,
    reports_dir: PathBuf,
    /// The client, clock, profiles and local store every use case this run calls is given.
    ctx: flows::Ctx,
    validation: Option<JoinHandle<()>>,
    clipboard: Clipboard,
    /// The token this run put on the clipboard last, cleared when the wizard ends.
    copied: Option<Token>,
    /// Effects still to answer (plain mode waits for none before it asks the next question).
    pending: Arc<AtomicUsize>,
    /// Where copies through the terminal (OSC 52) go: the loop that owns the terminal writes
    /// them between two frames.
    terminal: Option<UnboundedSender<TerminalCopy>>,
    /// The token went to the terminal's clipboard (so clearing it goes there too).
    token_via_terminal: Arc<std::sync::atomic::AtomicBool>,
    /// The lifecycle API, signed in, after "create it for me" (kept in memory for this run
    /// only: Save records the new token's id with it, and a rotation revokes the old one).
    lifecycle: KeptLifecycle,
    /// Bumped to stop a sign-in that waits for the person (Esc): the sign-in under way, if
    /// any, ends with "you stopped it"; work past the sign-in is never cut short.
    stop_sign_in: tokio::sync::watch::Sender<u64>,
}

/// Counts an effect as pending until its task has answered.
struct Pending(Arc<AtomicUsize>);

impl Pending {
    fn new(count: &Arc<AtomicUsize>) -> Pending {
        count.fetch_add(1, Ordering::SeqCst);
        Pending(count.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Runner {
    pub fn new(tx: UnboundedSender<Msg>, options: &super::WizardOptions) -> Runner {
        Runner {
            tx,
            reports_dir: options.reports_dir.clone(),
            ctx: options.ctx(),
            validation: None,
            clipboard: Clipboard::new(),
            copied: None,
            pending: Arc::new(AtomicUsize::new(0)),
            terminal: None,
            token_via_terminal: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            lifecycle: Arc::new(tokio::sync::Mutex::new(None)),
            stop_sign_in: tokio::sync::watch::channel(0).0,
        }
    }

    /// What a sign-in started now needs: where to say what it waits for, and the signal that
    /// stops it (a later Esc; one before now is not its).
    fn sign_in_io(&self) -> SignInIo {
        SignInIo {
            tell: self.tx.clone(),
            stop: self.stop_sign_in.subscribe(),
        }
    }

    /// Lets copies go through the terminal (OSC 52) when no system clipboard answers.
    pub fn with_terminal(mut self, terminal: UnboundedSender<TerminalCopy>) -> Runner {
        if super::services::osc52::enabled() {
            self.terminal = Some(terminal);
        }
        self
    }

    /// True while some effect has not answered yet.
    pub fn busy(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0
    }

    /// Stops what is under way and takes the token off the clipboard (the wizard ends).
    pub fn finish(&mut self) {
        self.cancel_validation();
        if self.token_via_terminal.swap(false, Ordering::SeqCst)
            && let Some(terminal) = &self.terminal
        {
            let _ = terminal.send(TerminalCopy::Clear);
            if let Some(token) = &self.copied {
                let _ = super::services::tmux::forget(token);
            }
        }
        if let Some(token) = self.copied.take() {
            self.clipboard.clear_token_now(&token);
        }
    }

    fn cancel_validation(&mut self) {
        if let Some(handle) = self.validation.take() {
            handle.abort();
        }
    }

    /// Spawns `work`, which answers with one message, counted as pending until it has.
    fn spawn<F>(&self, work: F)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        let pending = Pending::new(&self.pending);
        tokio::spawn(async move {
            let msg = work.await;
            let _ = tx.send(msg);
            drop(pending);
        });
    }

    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::CheckOrg(org) => {
                let http = self.ctx.http.clone();
                self.spawn(async move { Msg::OrgChecked(check_org(&org, &http).await) });
            }
            Effect::OpenBrowser(url) => self.spawn(async move {
                let opened = tokio::task::spawn_blocking(move || webbrowser::open(&url)).await;
                Msg::Browser(match opened {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(BrowserError(e.to_string())),
                    Err(e) => Err(BrowserError(e.to_string())),
                })
            }),
            Effect::CopyText(text, what) => self.copy_text(text, what, None),
            Effect::CopyReport { text, org } => self.copy_text(text, Copied::Report, Some(org)),
            Effect::ReadClipboard => {
                let clipboard = self.clipboard.clone();
                self.spawn(async move { Msg::Clipboard(clipboard.read().await) });
            }
            Effect::ClearClipboard => {
                let clipboard = self.clipboard.clone();
                self.spawn(async move {
                    Msg::ClipboardDone(clipboard.clear().await.map(|()| Copied::Emptied))
                });
            }
            Effect::CopyToken(token, _clear_after) => self.copy_token(token),
            Effect::ClearToken(token) => self.clear_token(token),
            Effect::CancelValidation => self.cancel_validation(),
            Effect::Validate(request) => self.validate(request),
            Effect::DescribeStore => self.describe_store(),
            Effect::WriteReminder(request) => {
                let result = write_reminder(&request, self.ctx.now());
                self.spawn(async move { Msg::ReminderWritten(result) });
            }
            Effect::Save(request) if request.team.is_some() => {
                let ctx = self.ctx.clone();
                self.spawn(async move { Msg::SavedTeam(save_team(*request, &ctx).await) });
            }
            Effect::Save(request) => {
                let ctx = self.ctx.clone();
                let lifecycle = self.lifecycle.clone();
                self.spawn(async move { Msg::Saved(save(*request, &ctx, lifecycle).await) });
            }
            Effect::Mend {
                org,
                authorization_id,
                scopes,
            } => {
                let http = self.ctx.http.clone();
                let lifecycle = self.lifecycle.clone();
                let io = self.sign_in_io();
                self.spawn(async move {
                    Msg::Mended(mend(org, authorization_id, scopes, http, lifecycle, io).await)
                });
            }
            Effect::Extend { org, valid_to } => {
                let ctx = self.ctx.clone();
                let lifecycle = self.lifecycle.clone();
                let io = self.sign_in_io();
                self.spawn(async move {
                    Msg::Extended(Box::pin(extend(org, valid_to, ctx, lifecycle, io)).await)
                });
            }
            Effect::Mint(request) => {
                let ctx = self.ctx.clone();
                let lifecycle = self.lifecycle.clone();
                let io = self.sign_in_io();
                self.spawn(async move { Msg::Minted(mint(*request, ctx, lifecycle, io).await) });
            }
            Effect::StopSignIn => self.stop_sign_in.send_modify(|n| *n += 1),
        }
    }

    /// `report_of` names the organization a report is about (its file name, when there is no
    /// clipboard).
    fn copy_text(&mut self, text: String, what: Copied, report_of: Option<String>) {
        let clipboard = self.clipboard.clone();
        let terminal = self.terminal.clone();
        let dir = self.reports_dir.clone();
        let now = self.ctx.now();
        self.spawn(async move {
            let text = Zeroizing::new(text);
            let copied = clipboard.copy(text.to_string()).await;
            let Err(e) = copied else {
                return Msg::ClipboardDone(Ok(what));
            };
            // No system clipboard: the terminal's own, and for a report a file too.
            let via_terminal =
                terminal.is_some_and(|t| t.send(TerminalCopy::Set(text.clone())).is_ok());
            if let Some(org) = report_of {
                return Msg::ReportFile {
                    written: write_report(&dir, &report_file_name(&org, now), &text),
                    via_terminal,
                };
            }
            if via_terminal {
                Msg::ViaTerminal(what)
            } else {
                Msg::ClipboardDone(Err(e))
            }
        });
    }

    fn copy_token(&mut self, token: Token) {
        self.copied = Some(token.clone());
        let clipboard = self.clipboard.clone();
        let tx = self.tx.clone();
        let terminal = self.terminal.clone();
        let via = self.token_via_terminal.clone();
        self.spawn(async move {
            match clipboard.copy_token(token.clone()).await {
                Ok(()) => {
                    let _ = tx.send(Msg::TokenCopiedAt(Instant::now()));
                    Msg::ClipboardDone(Ok(Copied::Token))
                }
                Err(e) => {
                    let sent = terminal.is_some_and(|t| {
                        t.send(TerminalCopy::Set(Zeroizing::new(
                            token.expose().to_string(),
                        )))
                        .is_ok()
                    });
                    if sent {
                        via.store(true, Ordering::SeqCst);
                        let _ = tx.send(Msg::TokenCopiedAt(Instant::now()));
                        Msg::ViaTerminal(Copied::Token)
                    } else {
                        Msg::ClipboardDone(Err(e))
                    }
                }
            }
        });
    }

    fn clear_token(&mut self, token: Token) {
        if self.token_via_terminal.swap(false, Ordering::SeqCst)
            && let Some(terminal) = &self.terminal
        {
            let _ = terminal.send(TerminalCopy::Clear);
            self.spawn(async move {
                let tmux =
                    tokio::task::spawn_blocking(move || super::services::tmux::forget(&token))
                        .await
                        .unwrap_or(Some(Err(())));
                Msg::ClipboardDone(Ok(Copied::TerminalAsked { tmux }))
            });
            return;
        }
        let clipboard = self.clipboard.clone();
        self.spawn(async move {
            Msg::ClipboardDone(clipboard.clear_token(token).await.map(Copied::TokenCleared))
        });
    }

    fn validate(&mut self, request: Box<crate::engine::CheckRequest>) {
        self.cancel_validation();
        let (events_tx, mut events_rx) = unbounded_channel();
        let forward = self.tx.clone();
        let pending = Pending::new(&self.pending);
        self.validation = Some(tokio::spawn(async move {
            let run = tokio::spawn(flows::prove::run(*request, Some(events_tx)));
            while let Some(event) = events_rx.recv().await {
                let _ = forward.send(Msg::Engine(event));
            }
            let _ = run.await;
            drop(pending);
        }));
    }

    fn describe_store(&mut self) {
        let ctx = self.ctx.clone();
        self.spawn(async move {
            Msg::StoreDescribed(
                match ctx.local_store().await.map(|v| v.store) {
                    Ok(store) if store.backend() == Backend::Keyutils => format!(
                        "{} — {}. After a reboot it is gone, and Azure DevOps cannot show it again (you would create a new one): for a store that lasts, unlock your desktop keyring, or set PATWIZ_SECRET_STORE=secret-service.",
                        store.backend().name(),
                        store.backend().lasts()
                    ),
                    // The store's name, then how long the token lasts there (the name already
                    // says where: "memory only — gone when patwiz exits").
                    Ok(store) => {
                        format!("{} — {}", store.backend().name(), store.backend().lasts())
                    }
                    Err(e) => format!("✗ {e}"),
                },
            )
        });
    }
}

/// `patwiz-report-{org}-{YYYY-MM-DD}-{HHMM}` (UTC): a name that says what it is about and
/// when, made of characters every file system takes.
fn report_file_name(org: &str, now: time::OffsetDateTime) -> String {
    let org: String = org
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "patwiz-report-{org}-{}-{:02}{:02}",
        crate::store::settings::format_date(now.date()),
        now.hour(),
        now.minute()
    )
}

/// Writes the report to `{name}.txt` in `folder` (the config directory's `reports`; `-2`,
/// `-3`… after the name when one of that minute exists), readable by its owner only.
fn write_report(
    folder: &std::path::Path,
    name: &str,
    text: &str,
) -> Result<PathBuf, ReminderError> {
    std::fs::create_dir_all(folder).map_err(ReminderError::NoDirectory)?;
    let path = (1..100)
        .map(|n| match n {
            1 => folder.join(format!("{name}.txt")),
            n => folder.join(format!("{name}-{n}.txt")),
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| folder.join(format!("{name}.txt")));
    crate::store::files::write_no_follow(&path, text.as_bytes()).map_err(|source| {
        ReminderError::Write {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}

/// Writes `patwiz-rotate-{org}.ics` in the current directory.
fn write_reminder(
    request: &ReminderRequest,
    now: time::OffsetDateTime,
) -> Result<PathBuf, ReminderError> {
    let org = &request.org;
    let settings = OrgSettings {
        key: org.key(),
        url: org.as_str().to_string(),
        name: org.name().to_string(),
        profile: request.profile.clone(),
        ..Default::default()
    };
    let ics = crate::store::reminder::reminder_ics(&settings, request.expires, now);
    let path = std::env::current_dir()
        .map_err(ReminderError::NoDirectory)?
        .join(format!("patwiz-rotate-{}.ics", org.name()));
    crate::store::files::write_no_follow(&path, ics.as_bytes()).map_err(|source| {
        ReminderError::Write {
            path: path.clone(),
            source,
        }
    })?;
    Ok(path)
}

/// Whether the organization exists, asked anonymously: the kind of Azure DevOps, or why not.
pub async fn check_org(org: &OrgUrl, options: &HttpOptions) -> Result<String, Stop> {
    let http = Http::anonymous(options)
        .map_err(|e| Stop::new(CheckClass::Configuration, None, e.to_string()))?;
    let found = discovery::discover(&http, org).await?;
    Ok(if found.advertised {
        "Azure DevOps Services".into()
    } else {
        "Azure DevOps Server".into()
    })
}

/// How the wizard signs in for "create it for me": the demo's identity provider, else the Azure
/// CLI's sign-in, else the browser with the app named by PATWIZ_CLIENT_ID.
fn wizard_sign_in(org: &OrgUrl) -> Result<flows::mint::SignIn, flows::sign_in::NoSignIn> {
    wizard_sign_in_for(org.is_loopback(), true)
}

/// As [`wizard_sign_in`], for a service on this machine (`loopback`: the demo's) or elsewhere:
/// the core's one rule; the wizard shows a device code (over SSH, with no browser to open).
/// The team vault's sign-in (`shows_device_code` false) has nowhere to show a code yet.
fn wizard_sign_in_for(
    loopback: bool,
    shows_device_code: bool,
) -> Result<flows::mint::SignIn, flows::sign_in::NoSignIn> {
    use flows::sign_in::{Here, choose};
    choose(None, &Here::detect(loopback, None, shows_device_code))
}

/// Why the wizard cannot sign in, in its words (no flags: the steps on screen are the way on).
fn no_sign_in_words(e: &flows::sign_in::NoSignIn) -> String {
    match e {
        flows::sign_in::NoSignIn::NothingAvailable => "Signing in needs the Azure CLI (az login) or an app registration (PATWIZ_CLIENT_ID): see the README. Meanwhile create the token in the browser with the steps below.".to_string(),
        other => other.to_string(),
    }
}

/// Where a sign-in says what it waits for, and what stops it.
struct SignInIo {
    tell: UnboundedSender<Msg>,
    stop: tokio::sync::watch::Receiver<u64>,
}

/// Signs in for the wizard by the core's rule: the device code (or that the browser opened)
/// goes to the screen while it waits, and Esc (`io.stop`) ends the wait; then `undone` says
/// what did not happen.
async fn wizard_entra(
    org: &OrgUrl,
    http: &HttpOptions,
    mut io: SignInIo,
    undone: &str,
) -> Result<crate::engine::entra::EntraToken, MintFailure> {
    use crate::domain::text::clean_line;
    use crate::ui::msg::SignInWait;
    let how = wizard_sign_in(org).map_err(|e| MintFailure {
        text: no_sign_in_words(&e),
        policy: None,
    })?;
    let (device, browser) = (io.tell.clone(), io.tell.clone());
    let signing = flows::mint::sign_in(
        org,
        &how,
        http,
        move |uri, code| {
            let _ = device.send(Msg::SignInWaiting(SignInWait::DeviceCode {
                uri: clean_line(uri),
                code: clean_line(code),
            }));
        },
        move |url| {
            webbrowser::open(url.as_str())?;
            let _ = browser.send(Msg::SignInWaiting(SignInWait::Browser));
            Ok(())
        },
    );
    tokio::select! {
        signed = signing => signed.map_err(|e| mint_failure(org, e)),
        _ = io.stop.changed() => Err(MintFailure {
            text: format!("You stopped the sign-in: {undone}."),
            policy: None,
        }),
    }
}

async fn mint(
    request: MintRequest,
    ctx: flows::Ctx,
    keep: KeptLifecycle,
    io: SignInIo,
) -> Result<Box<flows::mint::CreatedHere>, MintFailure> {
    let fail = |e| mint_failure(&request.org, e);
    let vault = ctx.local_store().await.map_err(|e| MintFailure {
        text: e.to_string(),
        policy: None,
    })?;
    let entra = wizard_entra(&request.org, &ctx.http, io, "nothing was created").await?;
    let (created, lifecycle) = flows::mint::create_for_wizard(
        &request.org,
        &request.token_name,
        &request.scopes,
        request.valid_to,
        &ctx,
        &vault,
        &entra,
    )
    .await
    .map_err(fail)?;
    *keep.lock().await = Some(lifecycle);
    Ok(Box::new(created))
}

type KeptLifecycle = Arc<tokio::sync::Mutex<Option<crate::engine::lifecycle::Lifecycle>>>;

/// A failure of the lifecycle work in the wizard's words: a policy refusal explained.
fn mint_failure(org: &OrgUrl, e: flows::mint::MintError) -> MintFailure {
    MintFailure {
        policy: match &e {
            flows::mint::MintError::Lifecycle(l) => l.refusal().map(|r| r.explain(org.name())),
            _ => None,
        },
        text: match &e {
            // The steps on screen are the other way: by hand, in any browser.
            flows::mint::MintError::SignIn(crate::engine::entra::SignInError::NoBrowser(why)) => {
                format!(
                    "cannot open a browser here ({why}): create the token in the browser yourself with the steps below"
                )
            }
            _ => e.to_string(),
        },
    }
}

/// The lifecycle API this run signed in to, signing in (in the browser) the first time.
async fn signed_in<'a>(
    keep: &'a KeptLifecycle,
    org: &OrgUrl,
    http: &HttpOptions,
    io: SignInIo,
) -> Result<tokio::sync::MutexGuard<'a, Option<crate::engine::lifecycle::Lifecycle>>, MintFailure> {
    let mut kept = keep.lock().await;
    if kept.is_none() {
        let entra = wizard_entra(org, http, io, "nothing was changed").await?;
        *kept = Some(
            flows::mint::connect(org, &entra, http)
                .await
                .map_err(|e| mint_failure(org, e))?,
        );
    }
    Ok(kept)
}

/// Moves the stored token's expiry in place and proves it again (the use case, signed in).
async fn extend(
    org: OrgUrl,
    valid_to: time::OffsetDateTime,
    ctx: flows::Ctx,
    keep: KeptLifecycle,
    io: SignInIo,
) -> Result<(time::Date, crate::domain::checks::Verdict), MintFailure> {
    let plain = |text: String| MintFailure { text, policy: None };
    let kept = signed_in(&keep, &org, &ctx.http, io).await?;
    let lifecycle = kept.as_ref().expect("just connected");
    let vault = ctx.local_store().await.map_err(|e| plain(e.to_string()))?;
    let mended = flows::mint::extend(&ctx, lifecycle, &vault, &org, valid_to)
        .await
        .map_err(|e| mint_failure(&org, e))?;
    let date = mended.valid_to.unwrap_or(valid_to).date();
    Ok((date, mended.report.verdict))
}

/// Adds scopes to the token patwiz created, in place, signing in again if this run has not.
async fn mend(
    org: OrgUrl,
    authorization_id: String,
    scopes: Vec<String>,
    http: HttpOptions,
    keep: KeptLifecycle,
    io: SignInIo,
) -> Result<Vec<String>, MintFailure> {
    let kept = signed_in(&keep, &org, &http, io).await?;
    let lifecycle = kept.as_ref().expect("just connected");
    lifecycle
        .update(&authorization_id, Some(&scopes), None)
        .await
        .map_err(|e| mint_failure(&org, e.into()))?;
    Ok(scopes)
}

/// Stores the proven token in the team vault the request names (its address and credentials
/// from the environment, as for `login --to`), only on the entry as it is now. A token patwiz
/// created here is then settled in the journal: it is stored, in the vault.
async fn save_team(
    request: SaveRequest,
    ctx: &flows::Ctx,
) -> Result<String, crate::ui::msg::TeamSaveError> {
    use crate::flows::team_vault::{Destination, ProvenForVault};
    let uri = request.team.clone().unwrap_or_default();
    let target = crate::domain::team_vault::Target::parse(&uri, false)?;
    let destination =
        Destination::open(&target, &HttpOptions::default(), vault_sign_in(&target)?).await?;
    let version = destination
        .put(&ProvenForVault {
            token: &request.token,
            report: &request.report,
            profile: &request.profile,
            scopes: &request.scopes,
            expires: request.expires,
            authorization_id: request.authorization_id.clone(),
        })
        .await?;
    let store = &destination.store;
    if let (Some(id), Some(dir)) = (&request.authorization_id, &ctx.config_dir) {
        flows::mint::settle_journal(&crate::store::settings::SettingsFile::new(dir), id);
    }
    Ok(format!(
        "{} at {}{}",
        target.display(),
        store.address(),
        if version > 0 {
            format!(" (version {version})")
        } else {
            String::new()
        }
    ))
}

/// How the wizard signs in to a Key Vault: as for "create it for me" (the Azure CLI, else the
/// browser), at the tenant the vault's challenge names. Other stores need no sign-in.
fn vault_sign_in(
    target: &crate::domain::team_vault::Target,
) -> Result<flows::team_vault::VaultSignIn<'static>, crate::ui::msg::TeamSaveError> {
    let crate::domain::team_vault::Target::KeyVault { vault, .. } = target else {
        return Ok(flows::team_vault::VaultSignIn::default());
    };
    let loopback = url::Url::parse(vault).is_ok_and(|u| crate::domain::org_url::is_loopback(&u));
    let how =
        wizard_sign_in_for(loopback, false).map_err(|_| crate::ui::msg::TeamSaveError::NoSignIn)?;
    Ok(flows::team_vault::VaultSignIn {
        how: Some(how),
        show: None,
        open: Some(Box::new(|url: &url::Url| webbrowser::open(url.as_str()))),
    })
}

async fn save(
    request: SaveRequest,
    ctx: &flows::Ctx,
    lifecycle: KeptLifecycle,
) -> Result<flows::keep::Stored, LocalStoreError> {
    let now = ctx.now();
    let vault = ctx.local_store().await?;
    let proven = flows::keep::Proven {
        org: &request.org,
        token: &request.token,
        report: &request.report,
        profile: &request.profile,
        scopes: &request.scopes,
        expires: request.expires,
        authorization_id: request.authorization_id.as_deref(),
    };
    // The signed-in lifecycle API is needed (and waited for) only for a token patwiz created.
    let signed_in = match request.authorization_id {
        Some(_) => Some(lifecycle.lock().await),
        None => None,
    };
    flows::mint::keep(
        &vault,
        proven,
        request.rotating.as_deref(),
        signed_in.as_ref().and_then(|l| l.as_ref()),
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_file_is_named_after_its_organization_and_minute_and_never_replaces_one() {
        let at = time::macros::datetime!(2026-12-04 20:46:59 +01:00);
        assert_eq!(
            report_file_name("Fabrikam Fiber/../x", at),
            "patwiz-report-Fabrikam-Fiber----x-2026-12-04-1946"
        );
        let dir = tempfile::tempdir().unwrap();
        let name = report_file_name("demo", at);
        let first = write_report(dir.path(), &name, "one").unwrap();
        let second = write_report(dir.path(), &name, "two").unwrap();
        assert!(first.ends_with("patwiz-report-demo-2026-12-04-1946.txt"));
        assert!(second.ends_with("patwiz-report-demo-2026-12-04-1946-2.txt"));
        assert_eq!(std::fs::read_to_string(first).unwrap(), "one");
    }
}
