#![no_main]
//! The response classifier, fed whole server answers: status, content type and body bytes.

use libfuzzer_sys::fuzz_target;
use patwiz::domain::checks::{Expect, classify_existence, classify_identity, classify_probe};
use patwiz::engine::http::Reply;
use reqwest::header::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let mut headers = HeaderMap::new();
    let kind = [
        "application/json; charset=utf-8",
        "text/html",
        "text/plain",
        "",
    ][usize::from(data[2] % 4)];
    if let Ok(v) = HeaderValue::from_str(kind) {
        headers.insert("content-type", v);
    }
    if data[2] & 4 != 0 {
        headers.insert(
            "x-vss-userdata",
            HeaderValue::from_static("id:user@contoso.com"),
        );
    }
    let reply = Reply {
        status,
        headers,
        body: data[3..].to_vec(),
        redirected_to: None,
        redirect_loop: false,
    };
    let answer = reply.answer();
    let _ = reply.message();
    for expect in [Expect::Json, Expect::Success, Expect::Authorised] {
        let _ = classify_probe(&answer, expect);
    }
    let _ = classify_identity(&answer, data[2] & 8 != 0);
    let _ = classify_existence(&answer);
});
