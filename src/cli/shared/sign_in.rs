//! Signing in with Microsoft Entra from the command line, and saying a lifecycle failure.

use crate::cli::CliError;
use std::process::ExitCode;

use crate::cli::{SignInArgs, usage};
use crate::domain::org_url::OrgUrl;
use crate::domain::text::safe_message;
use crate::engine::http::HttpOptions;
use crate::flows::mint::{self, MintError, SignIn};

/// Exit code when the service or a policy refused (as a rejected token).
pub(crate) const EXIT_REFUSED: u8 = 2;

/// The sign-in to use: the one asked for, else the best available here.
pub(crate) fn sign_in_method(org: &OrgUrl, args: &SignInArgs) -> Result<SignIn, CliError> {
    sign_in_method_for(org.is_loopback(), args)
}

/// The sign-in to use for a service on this machine (`loopback`: the demo's) or elsewhere: the
/// core's one rule, with the command line able to show a device code.
pub(crate) fn sign_in_method_for(loopback: bool, args: &SignInArgs) -> Result<SignIn, CliError> {
    use crate::flows::sign_in::{Asked, Here, choose};
    let asked = args
        .sign_in
        .as_deref()
        .map(Asked::parse)
        .transpose()
        .map_err(usage)?;
    choose(asked, &Here::detect(loopback, args.client_id.clone(), true)).map_err(usage)
}

/// Signs in and connects to the organization's lifecycle API; errors are printed.
pub(crate) async fn connect(
    org: &OrgUrl,
    args: &SignInArgs,
    options: &HttpOptions,
) -> Result<crate::engine::lifecycle::Lifecycle, CliError> {
    let how = sign_in_method(org, args)?;
    let token = mint::sign_in(
        org,
        &how,
        options,
        |uri, code| {
            use crate::domain::text::clean_line;
            eprintln!(
                "patwiz: to sign in, open {} on any device and enter the code {}; patwiz waits until you have (Ctrl+C stops). Many tenants block this flow: --sign-in browser or az then.",
                clean_line(uri),
                clean_line(code)
            );
        },
        |url| {
            eprintln!(
                "patwiz: signing in with Microsoft Entra in your browser; patwiz waits up to 5 minutes (Ctrl+C stops)…"
            );
            webbrowser::open(url.as_str())
        },
    )
    .await
    .map_err(report_error)?;
    mint::connect(org, &token, options)
        .await
        .map_err(report_error)
}

/// Says why no token was created or signed in for (with the refusal's owner and next step),
/// as a failure already explained.
pub(crate) fn report_error(e: MintError) -> CliError {
    CliError::Said(say_mint_error(e))
}

fn say_mint_error(e: MintError) -> ExitCode {
    eprintln!("patwiz: {}", safe_message(&e.to_string()));
    if matches!(
        e,
        MintError::SignIn(crate::engine::entra::SignInError::NoBrowser(_))
    ) {
        eprintln!("  Here: --sign-in device (a code to enter on any device) or --sign-in az.");
    }
    if let MintError::Lifecycle(l) = &e
        && let Some(refusal) = l.refusal()
    {
        let words = refusal.explain("the organization");
        eprintln!("  Who can change it: {}", safe_message(&words.who));
        eprintln!("  What to do now: {}", safe_message(&words.now));
        return ExitCode::from(EXIT_REFUSED);
    }
    match e {
        MintError::NotProven { report, .. } => {
            crate::cli::print_report(&report);
            ExitCode::from(report.exit_code())
        }
        MintError::Lifecycle(_) | MintError::SignIn(_) => ExitCode::from(EXIT_REFUSED),
        _ => ExitCode::from(3),
    }
}
