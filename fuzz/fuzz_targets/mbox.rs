//! The input is an mbox as a series is posted: split into messages, each read as git
//! mailinfo reads it, the series chosen from them; errors are rendered too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenlint::mail::{mailinfo, posted_series, split_mbox};

fuzz_target!(|data: &[u8]| {
    let mails = match split_mbox(data) {
        Ok(mails) => mails,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    for mail in &mails {
        let info = mailinfo(mail);
        assert!(
            info.patch.len() + info.message.len() <= mail.body.len(),
            "mailinfo only splits the body"
        );
    }
    match posted_series(mails) {
        Ok(series) => assert!(!series.patches.is_empty(), "a series has a patch"),
        Err(error) => assert!(error.to_string().len() < 1000, "a short error"),
    }
});
