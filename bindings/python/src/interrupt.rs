//! Long computations without the GIL, answering Ctrl-C.
//!
//! The work runs on its own thread; the calling thread waits for it with the GIL
//! released and, every 100 ms, re-attaches to let Python run its signal handlers. On
//! KeyboardInterrupt the call returns at once; the worker cannot be stopped from
//! outside, so it finishes in the background and its result is dropped.

use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;

/// Runs `work` off the GIL, returning its result or the interrupt.
pub fn run<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, mut rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    loop {
        // The receiver moves into the GIL-free closure and back (it is Send, not Sync).
        let (back, received) = py.detach(move || {
            let r = rx.recv_timeout(Duration::from_millis(100));
            (rx, r)
        });
        rx = back;
        match received {
            Ok(value) => return Ok(value),
            Err(mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(crate::errors::DsrfError::new_err(
                    "internal error: the computation stopped without a result; please report this input",
                ));
            }
        }
    }
}
