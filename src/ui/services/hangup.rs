//! The terminal going away: its window closed, the SSH connection dropped (SIGHUP), or the
//! system asking patwiz to stop (SIGTERM; on Windows the console closing, logoff or shutdown).
//! Listening replaces the default of dying on the spot, so the wizard ends as on quit: the
//! clipboard cleared and the demo's token removed. One `cfg`-gated adapter per platform.

/// Resolves when the terminal has gone away or the system asks patwiz to stop. Registered
/// when called: create it before the wizard starts so no signal is missed.
pub struct Hangup {
    inner: imp::Listener,
}

impl Hangup {
    pub fn listen() -> Hangup {
        Hangup {
            inner: imp::Listener::new(),
        }
    }

    pub async fn wait(&mut self) {
        self.inner.wait().await;
    }
}

/// `signal.recv()` for a listener that registered, a future that never ends for one that
/// could not (the other listeners still answer).
#[cfg(any(unix, windows))]
macro_rules! recv_or_never {
    ($signal:expr) => {
        async {
            match &mut $signal {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
    };
}

#[cfg(unix)]
mod imp {
    use tokio::signal::unix::{Signal, SignalKind, signal};

    pub struct Listener {
        hangup: Option<Signal>,
        terminate: Option<Signal>,
    }

    impl Listener {
        pub fn new() -> Listener {
            Listener {
                hangup: signal(SignalKind::hangup()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }

        pub async fn wait(&mut self) {
            let hangup = recv_or_never!(self.hangup);
            let terminate = recv_or_never!(self.terminate);
            tokio::select! {
                _ = hangup => {}
                _ = terminate => {}
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use tokio::signal::windows::{CtrlClose, CtrlLogoff, CtrlShutdown};

    pub struct Listener {
        close: Option<CtrlClose>,
        logoff: Option<CtrlLogoff>,
        shutdown: Option<CtrlShutdown>,
    }

    impl Listener {
        pub fn new() -> Listener {
            use tokio::signal::windows::{ctrl_close, ctrl_logoff, ctrl_shutdown};
            Listener {
                close: ctrl_close().ok(),
                logoff: ctrl_logoff().ok(),
                shutdown: ctrl_shutdown().ok(),
            }
        }

        pub async fn wait(&mut self) {
            let close = recv_or_never!(self.close);
            let logoff = recv_or_never!(self.logoff);
            let shutdown = recv_or_never!(self.shutdown);
            tokio::select! {
                _ = close => {}
                _ = logoff => {}
                _ = shutdown => {}
            }
        }
    }
}

#[cfg(not(any(unix, windows)))]
mod imp {
    pub struct Listener;

    impl Listener {
        pub fn new() -> Listener {
            Listener
        }

        pub async fn wait(&mut self) {
            std::future::pending::<()>().await;
        }
    }
}
