//! `patwiz npmrc` and `patwiz pip-conf` against the emulator's Azure Artifacts feeds: the token
//! proven to read the feed first, shown masked, written only into the user-level file (0600),
//! merged without losing anything, and never into a repository.

use std::path::Path;
use std::process::Output;

use base64::Engine as _;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `patwiz ARGS` as a person in this home, in `cwd`, with `token` on standard input.
    fn run(&self, args: &[&str], token: &str, cwd: &Path) -> Output {
        let mut cmd = crate::support::cmd::patwiz();
        cmd.args(args)
            .arg("--token-stdin")
            .env("HOME", self.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("NPM_CONFIG_USERCONFIG")
            .env_remove("npm_config_userconfig")
            .env_remove("PIP_CONFIG_FILE")
            .env("PATWIZ_CONFIG_DIR", self.path().join("patwiz"))
            .current_dir(cwd);
        crate::support::cmd::output(&mut cmd, Some(token))
    }
}

fn assert_no_secret_in_output(out: &Output, token: &str) {
    let text = crate::support::cmd::text(out);
    let encoded = base64::engine::general_purpose::STANDARD.encode(token);
    assert!(!text.contains(&token[..8]), "the token is in the output");
    assert!(!text.contains(&encoded[..8]), "its base64 is in the output");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn npmrc_is_shown_masked_then_written_into_the_user_file_only_and_merged() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let token = emu.token("azure-artifacts").unwrap();
    let home = Home::new();
    let npmrc = home.path().join(".npmrc");
    std::fs::write(
        &npmrc,
        "color=false\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    )
    .unwrap();
    let args = ["npmrc", "--org", &org, "--feed", "fabrikam-shared"];
    let shown = tokio::task::block_in_place(|| home.run(&args, &token, home.path()));
    let text = crate::support::cmd::text(&shown);
    assert_eq!(shown.status.code(), Some(0), "{text}");
    assert!(
        text.contains("the token reads the feed fabrikam-shared"),
        "{text}"
    );
    assert!(
        text.contains("/_hosts/pkgs/demo/_packaging/fabrikam-shared/npm/registry/:_password="),
        "the host came from discovery: {text}"
    );
    assert!(text.contains("Nothing was written"), "{text}");
    assert_no_secret_in_output(&shown, &token);
    assert_eq!(
        std::fs::read_to_string(&npmrc).unwrap(),
        "color=false\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
        "a preview writes nothing"
    );

    let mut write = args.to_vec();
    write.push("--write");
    let written = tokio::task::block_in_place(|| home.run(&write, &token, home.path()));
    let text = crate::support::cmd::text(&written);
    assert_eq!(written.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Wrote the credentials for the feed fabrikam-shared to ~/.npmrc"),
        "{text}"
    );
    assert!(
        text.contains("registry=http"),
        "the project's line is shown: {text}"
    );
    assert_no_secret_in_output(&written, &token);
    let file = std::fs::read_to_string(&npmrc).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&token);
    assert!(
        file.starts_with("color=false\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
        "{file}"
    );
    assert_eq!(
        file.matches(&format!(":_password={encoded}\n")).count(),
        2,
        "{file}"
    );
    assert!(
        !file.contains(&token),
        "npm gets base64, never the raw token"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&npmrc).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Again (a rotation): replaced in place, nothing doubled.
    let again = tokio::task::block_in_place(|| home.run(&write, &token, home.path()));
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&npmrc).unwrap(), file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projects_feed_a_missing_feed_and_a_token_without_packaging() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let feeds = emu.token("azure-artifacts").unwrap();
    let home = Home::new();
    let project = tokio::task::block_in_place(|| {
        home.run(
            &[
                "pip-conf",
                "--org",
                &org,
                "--project",
                "Fabrikam Fiber",
                "--feed",
                "fabrikam-packages",
                "--write",
            ],
            &feeds,
            home.path(),
        )
    });
    let text = crate::support::cmd::text(&project);
    assert_eq!(project.status.code(), Some(0), "{text}");
    assert!(
        text.contains("pip now installs from fabrikam-packages (index-url)"),
        "{text}"
    );
    let conf = std::fs::read_to_string(home.path().join(".config/pip/pip.conf")).unwrap();
    assert!(
        conf.starts_with("[global]\nindex-url = http://fabrikam-packages:"),
        "{conf}"
    );
    assert!(
        conf.contains("/Fabrikam%20Fiber/_packaging/fabrikam-packages/pypi/simple/"),
        "{conf}"
    );
    assert_no_secret_in_output(&project, &feeds);

    // The organization has no such feed: said, with the hint that it may be a project's.
    let missing = tokio::task::block_in_place(|| {
        home.run(
            &[
                "npmrc",
                "--org",
                &org,
                "--feed",
                "fabrikam-packages",
                "--write",
            ],
            &feeds,
            home.path(),
        )
    });
    let text = crate::support::cmd::text(&missing);
    assert_eq!(missing.status.code(), Some(1), "{text}");
    assert!(
        text.contains("there is no feed fabrikam-packages"),
        "{text}"
    );
    assert!(
        text.contains("The feed with ID 'fabrikam-packages' doesn't exist."),
        "{text}"
    );
    assert!(text.contains("add --project NAME"), "{text}");
    assert!(!home.path().join(".npmrc").exists(), "nothing written");

    // A token without Packaging (Read): the same report as `check`, nothing written.
    let git_zen = emu.token("git-zen").unwrap();
    let lacking = tokio::task::block_in_place(|| {
        home.run(
            &[
                "npmrc",
                "--org",
                &org,
                "--feed",
                "fabrikam-shared",
                "--write",
            ],
            &git_zen,
            home.path(),
        )
    });
    let text = crate::support::cmd::text(&lacking);
    assert_eq!(lacking.status.code(), Some(1), "{text}");
    assert!(text.contains("Packaging"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert!(!home.path().join(".npmrc").exists());
    assert_no_secret_in_output(&lacking, &git_zen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_in_a_repository_is_never_written_and_a_project_npmrc_with_a_token_is_named() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let token = emu.token("azure-artifacts").unwrap();
    let home = Home::new();
    let repo = home.path().join("web");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("app")).unwrap();
    std::fs::write(
        repo.join(".npmrc"),
        "registry=https://pkgs.dev.azure.com/demo/_packaging/fabrikam-shared/npm/registry/\n//pkgs.dev.azure.com/demo/_packaging/fabrikam-shared/npm/registry/:_password=c2VjcmV0\n",
    )
    .unwrap();
    // Run from a folder inside the repository: the repository's .npmrc is found and named.
    let mut cmd = crate::support::cmd::patwiz();
    cmd.args([
        "npmrc",
        "--org",
        &org,
        "--feed",
        "fabrikam-shared",
        "--write",
        "--token-stdin",
    ])
    .env("HOME", home.path())
    .env("NPM_CONFIG_USERCONFIG", repo.join("app/.npmrc"))
    .env("PATWIZ_CONFIG_DIR", home.path().join("patwiz"))
    .current_dir(repo.join("app"));
    let out = tokio::task::block_in_place(|| crate::support::cmd::output(&mut cmd, Some(&token)));
    let text = crate::support::cmd::text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(".npmrc:2 holds a credential (_password)"),
        "{text}"
    );
    assert!(text.contains("is inside the git repository"), "{text}");
    assert!(text.contains("Nothing was written"), "{text}");
    assert!(!repo.join("app/.npmrc").exists());
    assert!(!text.contains("c2VjcmV0"), "never the value found");
    assert_no_secret_in_output(&out, &token);
}

/// A feed or project name with escape sequences never reaches the terminal (nor a file or a
/// URL): it is refused as a name before anything is asked or written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_or_project_name_with_escape_sequences_is_refused_not_echoed() {
    let emu = crate::support::clock::start_demo().await.unwrap();
    let org = emu.org_url();
    let token = emu.token("azure-artifacts").unwrap();
    let home = Home::new();
    let hostile = "fabrikam-shared\u{1b}]0;owned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}";
    for (client, args) in [
        ("npmrc", vec!["--feed", hostile]),
        ("pip-conf", vec!["--feed", hostile, "--write"]),
        ("npmrc", vec!["--feed", "../../../evil"]),
        (
            "npmrc",
            vec![
                "--feed",
                "fabrikam-shared",
                "--project",
                "Fab\u{1b}[2Jrikam",
            ],
        ),
    ] {
        let mut all = vec![client, "--org", org.as_str()];
        all.extend(args);
        let out = home.run(&all, &token, home.path());
        let text = crate::support::cmd::text(&out);
        assert_eq!(out.status.code(), Some(64), "{all:?}: {text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert_no_secret_in_output(&out, &token);
    }
    assert!(!home.path().join(".npmrc").exists());
}
