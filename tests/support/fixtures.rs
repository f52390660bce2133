//! The demo scenario's tokens the tests paste by value (made up; they work only against the
//! emulator), in one place.

/// Exactly the Git-Zen scopes.
pub const GIT_ZEN: &str =
    "AwfEoGD23EoP1arvJveEnjpxgYIJPxuWil8TUpMxYnCIZrCeNEzhJQQJ99CKYvSdNCpgG36sAAAAAZDO3oL0";
/// Git-Zen without Service Connections: Read & query.
pub const MISSING: &str =
    "bzjMHWpgbyA8KrAds5ASlkq8ItCASnJOSnqW1pdrHa8hq6iNE7obJQQJ99CKWidSTtIfYaLpAAAAAZDO2LvP";

/// A person's browser for the sign-in tests: a script `BROWSER` can name that opens the
/// (emulated) Microsoft Entra sign-in page and follows its redirect back to patwiz.
#[allow(dead_code)]
pub fn fake_browser(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("browser.sh");
    std::fs::write(&path, "#!/bin/sh\ncurl -s -L -o /dev/null \"$1\" &\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// The Azure CLI for the Key Vault tests: `az account get-access-token --resource
/// https://vault.azure.net …` prints `bearer`; any other resource fails, as a wrong ask would.
#[allow(dead_code)]
pub fn fake_key_vault_az(dir: &std::path::Path, bearer: &str) -> std::path::PathBuf {
    let path = dir.join("az");
    std::fs::write(
        &path,
        format!("#!/bin/sh\n[ \"$4\" = \"https://vault.azure.net\" ] || exit 3\necho '{bearer}'\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// The demo scenario with its `[lifecycle]` table replaced by `lifecycle` (policies, the
/// signed-in user, blocked flows).
#[allow(dead_code)]
pub fn scenario_with_lifecycle(lifecycle: &str) -> patwiz::emulator::Scenario {
    let text = patwiz::emulator::scenario::DEFAULT_SCENARIO;
    let start = text.find("[lifecycle]").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    patwiz::emulator::Scenario::parse(&format!("{}{lifecycle}{}", &text[..start], &text[end..]))
        .unwrap()
}

/// `127.0.0.1:PORT` of a loopback organization's URL: how `--trust-server` names a port on
/// this machine that may receive a team's token.
pub fn local_port_of(org: &str) -> String {
    let url = url::Url::parse(org).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
}
