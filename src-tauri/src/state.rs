use crate::error::{AppError, Result};
use anyhow::Context;
use ecrf_services::clock::SystemClock;
use ecrf_services::{Config, Ecrf, Kdf, Session};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The open database and the logged-in session (one user at a time per window).
pub struct AppState {
    inner: Mutex<Inner>,
}

pub struct Inner {
    pub ecrf: Ecrf,
    pub session: Option<Session>,
}

impl AppState {
    /// The database comes from `ECRF_DB`, or `--db PATH`, or `site.db` in the user's data
    /// folder; it must have been created with `ecrf init` (the run script does that).
    pub fn from_env() -> anyhow::Result<AppState> {
        let mut args = std::env::args().skip(1);
        let mut db: Option<PathBuf> = std::env::var_os("ECRF_DB").map(PathBuf::from);
        while let Some(a) = args.next() {
            if a == "--db" {
                db = args.next().map(PathBuf::from);
            }
        }
        let db = match db {
            Some(p) => p,
            None => data_dir().join("site.db"),
        };
        let kdf = match std::env::var("ECRF_KDF").as_deref() {
            Ok("fast") => Kdf::Fast,
            _ => Kdf::Standard,
        };
        let key = std::env::var("ECRF_DB_KEY").ok().filter(|k| !k.is_empty());
        let ecrf = Ecrf::open(
            &db,
            key.as_deref(),
            Arc::new(SystemClock),
            Config {
                kdf,
                ..Config::default()
            },
        )
        .with_context(|| format!("opening {}", db.display()))?;
        Ok(AppState {
            inner: Mutex::new(Inner {
                ecrf,
                session: None,
            }),
        })
    }

    /// The state, or `busy` while a long task (a bundle import or export, on a blocking thread)
    /// holds it: commands run on the window's main thread and must not wait for it.
    pub fn lock(&self) -> Result<MutexGuard<'_, Inner>> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::WouldBlock) => Err(AppError::new(
                "busy",
                "a sync bundle is being imported or exported; try again when it has finished",
            )),
            Err(TryLockError::Poisoned(_)) => Err(AppError::new(
                "internal",
                "the app's state was poisoned by an earlier failure; restart the app",
            )),
        }
    }
}

impl Inner {
    /// The session and the services, for a command that acts for the logged-in user.
    pub fn with_session(&mut self) -> Result<(&mut Ecrf, &mut Session)> {
        match self.session.as_mut() {
            Some(s) => Ok((&mut self.ecrf, s)),
            None => Err(AppError::new("unauthenticated", "not logged in")),
        }
    }
}

fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("ecrf")
}
