//! Deadlines: nothing waits on a store without a limit (see the module docs of
//! `io::secrets`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{StoreProblem, StoreReason};
use crate::secret::StoreKind;

/// Runs `job` on a helper thread and waits at most `limit`. `Err` is why not
/// ([`StoreProblem::NoAnswer`] past the deadline), naming the store. A job that misses
/// the deadline keeps its thread until it returns (or forever).
pub(super) fn within<T: Send + 'static>(
    limit: Duration,
    kind: StoreKind,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreReason> {
    within_while_answering(limit, kind, &AtomicUsize::new(0), job)
}

/// [`within`] for a job that counts answers on `answered`: waited for while the count
/// grows, at most `limit` after the last answer.
pub(super) fn within_while_answering<T: Send + 'static>(
    limit: Duration,
    kind: StoreKind,
    answered: &AtomicUsize,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreReason> {
    let name = store_name(kind);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("wfm-wizard-{kind}"))
        .spawn(move || {
            // The receiver is gone when the deadline has passed: nobody wants the result.
            let _ = tx.send(job());
        })
        .map_err(|e| {
            StoreReason::new(
                StoreProblem::Other,
                format!("could not start a thread to reach the {name} ({e})"),
            )
        })?;
    let mut seen = answered.load(Ordering::SeqCst);
    loop {
        match rx.recv_timeout(limit) {
            Ok(done) => return Ok(done),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let now = answered.load(Ordering::SeqCst);
                if now == seen {
                    return Err(StoreReason::new(
                        StoreProblem::NoAnswer,
                        format!("the {name} did not answer within {} s", limit.as_secs_f32()),
                    ));
                }
                seen = now;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(StoreReason::new(
                    StoreProblem::Other,
                    format!("the call to the {name} stopped unexpectedly"),
                ));
            }
        }
    }
}

/// How a store is named in sentences.
pub(super) fn store_name(kind: StoreKind) -> &'static str {
    match kind {
        StoreKind::SecretService => "Secret Service",
        StoreKind::Keyutils => "kernel keyring",
        StoreKind::Keychain => "macOS Keychain",
        StoreKind::Windows => "Windows Credential Manager",
        StoreKind::SystemdCreds => "systemd credential store",
    }
}
