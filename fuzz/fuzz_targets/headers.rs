#![no_main]
//! Response headers as a hostile server sends them: Retry-After (any number, date or junk),
//! X-TFS-ServiceError (any percent-encoding), X-VSS-UserData, Content-Type. Nothing panics, no
//! wait exceeds the bound, and nothing read keeps a control character.

use libfuzzer_sys::fuzz_target;
use patwiz::engine::http::{MAX_RETRY_WAIT, Reply, retry_after};
use reqwest::header::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(5, |b| *b == b'\n').collect();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        "retry-after",
        "x-tfs-serviceerror",
        "x-vss-userdata",
        "content-type",
    ]
    .iter()
    .zip(parts.iter())
    {
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.insert(*name, v);
        }
    }
    assert!(retry_after(&headers) <= MAX_RETRY_WAIT);
    let reply = Reply {
        status: 401,
        headers,
        body: parts.get(4).map(|b| b.to_vec()).unwrap_or_default(),
        redirected_to: None,
        redirect_loop: false,
    };
    let answer = reply.answer();
    for text in [answer.message, answer.user_data, answer.content_type].into_iter().flatten() {
        assert!(!text.chars().any(patwiz::domain::text::is_control), "{text:?}");
    }
});
