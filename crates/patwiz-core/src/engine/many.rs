//! Many checks at once (`status --check` over every stored organization): bounded parallelism,
//! answers in the order asked, one organization's failure never holding up the others (each
//! check has its own deadline and ends in a report, whatever happens).

use futures_util::StreamExt as _;

use super::{CheckRequest, Report};

/// How many organizations are proven at once: dozens take a few round trips, hundreds a few
/// more, and no machine is asked for more connections than it can give.
pub const PARALLELISM: usize = 32;

/// Runs every check, at most `parallelism` at a time; the reports come back in order.
pub async fn check_all(requests: Vec<CheckRequest>, parallelism: usize) -> Vec<Report> {
    let total = requests.len();
    let mut running = futures_util::stream::iter(requests.into_iter().enumerate())
        .map(|(i, request)| async move { (i, super::run(request, None).await) })
        .buffer_unordered(parallelism.max(1));
    let mut reports: Vec<Option<Report>> = (0..total).map(|_| None).collect();
    while let Some((i, report)) = running.next().await {
        reports[i] = Some(report);
    }
    reports.into_iter().flatten().collect()
}
