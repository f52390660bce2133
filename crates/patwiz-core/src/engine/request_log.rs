//! The request log (`--log FILE`): one line per HTTP request with the time, method, host,
//! path, status and duration, for a helpdesk or a bug report. Never a header value, never a
//! query string, never a body: nothing in it can hold the token.

use std::io::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use url::Url;

static SINK: OnceLock<Mutex<Box<dyn std::io::Write + Send>>> = OnceLock::new();

/// Starts logging to `path` (appending; `-` is standard error). The file is created 0600 and
/// never through a symlink.
pub fn start(path: &std::path::Path) -> std::io::Result<()> {
    let sink: Box<dyn std::io::Write + Send> = if path.as_os_str() == "-" {
        Box::new(std::io::stderr())
    } else {
        Box::new(crate::store::files::open_no_follow(path, true)?)
    };
    let _ = SINK.set(Mutex::new(sink));
    Ok(())
}

/// The line for one request: what was asked and how it ended.
pub fn line(method: &str, url: &Url, outcome: &str, elapsed: Duration) -> String {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let host = url.host_str().unwrap_or("?");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{now} {method} {}://{host}{port}{} {outcome} {} ms",
        url.scheme(),
        crate::domain::text::clean_line(url.path()),
        elapsed.as_millis()
    )
}

/// Records one request, if logging was started.
pub fn record(method: &str, url: &Url, outcome: &str, elapsed: Duration) {
    if let Some(sink) = SINK.get()
        && let Ok(mut sink) = sink.lock()
    {
        let _ = writeln!(sink, "{}", line(method, url, outcome, elapsed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_no_query_and_no_credentials() {
        let url =
            Url::parse("https://user:secret@dev.azure.com/contoso/_apis/x?token=abc").unwrap();
        let text = line("GET", &url, "200", Duration::from_millis(12));
        assert!(
            text.ends_with("GET https://dev.azure.com/contoso/_apis/x 200 12 ms"),
            "{text}"
        );
        assert!(!text.contains("secret") && !text.contains("abc"), "{text}");
    }
}
