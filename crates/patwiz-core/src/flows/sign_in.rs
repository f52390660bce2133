//! The one rule for how patwiz signs in with Microsoft Entra, for the wizard and every command:
//! what the person asked for, else the best this machine offers. The front ends differ only in
//! what they can do (a front end that cannot show a device code never gets that flow) and in
//! how they word a refusal.

use super::mint::SignIn;

/// The sign-in the person asked for by name (`--sign-in az|browser|device`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    AzureCli,
    Browser,
    DeviceCode,
}

impl Asked {
    /// The flow `--sign-in` names.
    pub fn parse(word: &str) -> Result<Asked, UnknownSignIn> {
        match word {
            "az" => Ok(Asked::AzureCli),
            "browser" => Ok(Asked::Browser),
            "device" => Ok(Asked::DeviceCode),
            other => Err(UnknownSignIn(other.to_string())),
        }
    }

    /// The word `--sign-in` takes for this flow.
    pub fn word(self) -> &'static str {
        match self {
            Asked::AzureCli => "az",
            Asked::Browser => "browser",
            Asked::DeviceCode => "device",
        }
    }
}

/// A `--sign-in` word that names no flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--sign-in {0}: use az, browser or device")]
pub struct UnknownSignIn(pub String);

/// What this machine and this front end offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Here {
    /// The service is on this machine (the demo's, whose identity provider takes any client id).
    pub loopback: bool,
    /// The Azure CLI is installed.
    pub azure_cli: bool,
    /// A browser can be opened (a desktop session, or `BROWSER` set).
    pub browser: bool,
    /// The front end can show a device code and its address while it waits.
    pub shows_device_code: bool,
    /// The app registration's client id (`--client-id` or `PATWIZ_CLIENT_ID`).
    pub client_id: Option<String>,
}

impl Here {
    /// This machine as it is now: the Azure CLI, a browser, `client_id` (else
    /// `PATWIZ_CLIENT_ID`).
    pub fn detect(loopback: bool, client_id: Option<String>, shows_device_code: bool) -> Here {
        Here {
            loopback,
            azure_cli: crate::engine::entra::azure_cli_installed(),
            browser: has_browser(),
            shows_device_code,
            client_id: client_id
                .or_else(|| std::env::var("PATWIZ_CLIENT_ID").ok())
                .filter(|c| !c.trim().is_empty()),
        }
    }
}

/// Why no sign-in can be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoSignIn {
    /// The flow asked for needs an app registration and none was named.
    #[error("--sign-in {} needs the client id of an app registered in your tenant (--client-id or PATWIZ_CLIENT_ID; see the README), or use --sign-in az", .0.word())]
    NeedsClientId(Asked),
    /// Neither the Azure CLI nor an app registration is there.
    #[error(
        "signing in needs the Azure CLI (`az login` first) or an app registration (--client-id or PATWIZ_CLIENT_ID): see the README"
    )]
    NothingAvailable,
}

/// The sign-in to use: the one `asked` for, else the demo's on loopback, else the Azure CLI,
/// else the app registration in the browser, or by device code where no browser opens and the
/// front end can show the code (the demo's too).
pub fn choose(asked: Option<Asked>, here: &Here) -> Result<SignIn, NoSignIn> {
    // The demo's identity provider takes any client id.
    let client_id = here
        .client_id
        .clone()
        .or_else(|| here.loopback.then(|| "patwiz-demo".to_string()));
    match asked {
        Some(Asked::AzureCli) => Ok(SignIn::AzureCli),
        Some(how @ Asked::Browser) => client_id
            .map(|client_id| SignIn::Browser { client_id })
            .ok_or(NoSignIn::NeedsClientId(how)),
        Some(how @ Asked::DeviceCode) => client_id
            .map(|client_id| SignIn::DeviceCode { client_id })
            .ok_or(NoSignIn::NeedsClientId(how)),
        // With no browser to open (over SSH), a front end that can show a device code uses it:
        // a browser flow would wait for a page no one can see.
        None if here.loopback && !here.browser && here.shows_device_code => {
            Ok(SignIn::DeviceCode {
                client_id: client_id.unwrap_or_default(),
            })
        }
        None if here.loopback => Ok(SignIn::Browser {
            client_id: client_id.unwrap_or_default(),
        }),
        None if here.azure_cli => Ok(SignIn::AzureCli),
        None => match client_id {
            Some(client_id) if here.browser || !here.shows_device_code => {
                Ok(SignIn::Browser { client_id })
            }
            Some(client_id) => Ok(SignIn::DeviceCode { client_id }),
            None => Err(NoSignIn::NothingAvailable),
        },
    }
}

/// Whether a browser can be opened here.
fn has_browser() -> bool {
    cfg!(any(target_os = "macos", target_os = "windows"))
        || ["BROWSER", "DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Here {
        Here {
            shows_device_code: true,
            ..Here::default()
        }
    }

    #[test]
    fn the_demo_signs_in_in_the_browser_with_any_client_id() {
        let demo = Here {
            loopback: true,
            browser: true,
            ..here()
        };
        assert_eq!(
            choose(None, &demo),
            Ok(SignIn::Browser {
                client_id: "patwiz-demo".into()
            })
        );
        assert_eq!(
            choose(Some(Asked::DeviceCode), &demo),
            Ok(SignIn::DeviceCode {
                client_id: "patwiz-demo".into()
            })
        );
    }

    /// N-H6: over SSH (no display), the demo's sign-in is the device code, not a browser
    /// that never opens.
    #[test]
    fn with_no_browser_the_demo_signs_in_by_device_code() {
        let ssh = Here {
            loopback: true,
            browser: false,
            ..here()
        };
        assert_eq!(
            choose(None, &ssh),
            Ok(SignIn::DeviceCode {
                client_id: "patwiz-demo".into()
            })
        );
    }

    #[test]
    fn the_azure_cli_comes_first_then_the_app_in_the_browser_or_by_device_code() {
        let app = Some("app".to_string());
        let az = Here {
            azure_cli: true,
            client_id: app,
            browser: true,
            ..here()
        };
        assert_eq!(choose(None, &az), Ok(SignIn::AzureCli));
        let desktop = Here {
            azure_cli: false,
            ..az
        };
        assert_eq!(
            choose(None, &desktop),
            Ok(SignIn::Browser {
                client_id: "app".into()
            })
        );
        let ssh = Here {
            browser: false,
            ..desktop
        };
        assert_eq!(
            choose(None, &ssh),
            Ok(SignIn::DeviceCode {
                client_id: "app".into()
            })
        );
        // A front end that cannot show the code is never given the device-code flow unasked.
        let cannot_show = Here {
            shows_device_code: false,
            ..ssh
        };
        assert_eq!(
            choose(None, &cannot_show),
            Ok(SignIn::Browser {
                client_id: "app".into()
            })
        );
    }

    #[test]
    fn without_the_cli_or_an_app_registration_it_says_what_is_needed() {
        assert_eq!(choose(None, &here()), Err(NoSignIn::NothingAvailable));
        assert_eq!(
            choose(Some(Asked::Browser), &here()),
            Err(NoSignIn::NeedsClientId(Asked::Browser))
        );
        assert_eq!(choose(Some(Asked::AzureCli), &here()), Ok(SignIn::AzureCli));
        assert!(
            NoSignIn::NeedsClientId(Asked::DeviceCode)
                .to_string()
                .starts_with("--sign-in device needs")
        );
        assert_eq!(
            Asked::parse("edge").unwrap_err().to_string(),
            "--sign-in edge: use az, browser or device"
        );
    }
}
